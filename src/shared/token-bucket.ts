// A token bucket: `burst` frames at once, refilled at `perSecond`. The room keeps one per connection to enforce its
// rate limit; the browser client keeps one to pace itself below that limit. It needs no timer (in the room a
// pending timer would keep it from hibernating): the refill is computed from the time of the last frame.

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(private readonly burst: number, private readonly perSecond: number, now: number) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes one token: 0 if the frame may pass, otherwise how many milliseconds until it would. */
  take(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }
}
