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
});
