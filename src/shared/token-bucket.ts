// A token bucket: `burst` tokens at once, refilled at `perSecond`. The room keeps one per connection to enforce its
// rate limit; the browser client keeps one to pace itself below that limit. It needs no timer (in the room a
// pending timer would keep it from hibernating): the refill is computed from the time of the last frame.
//
// A frame costs one token per started `rateLimitBytesPerToken` bytes (`frameCost` in codec.ts), so that the limit
// holds for bytes as well as frames; and the room bills what a request's answer weighs (a history page) after
// sending it, which may leave the bucket in debt: nothing passes until the debt is paid back at the refill rate.

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /**
   * Takes `cost` tokens: 0 if the frame may pass, otherwise how many milliseconds until it would. A cost above the
   * burst is charged as the burst, or the frame could never pass.
   */
  take(now: number, cost = 1): number {
    this.refill(now);
    const due = Math.min(cost, this.burst);
    if (this.tokens >= due) {
      this.tokens -= due;
      return 0;
    }
    return Math.ceil(((due - this.tokens) / this.perSecond) * 1000);
  }

  /** Charges `cost` tokens whatever is left: the bucket may go into debt. */
  bill(now: number, cost: number): void {
    this.refill(now);
    this.tokens -= cost;
  }

  /** Gives back `cost` tokens taken for something that did not happen after all (never past the burst). */
  giveBack(now: number, cost = 1): void {
    this.refill(now);
    this.tokens = Math.min(this.burst, this.tokens + cost);
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
  }
}
