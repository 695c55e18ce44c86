// The room's rules as the page shows them to this member: slow mode (a notice when it changes, and the composer's
// wait after each chat of ours and after a `slow_mode` refusal), and a moderator's mute (a notice, and the composer
// held until the mute ends: the connection ends a timed one at its `until`). Moderators are exempt from slow mode,
// so theirs shows no wait.

import type { MuteState, ProtocolError, RoomSettings } from "../shared/protocol";
import type { Composer } from "./composer";
import { shortTime } from "./time-format";

export interface RulesViewParts {
  composer: Pick<Composer, "hold" | "waitTill">;
  /** Adds a system line to the conversation. */
  notice(text: string): void;
  /** Moderators are exempt from slow mode. */
  isModerator: boolean;
}

export class RulesView {
  private slowModeSeconds: number | undefined;
  private mute: MuteState | undefined;

  constructor(private readonly parts: RulesViewParts) {}

  /** The room's settings, at each welcome and each change: a notice when slow mode changes (or is on at first). */
  settings({ slowModeSeconds }: RoomSettings): void {
    const before = this.slowModeSeconds;
    this.slowModeSeconds = slowModeSeconds;
    if (slowModeSeconds === (before ?? 0)) return;
    if (slowModeSeconds === 0) this.parts.composer.waitTill(undefined);
    this.parts.notice(
      slowModeSeconds > 0
        ? `Slow mode is on: one message per ${slowModeSeconds} s${this.parts.isModerator ? " (moderators exempt)" : ""}.`
        : "Slow mode is off.",
    );
  }

  /** Our mute changed: the composer is held while it lasts, and the conversation says so. */
  muted(mute: MuteState | undefined): void {
    const was = this.mute;
    this.mute = mute;
    this.parts.composer.hold(mute && `You are muted ${until(mute)}${mute.reason ? ` (${mute.reason})` : ""}.`);
    if (mute && !was)
      this.parts.notice(`A moderator muted you ${until(mute)}${mute.reason ? `: ${mute.reason}` : "."}`);
    if (!mute && was) this.parts.notice("You may write again.");
  }

  /** The room took a chat this page sent (its echo came): slow mode's wait starts. */
  sent(): void {
    const seconds = this.slowModeSeconds ?? 0;
    if (seconds > 0 && !this.parts.isModerator) this.parts.composer.waitTill(Date.now() + seconds * 1000);
  }

  /** A refusal: slow mode's says how long until a chat may go. */
  refused(error: ProtocolError): void {
    if (error.code === "slow_mode" && error.retryAfterMs !== undefined) {
      this.parts.composer.waitTill(Date.now() + error.retryAfterMs);
    }
  }
}

/** "until 14:05" (with its date if not today), or until a moderator lifts it. */
function until(mute: MuteState): string {
  if (mute.until === undefined) return "until a moderator lifts it";
  return `until ${shortTime(mute.until)}`;
}
