// The room's own settings (slow mode, whether the directory lists it, its title there: protocol.ts, `RoomSettings`),
// kept in the room's SQLite so that they survive restarts. One row, and only while they are not the defaults: a
// room whose moderators never changed anything, or changed everything back, stores nothing for them, and a room
// whose settings are its own keeps its storage for them (room/upkeep.ts), as it does for bans.
//
// Read once and kept in memory: every join's welcome carries them, and only this module writes them. Reading them
// in a room never written writes nothing (the table is schema.ts's, made by the room's first write).

import { DEFAULT_ROOM_SETTINGS, type RoomSettings } from "../../shared/protocol";
import type { Schema, Sql } from "./schema";

type SettingsRow = { slow_mode_seconds: number; listed: number; title: string | null };

export class SettingsStore {
  private readonly sql: Sql;
  /** The settings as stored; undefined until read. */
  private cached: RoomSettings | undefined;

  constructor(private readonly schema: Schema) {
    this.sql = schema.sql;
  }

  /** The room's settings now: the defaults unless a moderator or the admin API changed them. */
  get current(): RoomSettings {
    this.cached ??= this.read();
    return this.cached;
  }

  /** Whether the room has settings of its own: its storage must stay while it has. */
  get kept(): boolean {
    return !isDefault(this.current);
  }

  /** Stores the room's settings: its row, or none for the defaults. */
  save(settings: RoomSettings): void {
    if (isDefault(settings)) {
      if (this.schema.exists) this.sql.exec(`DELETE FROM room_settings`);
    } else {
      this.schema.ensure();
      this.sql.exec(
        `INSERT OR REPLACE INTO room_settings (one, slow_mode_seconds, listed, title) VALUES (1, ?, ?, ?)`,
        settings.slowModeSeconds,
        settings.listed ? 1 : 0,
        settings.title ?? null,
      );
    }
    this.cached = settings;
  }

  /** The room's storage was deleted, its settings with it: it has the defaults again. */
  wiped(): void {
    this.cached = { ...DEFAULT_ROOM_SETTINGS };
  }

  private read(): RoomSettings {
    if (!this.schema.exists) return { ...DEFAULT_ROOM_SETTINGS };
    const row = this.sql.exec<SettingsRow>(`SELECT slow_mode_seconds, listed, title FROM room_settings`).toArray()[0];
    if (!row) return { ...DEFAULT_ROOM_SETTINGS };
    const settings: RoomSettings = { slowModeSeconds: row.slow_mode_seconds, listed: row.listed === 1 };
    if (row.title !== null) settings.title = row.title;
    return settings;
  }
}

/** The defaults, which need no row: no slow mode, not listed, no title. */
const isDefault = (settings: RoomSettings): boolean =>
  settings.slowModeSeconds === DEFAULT_ROOM_SETTINGS.slowModeSeconds &&
  settings.listed === DEFAULT_ROOM_SETTINGS.listed &&
  settings.title === undefined;
