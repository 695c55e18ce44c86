import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Courier } from "../../../../src/server/shards/courier";

describe("Courier", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("keeps one batch in flight, and sends what was pushed meanwhile together, in order", async () => {
    const carried: number[][] = [];
    const arrivals: (() => void)[] = [];
    const courier = new Courier<number, number[]>(
      (items) => items,
      (batch) => {
        carried.push(batch);
        return new Promise((resolve) => arrivals.push(resolve));
      },
      () => {},
    );
    courier.push(1);
    courier.push(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(carried).toEqual([[1, 2]]);
    for (const item of [3, 4, 5]) courier.push(item);
    await vi.advanceTimersByTimeAsync(0);
    expect(carried).toHaveLength(1);
    arrivals.shift()!();
    await vi.advanceTimersByTimeAsync(0);
    expect(carried).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it("sends a failed batch again, the same batch, then gives it up and goes on with the next", async () => {
    const tries: string[] = [];
    const lost: number[][] = [];
    let seals = 0;
    const courier = new Courier<number, { seal: number; items: number[] }>(
      (items) => ({ seal: ++seals, items }),
      async (batch) => {
        tries.push(`${batch.seal}:${batch.items.join()}`);
        if (batch.items.includes(1)) throw new Error("unreachable");
      },
      (items) => lost.push(items),
    );
    courier.push(1);
    await vi.advanceTimersByTimeAsync(0);
    courier.push(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(tries).toEqual(["1:1", "1:1", "1:1", "2:2"]);
    expect(lost).toEqual([[1]]);
  });
});
