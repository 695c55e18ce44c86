// The per-connection rate limit. Every frame is charged, valid or not, so that garbage cannot be flooded either; a
// connection that keeps sending past the limit is to be closed.
//
// The buckets live only in memory. Eviction forgets them, but the runtime evicts a room only after it has been
// idle for seconds, by which time a bucket with the default settings has refilled anyway.

import { TokenBucket } from "../shared/token-bucket";

export type Verdict =
  | { kind: "pass" }
  /** Refused: the frame is dropped and the sender told when to try again. */
  | { kind: "refuse"; retryAfterMs: number }
  /** Refused once too often in a row: the connection is to be closed. */
  | { kind: "close"; refusedInARow: number };

export interface FloodLimits {
  burst: number;
  perSecond: number;
  closeAfter: number;
}

export class FloodControl<Socket extends object> {
  private readonly buckets = new WeakMap<Socket, TokenBucket>();

  constructor(private readonly limits: FloodLimits) {}

  /** Charges one frame from `socket` at time `now`. */
  charge(socket: Socket, now: number): Verdict {
    let bucket = this.buckets.get(socket);
    if (!bucket) {
      bucket = new TokenBucket(this.limits.burst, this.limits.perSecond, now);
      this.buckets.set(socket, bucket);
    }
    const retryAfterMs = bucket.take(now);
    if (retryAfterMs === 0) return { kind: "pass" };
    if (bucket.refusedInARow >= this.limits.closeAfter) return { kind: "close", refusedInARow: bucket.refusedInARow };
    return { kind: "refuse", retryAfterMs };
  }
}
