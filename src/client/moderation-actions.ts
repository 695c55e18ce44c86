// The room's rules as they concern us, the part of a room connection (connection.ts) that keeps them and that the
// app calls for them: the room's settings (slow mode, its listing), whether a moderator muted us and until when,
// and a moderator's calls that change them (`setSettings`, `mute`, `unmute`). Rules `settings`, `mute` and
// `moderator-calls` of clients/spec.
//
// The room decides: being muted refuses nothing here (a refusal of the room's says so, and mutes us if we did not
// know), except our typing signal, which the room would drop unanswered. A timed mute ends at its `until` by
// itself: the room does not announce it.

import type {
  ModerationPacket,
  MuteState,
  NativeClientPacket,
  ProtocolError,
  RoomSettings,
  ServerPacket,
} from "../shared/protocol";
import { refusedForGood } from "./refusal";
import { SignalActions } from "./signal-actions";
import { type Clock, NamedTimers } from "./timers";

/** What a moderator sends: besides kick, ban, unban and delete, a mute, its lifting, and the room's settings. */
export type ModeratorPacket = ModerationPacket | Extract<NativeClientPacket, { type: "mute" | "unmute" | "settings" }>;

/** A room's settings until it says otherwise (a room older than settings never does). */
export const DEFAULT_SETTINGS: Readonly<RoomSettings> = { slowModeSeconds: 0, listed: false };

/** A mute of `minutes` (absent: until unmuted), with the reason the member is shown. */
export interface MuteOptions {
  minutes?: number;
  reason?: string;
}

export abstract class ModerationActions extends SignalActions {
  private currentSettings: RoomSettings = DEFAULT_SETTINGS;
  private muteState: MuteState | undefined;
  private readonly muteEnd: NamedTimers<"end">;

  constructor(clock: Clock) {
    super(clock);
    this.muteEnd = new NamedTimers(clock);
  }

  /** The room's settings as last heard (its welcome's, then each change a moderator made). */
  get settings(): RoomSettings {
    return this.currentSettings;
  }

  /** Our mute now (`until`: server time in ms; absent: until a moderator lifts it), or undefined if not muted. */
  get muted(): MuteState | undefined {
    return this.muteState;
  }

  /** Sends a moderator's packet now; false if not in the room to send it. */
  abstract moderate(packet: ModeratorPacket): boolean;

  /**
   * A moderator changes the room's settings, only the fields given (`slowModeSeconds` 0..3600, `listed`, `title`
   * 1..64 characters). It goes now, or not at all (false: not in the room). Every member, us too, gets the
   * `settings` event once the room took it; a refusal is an `error` event (`forbidden`, `invalid_field`).
   */
  setSettings(changes: Partial<RoomSettings>): boolean {
    return this.moderate({ type: "settings", ...changes });
  }

  /**
   * A moderator mutes member `id` for `minutes` (absent: until unmuted): it stays and reads, but cannot send. The
   * room answers with a `moderated` event (`muted`, whose `user` is what `unmute` takes). False: not in the room.
   */
  mute(id: number, { minutes, reason }: MuteOptions = {}): boolean {
    return this.moderate({
      type: "mute",
      id,
      ...(minutes !== undefined && { minutes }),
      ...(reason !== undefined && { reason }),
    });
  }

  /** A moderator lifts the mute of `user`, as the `muted` answer gave it. False: not in the room. */
  unmute(user: string): boolean {
    return this.moderate({ type: "unmute", user });
  }

  /** While muted our typing is not sent: the room would drop it, and others must not see us "typing" for nothing. */
  override typing(on = true): void {
    if (this.muteState === undefined) super.typing(on);
  }

  // -------------------------------------------------------------------------------------------------------------
  // What the connection hears, as it concerns the room's rules

  /** A welcome says the settings, and whether we are muted, afresh. */
  protected welcomedRules(welcome: Extract<ServerPacket, { type: "welcome" }>): void {
    this.heardSettings({ type: "settings", settings: welcome.settings ?? DEFAULT_SETTINGS });
    this.setMuted(welcome.muted);
  }

  protected heardSettings(packet: Extract<ServerPacket, { type: "settings" }>): void {
    this.currentSettings = packet.settings;
    this.options.onEvent({ type: "settings", settings: packet.settings });
  }

  /** A moderator muted or unmuted us. */
  protected heardMuteStatus({ muted, until, reason }: Extract<ServerPacket, { type: "mute_status" }>): void {
    this.setMuted(
      muted ? { ...(until !== undefined && { until }), ...(reason !== undefined && { reason }) } : undefined,
    );
  }

  /**
   * The room refused something of ours. A name refused for good (a blocked word, a mute, a name taken) is not ours:
   * the next join carries the one the room has. A refusal `muted` says we are: until its wait is over (a timed
   * mute), else until unmuted.
   */
  protected refusedByRules(error: ProtocolError): void {
    if (error.for === "rename" && refusedForGood(error)) this.membership.renameRefused();
    if (error.code !== "muted") return;
    const reason = this.muteState?.reason;
    const until = error.retryAfterMs === undefined ? undefined : this.clock.now() + error.retryAfterMs;
    this.setMuted({ ...(until !== undefined && { until }), ...(reason !== undefined && { reason }) });
  }

  /** Our mute is now `state` (undefined: none); a timed one ends by itself at its `until`. Told when it changed. */
  private setMuted(state: MuteState | undefined): void {
    const now = this.clock.now();
    this.muteEnd.clear("end");
    const until = state?.until;
    const ended = until !== undefined && until <= now;
    const next = ended ? undefined : state;
    if (until !== undefined && !ended) this.muteEnd.start("end", until - now, () => this.setMuted(undefined));
    if (JSON.stringify(next) === JSON.stringify(this.muteState)) return;
    this.muteState = next;
    this.options.onEvent({ type: "muted", muted: next });
  }
}
