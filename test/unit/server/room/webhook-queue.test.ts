// The webhook queue's rules on a store in memory: ids in order and never used twice, batches that stay the same
// until delivered, the backoff of retries, and a backlog past its limit that drops its oldest with a counted gap.

import { describe, expect, it } from "vitest";
import {
  BATCH_MAX_BYTES,
  BATCH_MAX_EVENTS,
  type Batch,
  retryDelay,
  WebhookQueue,
} from "../../../../src/server/room/webhook-queue";
import type { EventStore, StoredEvent, WebhookCursor } from "../../../../src/server/storage/webhook-store";

/** The queries of storage/webhook-store.ts on an array kept in id order; `wipe` deletes all, as a room's storage is. */
class MemoryStore implements EventStore {
  events: StoredEvent[] = [];
  saved: WebhookCursor | undefined;
  cursor() {
    return this.saved && { ...this.saved };
  }
  saveCursor(cursor: WebhookCursor) {
    this.saved = { ...cursor };
  }
  append(event: StoredEvent) {
    this.events = [...this.events, event].sort((a, b) => a.id - b.id);
  }
  count() {
    return this.events.length;
  }
  lastId() {
    return this.events.at(-1)?.id;
  }
  oldestAt() {
    return this.events[0]?.at;
  }
  after(after: number, limit: number) {
    return this.events.filter(({ id }) => id > after).slice(0, limit);
  }
  delete(after: number, through: number) {
    this.events = this.events.filter(({ id }) => id <= after || id > through);
  }
  wipe() {
    this.events = [];
    this.saved = undefined;
  }
}

const T0 = 1_700_000_000_000;
const chat = (text: string) => ({ type: "message.created", data: { text } });

function queue(backlogMax = 1000) {
  const store = new MemoryStore();
  return { store, queue: new WebhookQueue(store, "lobby", backlogMax) };
}

const eventsOf = (batch: Batch) => (JSON.parse(batch.body) as { events: { id: number; type: string }[] }).events;

describe("a room's webhook events", () => {
  it("take ids in order from the start of the storage's life in microseconds, each event once", () => {
    const { queue: q, store } = queue();
    q.record([chat("a"), chat("b")], T0);
    q.record([chat("c")], T0 + 5);
    expect(store.events.map(({ id }) => id)).toEqual([T0 * 1000 + 1, T0 * 1000 + 2, T0 * 1000 + 3]);
    expect(JSON.parse(store.events[2]!.event)).toEqual({
      id: T0 * 1000 + 3,
      type: "message.created",
      room: "lobby",
      at: T0 + 5,
      data: { text: "c" },
    });
  });

  it("go on above every earlier life's ids once the room's storage was deleted", () => {
    const { queue: q, store } = queue();
    q.record(
      Array.from({ length: 50 }, (_, i) => chat(`${i}`)),
      T0,
    );
    const earlier = store.events.at(-1)!.id;
    store.wipe();
    q.forget();
    // A life that begins a millisecond later starts above one that recorded up to 999 events per millisecond.
    q.record([chat("again")], T0 + 1);
    expect(store.events[0]!.id).toBeGreaterThan(earlier);
  });

  it("go out in batches named by their first and last ids, each the same until delivered", () => {
    const { queue: q } = queue();
    q.record(
      Array.from({ length: BATCH_MAX_EVENTS + 5 }, (_, i) => chat(`${i}`)),
      T0,
    );
    const first = q.batch()!;
    const firstId = T0 * 1000 + 1;
    expect(first.id).toBe(`lobby:${firstId}-${firstId + BATCH_MAX_EVENTS - 1}`);
    expect(JSON.parse(first.body)).toMatchObject({ room: "lobby" });
    expect(eventsOf(first)).toHaveLength(BATCH_MAX_EVENTS);
    q.delivered(first);
    const second = q.batch()!;
    expect(eventsOf(second).map(({ id }) => id)).toEqual([0, 1, 2, 3, 4].map((i) => firstId + BATCH_MAX_EVENTS + i));
    q.delivered(second);
    expect([q.batch(), q.backlog]).toEqual([undefined, 0]);
  });

  it("send a batch not delivered again as it was, whatever came since", () => {
    const { queue: q } = queue();
    q.record([chat("a"), chat("b")], T0);
    const first = q.batch()!;
    q.failed("HTTP 500", T0);
    q.record([chat("later")], T0 + 10);
    expect(q.batch()).toEqual(first);
    q.delivered(first);
    expect(eventsOf(q.batch()!).map(({ id }) => id)).toEqual([T0 * 1000 + 3]);
  });

  it("keeps a batch to about BATCH_MAX_BYTES, and never sends less than one event", () => {
    const { queue: q } = queue();
    const big = "x".repeat(BATCH_MAX_BYTES / 4);
    q.record([chat(big), chat(big), chat(big), chat(big), chat("small")], T0);
    expect(eventsOf(q.batch()!)).toHaveLength(3);
    const { queue: huge } = queue();
    huge.record([chat("y".repeat(BATCH_MAX_BYTES * 2)), chat("small")], T0);
    expect(eventsOf(huge.batch()!)).toHaveLength(1);
  });
});

describe("a batch not delivered", () => {
  it("is due again after 1 s, doubling to 5 minutes at most, and from 1 s again after a delivery", () => {
    expect([1, 2, 3, 4, 9, 10, 30].map(retryDelay)).toEqual([1000, 2000, 4000, 8000, 256_000, 300_000, 300_000]);
    const { queue: q } = queue();
    q.record([chat("a")], T0);
    const batch = q.batch()!;
    expect(q.failed("HTTP 503", T0)).toBe(T0 + 1000);
    expect(q.failed("HTTP 503", T0 + 1000)).toBe(T0 + 3000);
    expect(q.retryAt).toBe(T0 + 3000);
    expect(q.info(T0 + 4000)).toEqual({ backlog: 1, lastError: "HTTP 503", lagMs: 4000, dropped: 0 });
    q.delivered(batch);
    expect([q.retryAt, q.info(T0 + 5000)]).toEqual([undefined, { backlog: 0, lagMs: 0, dropped: 0 }]);
    q.record([chat("b")], T0 + 6000);
    q.batch();
    expect(q.failed("no answer in 10 s", T0 + 7000)).toBe(T0 + 8000);
  });

  it("is sent as it was by a queue that starts again from storage (a restart)", () => {
    const { queue: q, store } = queue();
    q.record([chat("a"), chat("b")], T0);
    const batch = q.batch()!;
    q.failed("HTTP 500", T0);
    const again = new WebhookQueue(store, "lobby", 1000);
    again.record([chat("c")], T0 + 1);
    expect(again.batch()).toEqual(batch);
    expect(again.retryAt).toBe(T0 + 1000);
  });
});

describe("a backlog past its limit", () => {
  const typesOf = (store: MemoryStore) => store.events.map(({ event }) => JSON.parse(event).type as string);

  it("drops its oldest events for one gap event in their place that counts them, at the last one's id", () => {
    const { queue: q, store } = queue(10);
    q.record(
      Array.from({ length: 15 }, (_, i) => chat(`${i}`)),
      T0,
    );
    expect(q.backlog).toBe(10);
    expect(store.events).toHaveLength(10);
    const gap = JSON.parse(store.events[0]!.event);
    expect(gap).toEqual({ id: T0 * 1000 + 6, type: "webhook.gap", room: "lobby", at: T0, data: { dropped: 6 } });
    expect(store.events.slice(1).map(({ id }) => id - T0 * 1000)).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15]);
    // More: the gap grows, and stays one.
    q.record([chat("15"), chat("16")], T0 + 1);
    expect(typesOf(store).filter((type) => type === "webhook.gap")).toHaveLength(1);
    expect(JSON.parse(store.events[0]!.event).data).toEqual({ dropped: 8 });
    expect(q.info(T0 + 1).dropped).toBe(8);
    expect(q.backlog).toBe(10);
  });

  it("never drops from the batch being sent", () => {
    const { queue: q, store } = queue(10);
    q.record(
      Array.from({ length: 4 }, (_, i) => chat(`${i}`)),
      T0,
    );
    const sending = q.batch()!;
    q.record(
      Array.from({ length: 10 }, (_, i) => chat(`more ${i}`)),
      T0 + 1,
    );
    expect(q.batch()).toEqual(sending);
    expect(typesOf(store).slice(0, 5)).toEqual([...Array(4).fill("message.created"), "webhook.gap"]);
    q.delivered(sending);
    expect(eventsOf(q.batch()!)[0]).toMatchObject({ type: "webhook.gap", data: { dropped: 5 } });
    expect(q.info(T0 + 1)).toMatchObject({ backlog: 6, dropped: 5 });
  });
});
