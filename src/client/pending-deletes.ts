// Deletes that wait out their undo window. Deleting a message starts a window (UNDO_MS) in which it can be taken
// back; only when it closes does the delete go to the room. Until the room answers, the page shows the message as
// being deleted. No DOM: the page gives it the clock and what to do, and asks what state a message is in.

import type { Clock } from "./timers";

/** `undoable`: the window is open; `sent`: the delete went out, and the room's answer is awaited. */
export type DeleteState = "undoable" | "sent";

export interface PendingDeleteHandlers {
  /** The window closed: send the delete of message `seq`. */
  send(seq: number): void;
  /** Message `seq`'s state changed (undoable, sent, or none): show it again. */
  changed(seq: number): void;
}

export class PendingDeletes {
  private readonly timers = new Map<number, unknown>();
  private readonly sent = new Set<number>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
    private readonly handlers: PendingDeleteHandlers,
  ) {}

  state(seq: number): DeleteState | undefined {
    if (this.timers.has(seq)) return "undoable";
    return this.sent.has(seq) ? "sent" : undefined;
  }

  /** Starts the undo window of message `seq`'s delete (once: a second start changes nothing). */
  start(seq: number): void {
    if (this.state(seq) !== undefined) return;
    this.timers.set(
      seq,
      this.clock.setTimeout(() => this.send(seq), this.windowMs),
    );
    this.handlers.changed(seq);
  }

  /** Takes the delete back, while its window is open. False once it went. */
  undo(seq: number): boolean {
    if (!this.timers.has(seq)) return false;
    this.clock.clearTimeout(this.timers.get(seq));
    this.timers.delete(seq);
    this.handlers.changed(seq);
    return true;
  }

  /** Sends every delete still in its window now (the page is going away). */
  flush(): void {
    for (const seq of [...this.timers.keys()]) {
      this.clock.clearTimeout(this.timers.get(seq));
      this.send(seq);
    }
  }

  /** The room deleted message `seq` (the caller shows it so): nothing is pending for it any more. */
  done(seq: number): void {
    if (this.timers.has(seq)) this.clock.clearTimeout(this.timers.get(seq));
    this.timers.delete(seq);
    this.sent.delete(seq);
  }

  /** The room refused something: deletes awaiting its answer show their message as it is again. */
  refused(): void {
    const seqs = [...this.sent];
    this.sent.clear();
    for (const seq of seqs) this.handlers.changed(seq);
  }

  private send(seq: number): void {
    this.timers.delete(seq);
    this.sent.add(seq);
    this.handlers.send(seq);
    this.handlers.changed(seq);
  }
}
