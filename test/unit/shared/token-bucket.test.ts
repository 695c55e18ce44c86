import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../../src/shared/token-bucket";

describe("TokenBucket", () => {
  it("lets a burst through, then refills at the configured rate and says when to retry", () => {
    const bucket = new TokenBucket(10, 5, 0);
    for (let i = 0; i < 10; i++) expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(200);
    expect(bucket.take(100)).toBe(100);
    expect(bucket.take(200)).toBe(0);
    expect(bucket.take(10_000)).toBe(0); // refilled, but never past the burst
    for (let i = 0; i < 9; i++) bucket.take(10_000);
    expect(bucket.take(10_000)).toBeGreaterThan(0);
  });

  it("charges a cost of several tokens, never more than the burst, and lets a bill leave it in debt", () => {
    const bucket = new TokenBucket(4, 2, 0);
    expect(bucket.take(0, 3)).toBe(0);
    expect(bucket.take(0, 3)).toBe(1000); // one left, three wanted, at two per second
    // A cost above the burst is charged as the burst, or it could never pass: three tokens there, four needed.
    expect(bucket.take(1000, 9)).toBe(500);
    expect(bucket.take(1500, 9)).toBe(0);
    bucket.bill(1500, 6);
    expect(bucket.take(1500, 1)).toBe(3500); // six in debt, and one to take
    expect(bucket.take(5000, 1)).toBe(0);
  });

  it("takes back a token given back, never past the burst", () => {
    const bucket = new TokenBucket(2, 1, 0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(1000);
    bucket.giveBack(0);
    expect(bucket.take(0)).toBe(0);
    bucket.giveBack(0, 5);
    expect(bucket.take(0, 2)).toBe(0);
    expect(bucket.take(0)).toBe(1000);
  });
});
