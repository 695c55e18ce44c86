// Items for connections a shard does not hold yet. The hub places a connection on a shard and answers the Worker,
// which then passes the upgrade on; in that moment the hub may already act on the connection (a ban closes every
// connection it refuses, placed ones included). Its items reach the shard before the socket does: they wait here,
// and the socket takes them as it arrives, so that a connection banned on its way is told so and closed at once.
//
// An item for a connection that already left (its close is on its way to the hub) waits here too, in vain: items
// are kept for a while only, in memory (a shard that hibernates forgets them with everything else).

import type { Item } from "./wire";

/** Longer than any upgrade takes from the hub's answer to the shard, through the Worker. */
const KEEP_MS = 30_000;

type ForOne = Extract<Item, { conn: string }>;

/** Items waiting for connections that have not reached the shard yet (not the connections themselves). */
export class EarlyItems {
  private readonly waiting = new Map<string, { items: ForOne[]; since: number }>();

  /** Keeps an item for `item.conn`, which the shard does not hold (yet). */
  keep(item: ForOne, now: number): void {
    for (const [conn, { since }] of this.waiting) if (now - since > KEEP_MS) this.waiting.delete(conn);
    const entry = this.waiting.get(item.conn);
    if (entry) entry.items.push(item);
    else this.waiting.set(item.conn, { items: [item], since: now });
  }

  /** The items waiting for `conn`, in the hub's order; they are given once. */
  take(conn: string): ForOne[] {
    const entry = this.waiting.get(conn);
    this.waiting.delete(conn);
    return entry?.items ?? [];
  }
}
