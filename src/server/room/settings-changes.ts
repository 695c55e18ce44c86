// A change to the room's own settings (slow mode, listing in the directory, its title there), by a moderator's
// `settings` packet or the admin API: stored, then told to everyone in order with everything else the room
// announces (all the settings, and which changed), to the backend (a `room.settings` webhook event) and, for a room
// listed before or after, to the directory; and written in the audit log (moderation/audit-log.ts), as given.

import type { RoomSettings, ServerPacket, SettingsChange } from "../../shared/protocol";
import { applySettings } from "../../shared/room-settings";
import type { Moderator } from "../moderation/actions";
import type { SettingsStore } from "../storage/settings-store";
import type { DirectoryReports } from "./directory-reports";

/** What a change of settings needs of the room. */
export interface SettingsRoom {
  store: SettingsStore;
  outbox: { announce(packet: ServerPacket): void; flush(): void };
  webhooks: { settingsChanged(settings: RoomSettings, by: Moderator): void } | undefined;
  reports: Pick<DirectoryReports, "settingsChanged">;
  /** The change goes in the audit log. */
  audited(change: SettingsChange, by: Moderator): void;
  /** The room may have nothing left to keep: settings back to the defaults keep no storage (upkeep.ts). */
  released(): void;
}

/** Carries out `change`, made by `by`; the room's settings after it. */
export function changeSettings(room: SettingsRoom, change: SettingsChange, by: Moderator, now: number): RoomSettings {
  const before = room.store.current;
  const { settings, changed } = applySettings(before, change);
  room.store.save(settings);
  room.audited(change, by);
  if (room.webhooks) {
    // What was said before the change is told before it.
    room.outbox.flush();
    room.webhooks.settingsChanged(settings, by);
  }
  room.outbox.announce({ type: "settings", settings, changed });
  room.reports.settingsChanged(before, now);
  if (!room.store.kept) room.released();
  return settings;
}
