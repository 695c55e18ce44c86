// Our own "is typing" signal (rule `typing`, clients/spec). The user's keystrokes come many a second; the room
// needs one start per typingIntervalMs at most, because receivers keep a typer shown for typingTimeoutMs after its
// last signal (two intervals: room for the room's signals window and the network). A start that could not go now is
// skipped, never queued: by the time it could go it may be false, and the next keystroke says it again anyway.

import type { Limits, NativeClientPacket } from "../shared/protocol";

type TypingPacket = Extract<NativeClientPacket, { type: "typing" }>;

export class TypingSignal {
  /** When the last start went, on this connection; undefined: none, or a stop or a chat since. */
  private startedAt: number | undefined;

  /**
   * The user typed (`on`) or stopped (cleared the input). `send` puts a packet on the wire now if it can (joined, and
   * the pacer has a token), and says whether it did.
   */
  signal(on: boolean, now: number, limits: Limits, send: (packet: TypingPacket) => boolean): void {
    const started = this.startedAt;
    if (on) {
      if (started !== undefined && now - started < limits.typingIntervalMs) return;
      if (send({ type: "typing" })) this.startedAt = now;
      return;
    }
    this.startedAt = undefined;
    // Without a recent start, receivers show nothing to stop (they dropped us at typingTimeoutMs).
    if (started !== undefined && now - started < limits.typingTimeoutMs) send({ type: "typing", stop: true });
  }

  /**
   * Starts over without a stop: we sent a chat (receivers drop a typer on its chat), or a new connection was
   * welcomed (its member has said nothing yet). The next keystroke's start goes at once.
   */
  reset(): void {
    this.startedAt = undefined;
  }
}
