// The per-connection rate limit. Every frame is charged, valid or not, so that garbage cannot be flooded either;
// by its size too (one token per started RATE_LIMIT_BYTES_PER_TOKEN bytes), and a history answer by its own size.
// Refusals are counted per window of FLOOD_WINDOW_MS: the first of a window is answered (with when to retry), the
// rest are dropped unanswered, so that a flood costs the room no answers; too many in one window close the
// connection. Counting per window, not in a row, means an accepted frame now and then does not reset the count.
//
// The meters live only in memory. Eviction forgets them, but the runtime evicts a room only after it has been
// idle for seconds, by which time a bucket with the default settings has refilled anyway.

import { TokenBucket } from "../../shared/token-bucket";

export const FLOOD_WINDOW_MS = 1000;

export type Verdict =
  | { kind: "pass" }
  /**
   * Refused: the frame is dropped; `answer` if the sender is to be told when to try again, with `code`: its own rate
   * limit, or the room's budget.
   */
  | { kind: "refuse"; code: "rate_limited" | "room_busy"; retryAfterMs: number; answer: boolean }
  /** Refused too often within one window: the connection is to be closed. */
  | { kind: "close"; refusedInWindow: number };

export interface FloodLimits {
  burst: number;
  perSecond: number;
  /** Refusals within one window that close the connection. */
  closeAfter: number;
}

interface Meter {
  bucket: TokenBucket;
  windowStart: number;
  refusedInWindow: number;
}

export class FloodControl<Socket extends object> {
  private readonly meters = new WeakMap<Socket, Meter>();

  constructor(private readonly limits: FloodLimits) {}

  /** Charges a frame from `socket` that costs `cost` tokens, at time `now`. */
  charge(socket: Socket, now: number, cost = 1): Verdict {
    const meter = this.meterOf(socket, now);
    const retryAfterMs = meter.bucket.take(now, cost);
    if (retryAfterMs === 0) return { kind: "pass" };
    return this.refuse(socket, now, retryAfterMs, "rate_limited");
  }

  /** Counts a refusal of a packet from `socket`, for whatever reason (the room's budget too): the verdict on it. */
  refuse(
    socket: Socket,
    now: number,
    retryAfterMs: number,
    code: "rate_limited" | "room_busy",
  ): Exclude<Verdict, { kind: "pass" }> {
    const meter = this.meterOf(socket, now);
    if (now - meter.windowStart >= FLOOD_WINDOW_MS) {
      meter.windowStart = now;
      meter.refusedInWindow = 0;
    }
    meter.refusedInWindow++;
    if (meter.refusedInWindow >= this.limits.closeAfter)
      return { kind: "close", refusedInWindow: meter.refusedInWindow };
    return { kind: "refuse", code, retryAfterMs, answer: meter.refusedInWindow === 1 };
  }

  /** Bills `socket` for what an answer to it weighed, after sending it: the sender may go into debt. */
  bill(socket: Socket, now: number, cost: number): void {
    this.meterOf(socket, now).bucket.bill(now, cost);
  }

  private meterOf(socket: Socket, now: number): Meter {
    let meter = this.meters.get(socket);
    if (!meter) {
      meter = {
        bucket: new TokenBucket(this.limits.burst, this.limits.perSecond, now),
        windowStart: now,
        refusedInWindow: 0,
      };
      this.meters.set(socket, meter);
    }
    return meter;
  }
}
