// The cost meter's arithmetic (bench/lib/cost-meter.ts, bench/lib/prices.ts): what it takes off for its own reads,
// what it bills as requests, and the competitors' prices docs/cost.md quotes.

import { describe, expect, it } from "vitest";
import { dollars, gbSeconds, type RoomCounters, usageOf } from "../../../bench/lib/cost-meter.ts";
import { ablyMessagesCost, pusherPlan } from "../../../bench/lib/prices.ts";

const counters = (overrides: Partial<RoomCounters["objects"][number]["counters"]>) => ({
  wsMessagesIn: 0,
  connections: 0,
  rowsRead: 0,
  rowsWritten: 0,
  callsOut: 0,
  callsIn: 0,
  alarms: 0,
  storageBytes: 0,
  awakeMs: 0,
  ...overrides,
});

describe("usageOf", () => {
  it("totals a hub and its shard, less what the second read added (one read's own cost)", () => {
    const first: RoomCounters = {
      room: "r",
      objects: [
        {
          object: "hub",
          startedAt: 1000,
          counters: counters({
            wsMessagesIn: 400,
            connections: 2,
            callsIn: 7,
            callsOut: 12,
            rowsWritten: 103,
            awakeMs: 9000,
            storageBytes: 40960,
          }),
        },
        {
          object: "shard-1",
          startedAt: 1500,
          counters: counters({ wsMessagesIn: 200, connections: 2, callsIn: 11, callsOut: 5 }),
        },
      ],
    };
    // The second read: the hub took one more call and made one to its shard, which took it.
    const second: RoomCounters = {
      room: "r",
      objects: [
        { ...first.objects[0]!, counters: { ...first.objects[0]!.counters, callsIn: 8, callsOut: 13, awakeMs: 9002 } },
        { ...first.objects[1]!, counters: { ...first.objects[1]!.counters, callsIn: 12 } },
      ],
    };
    const usage = usageOf([{ first, second }], 1200, { chats: 100, memberHours: 0.5 });
    expect(usage).toEqual({
      chats: 100,
      memberHours: 0.5,
      wsMessagesIn: 600,
      workerRequests: 4,
      // Calls in, less the reads': 6 + 10; and 600 messages at 20 to one.
      doRequests: 16 + 30,
      callsBetweenObjects: 11 + 5,
      rowsRead: 0,
      rowsWritten: 103,
      storageBytes: 40960,
      awakeMs: 8998,
      // Only the shard started after the scenario began.
      wakeUps: 1,
    });
  });

  it("takes nothing off for an object that started again between the two reads", () => {
    const first: RoomCounters = {
      room: "r",
      objects: [{ object: "hub", startedAt: 1, counters: counters({ callsIn: 5 }) }],
    };
    const second: RoomCounters = {
      room: "r",
      objects: [{ object: "hub", startedAt: 2, counters: counters({ callsIn: 1 }) }],
    };
    expect(usageOf([{ first, second }], 0, { chats: 1, memberHours: 1 }).doRequests).toBe(5);
  });
});

describe("prices", () => {
  it("bills a chat room's usage at Cloudflare's marginal list prices", () => {
    // A million requests, 80,000 s awake (10,240 GB-s), a million rows written: $0.15 + $0.128 + $1.
    const usage = {
      chats: 0,
      memberHours: 1,
      wsMessagesIn: 0,
      workerRequests: 0,
      doRequests: 1e6,
      callsBetweenObjects: 0,
    };
    const u = { ...usage, rowsRead: 0, rowsWritten: 1e6, storageBytes: 0, awakeMs: 80_000_000, wakeUps: 0 };
    expect(gbSeconds(u.awakeMs)).toBeCloseTo(10_240);
    expect(dollars(u)).toBeCloseTo(0.15 + 0.128 + 1);
  });

  it("prices Ably's messages tier by tier, as its pricing page's examples do", () => {
    expect(ablyMessagesCost(49e6)).toBeCloseTo(122.5);
    expect(ablyMessagesCost(120e6)).toBeCloseTo(282.5);
  });

  it("picks the cheapest Pusher plan for a day's messages and peak connections, none past the largest", () => {
    expect(pusherPlan(150_000, 50)).toEqual({ name: "Sandbox", perMonth: 0 });
    expect(pusherPlan(3_000_000, 1000)).toEqual({ name: "Pro", perMonth: 99 });
    expect(pusherPlan(1_000_000, 6000)).toEqual({ name: "Premium", perMonth: 499 });
    expect(pusherPlan(100_000_000, 10)).toBeUndefined();
  });
});
