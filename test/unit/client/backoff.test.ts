import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF } from "../../../src/client/backoff";

const policy = { baseMs: 500, maxMs: 8_000, maxAttempts: 10 };

describe("backoffDelay", () => {
  it("doubles the window with every attempt, up to the cap", () => {
    const highest = [1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelay(attempt, policy, () => 1));
    expect(highest).toEqual([500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it("jitters within the upper half of the window, so that the delay still grows", () => {
    const lowest = [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, policy, () => 0));
    expect(lowest).toEqual([250, 500, 1_000, 2_000, 4_000, 4_000]);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(1_500);
  });

  it("never exceeds the default cap of 30 s, however many attempts failed", () => {
    expect(backoffDelay(DEFAULT_BACKOFF.maxAttempts, DEFAULT_BACKOFF, () => 1)).toBe(30_000);
    expect(backoffDelay(1_000, DEFAULT_BACKOFF, () => 1)).toBe(30_000);
  });
});
