import { describe, expect, it } from "vitest";
import { InOrder } from "../../../../src/server/shards/in-order";
import type { Delivery } from "../../../../src/server/shards/wire";

const delivery = (epoch: number, tick: number): Delivery => ({ epoch, tick, items: [] });
const ticks = (taken: Delivery[]) => taken.map(({ epoch, tick }) => `${epoch}:${tick}`);

/** A seeded shuffle, so that a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("InOrder", () => {
  it("applies every delivery once, in the hub's order, whatever order and repeats they arrive in", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const inOrder = new InOrder();
      const arrivals = shuffled(
        [1, 2, 3, 4, 5, 6, 7, 8, 2, 5, 8].map((tick) => delivery(10, tick)),
        seed,
      );
      // The first delivery a shard sees is tick 1 of a hub that starts a stream to it.
      const applied = [...inOrder.take(delivery(10, 1)), ...arrivals.flatMap((arriving) => inOrder.take(arriving))];
      expect(ticks(applied), `seed ${seed}`).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((tick) => `10:${tick}`));
    }
  });

  it("follows a hub that starts again from its tick 1, and drops what its older instance still had travelling", () => {
    const inOrder = new InOrder();
    expect(ticks(inOrder.take(delivery(10, 1)))).toEqual(["10:1"]);
    expect(ticks(inOrder.take(delivery(10, 3)))).toEqual([]);
    expect(ticks(inOrder.take(delivery(20, 2)))).toEqual([]);
    expect(ticks(inOrder.take(delivery(10, 2)))).toEqual([]);
    expect(ticks(inOrder.take(delivery(20, 1)))).toEqual(["20:1", "20:2"]);
  });

  it("starts at whatever tick it first sees: a shard that woke from hibernation took every earlier one", () => {
    const inOrder = new InOrder();
    expect(ticks(inOrder.take(delivery(10, 41)))).toEqual(["10:41"]);
    expect(ticks(inOrder.take(delivery(10, 40)))).toEqual([]);
    expect(ticks(inOrder.take(delivery(10, 42)))).toEqual(["10:42"]);
  });
});
