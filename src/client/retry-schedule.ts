// When a connection tries again after a failed attempt: after a capped, jittered, doubling delay (backoff.ts), or
// when the room said (its `retryAfterMs`); and when it gives up: after `maxAttempts` failed attempts in a row.

import { type BackoffPolicy, backoffDelay } from "./backoff";
import type { ConnectionStatus } from "./connection-events";
import { type Clock, NamedTimers } from "./timers";

export class RetrySchedule {
  /** Connection attempts that failed in a row; reset by a welcome. */
  failures = 0;
  private readonly timers: NamedTimers<"reconnect">;

  constructor(
    private readonly clock: Clock,
    private readonly policy: BackoffPolicy,
    private readonly random: () => number,
    /** Makes the next attempt. */
    private readonly connect: () => void,
    /** Tells the app of a reconnect scheduled, or of giving up. */
    private readonly setStatus: (status: ConnectionStatus) => void,
  ) {
    this.timers = new NamedTimers(clock);
  }

  /** An attempt failed: the next comes after a backoff delay, unless that was one too many. */
  failed(): void {
    this.failures++;
    if (this.failures > this.policy.maxAttempts) return this.setStatus({ state: "offline", reason: "gave_up" });
    this.after(backoffDelay(this.failures, this.policy, this.random));
  }

  /** The next attempt comes in `delayMs`. */
  after(delayMs: number): void {
    this.setStatus({ state: "reconnecting", attempt: this.failures, retryAt: this.clock.now() + delayMs });
    this.timers.start("reconnect", delayMs, () => this.connect());
  }

  /** No attempt is scheduled any more. */
  cancel(): void {
    this.timers.clear("reconnect");
  }
}
