// The room's log lines and counters, in Node: each notable event is one line of JSON with its fixed fields and
// nothing a member said or holds; refusals and closes are counted by code; awake time is the events' gaps, each up
// to AWAKE_TAIL_MS; Analytics Engine gets what changed, in the documented order, at most every POINT_INTERVAL_MS;
// and the rows of every statement are counted once.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Analytics, DOUBLES, POINT_INTERVAL_MS } from "../../../../src/server/observability/analytics";
import { CountedSql } from "../../../../src/server/observability/counted-sql";
import { errorText } from "../../../../src/server/observability/log";
import { AWAKE_TAIL_MS, RoomCounters } from "../../../../src/server/observability/room-counters";

let lines: string[];

beforeEach(() => {
  lines = [];
  vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
});
afterEach(() => vi.restoreAllMocks());

const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe("log lines", () => {
  it("one line of JSON per event, with its fixed fields only", () => {
    const counters = new RoomCounters("lobby", "hub", 1000);
    counters.refused("invalid_text", "chat");
    counters.refused("banned", "upgrade", 403);
    counters.closed(4001);
    counters.moderated("kick", "moderator");
    counters.shardPlaced(2);
    counters.upkeepFailed(new Error("SQLITE_FULL: database or disk is full"));
    expect(lines.every((line) => !line.includes("\n"))).toBe(true);
    expect(parsed()).toEqual([
      { event: "room.woke", room: "lobby", object: "hub" },
      { event: "refusal", room: "lobby", object: "hub", code: "invalid_text", for: "chat" },
      { event: "refusal", room: "lobby", object: "hub", code: "banned", for: "upgrade", status: 403 },
      { event: "close", room: "lobby", object: "hub", code: 4001 },
      { event: "moderation", room: "lobby", object: "hub", action: "kick", by: "moderator" },
      { event: "shard.placed", room: "lobby", object: "hub", shard: 2 },
      { event: "upkeep.failed", room: "lobby", object: "hub", error: "Error: SQLITE_FULL: database or disk is full" },
    ]);
  });

  it("never carries what a client chose: a packet type that is not a word of the protocol is 'frame'", () => {
    const counters = new RoomCounters("r", "shard-1", 0);
    const secret = "my password is hunter2";
    counters.refused("unknown_type", secret);
    counters.refused("invalid_json", undefined);
    counters.refused("unknown_type", "x".repeat(33));
    expect(
      parsed()
        .slice(1)
        .map((line) => line.for),
    ).toEqual(["frame", "frame", "frame"]);
    expect(lines.join("\n")).not.toContain("hunter2");
  });

  it("cuts an error short, and keeps no stack", () => {
    const error = new Error(`failed: ${"payload ".repeat(100)}`);
    const text = errorText(error);
    expect(text.length).toBeLessThanOrEqual(201);
    expect(text).not.toContain("\n    at ");
    expect(errorText("plain")).toBe("plain");
  });
});

describe("counters", () => {
  it("count refusals and closes by code, frames and bytes in, and awake time up to the tail per gap", () => {
    const counters = new RoomCounters("r", "hub", 0);
    counters.frameIn(10, 100);
    counters.frameIn(20, 300);
    counters.callIn(300 + 60_000); // after a minute of nothing: the object was idle, and counted as awake no more
    counters.refused("rate_limited", "chat");
    counters.refused("rate_limited", "chat");
    counters.closed(1000);
    const { counters: read } = counters.read(4096);
    expect(read).toMatchObject({
      wsMessagesIn: 2,
      wsBytesIn: 30,
      callsIn: 1,
      refusals: { rate_limited: 2 },
      closes: { 1000: 1 },
      storageBytes: 4096,
      awakeMs: 300 + AWAKE_TAIL_MS,
    });
  });
});

describe("Analytics Engine", () => {
  it("gets what changed, in the documented order, at most every POINT_INTERVAL_MS while busy", () => {
    const points: AnalyticsEngineDataPoint[] = [];
    const dataset = { writeDataPoint: (point?: AnalyticsEngineDataPoint) => void points.push(point!) };
    const analytics = new Analytics(dataset, 0, () => 8192);
    const counters = new RoomCounters("lobby", "shard-3", 0, analytics);
    counters.frameIn(100, 1);
    counters.frameIn(100, POINT_INTERVAL_MS - 1);
    expect(points).toEqual([]);
    counters.frameIn(50, POINT_INTERVAL_MS);
    counters.messages += 2;
    counters.frameIn(50, POINT_INTERVAL_MS + 1);
    counters.alarmRang(POINT_INTERVAL_MS + 2);
    // Nothing changed since: no point.
    counters.flush(POINT_INTERVAL_MS + 3);
    const named = points.map((point) => Object.fromEntries(DOUBLES.map((name, i) => [name, point.doubles![i]])));
    expect(points.map((point) => [point.indexes, point.blobs])).toEqual([
      [["lobby"], ["lobby", "shard-3"]],
      [["lobby"], ["lobby", "shard-3"]],
    ]);
    expect(named[0]).toMatchObject({ wsMessagesIn: 3, wsBytesIn: 250, messages: 0, wakeUps: 1, storageBytes: 8192 });
    expect(named[1]).toMatchObject({ wsMessagesIn: 1, wsBytesIn: 50, messages: 2, alarms: 1, wakeUps: 0 });
    expect(points.every((point) => point.doubles!.length === DOUBLES.length)).toBe(true);
  });
});

describe("counted SQL", () => {
  it("counts each statement's rows once, when the next starts or the counters are read", () => {
    const cursor = (rowsRead: number, rowsWritten: number) => ({ rowsRead, rowsWritten });
    const results = [cursor(3, 0), cursor(1, 1), cursor(0, 2)];
    const sql = { exec: () => results.shift(), databaseSize: 0 } as unknown as SqlStorage;
    const counts = { rowsRead: 0, rowsWritten: 0 };
    const counted = new CountedSql(sql, counts);
    counted.exec("SELECT 1");
    expect(counts).toEqual({ rowsRead: 0, rowsWritten: 0 });
    counted.exec("INSERT 1");
    counted.exec("INSERT 2");
    counted.settle();
    counted.settle();
    expect(counts).toEqual({ rowsRead: 4, rowsWritten: 3 });
  });
});
