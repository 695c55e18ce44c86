// A room's counters in Workers Analytics Engine, when the ROOM_METRICS binding is there (wrangler.toml): one data
// point per object at most every POINT_INTERVAL_MS while it is busy, and at its alarm and when its last member goes,
// never one per message. A point holds what changed since the object's previous point (so SUM over points is the
// total), with the room as its index (Analytics Engine samples by it) and the fields in a fixed order: `DOUBLES`
// below, which docs/operations.md lists with example queries. Without the binding (a local run, the tests), nothing
// is written and nothing else changes.

import type { PointWriter, RoomCounters } from "./room-counters";

/** The least time between two points of one object while it is busy. */
export const POINT_INTERVAL_MS = 10_000;

/** The counters that are totals since the instance started (room-counters.ts): a point holds their change. */
const TOTALS = [
  "wsMessagesIn",
  "wsBytesIn",
  "framesOut",
  "messages",
  "joins",
  "leaves",
  "connections",
  "refusals",
  "closes",
  "rowsRead",
  "rowsWritten",
  "callsOut",
  "callsIn",
  "alarms",
  "awakeMs",
] as const;

/**
 * double1, double2, …: the change in each of `TOTALS` since the previous point of the same object; then `wakeUps`,
 * 1 on the first point an instance writes (the object woke: it was created since its previous point); then
 * `storageBytes`, the object's database size when the point was written (a gauge: take its latest, not its sum).
 */
export const DOUBLES = [...TOTALS, "wakeUps", "storageBytes"] as const;

export class Analytics implements PointWriter {
  /** When the previous point was written: the instance's start before its first. */
  private lastAt: number;
  private lastTotals = TOTALS.map(() => 0);
  private woke = 1;

  constructor(
    private readonly dataset: AnalyticsEngineDataset,
    startedAt: number,
    /** The object's database size now (`ctx.storage.sql.databaseSize`). */
    private readonly storageBytes: () => number,
  ) {
    this.lastAt = startedAt;
  }

  /** Whether a busy object is due for its next point. */
  due(now: number): boolean {
    return now - this.lastAt >= POINT_INTERVAL_MS;
  }

  /** Writes a point of what changed since the previous one; nothing if nothing did. */
  write(counters: RoomCounters, now: number): void {
    this.lastAt = now;
    const totals = TOTALS.map((name) => totalOf(counters, name));
    const changes = totals.map((total, i) => total - this.lastTotals[i]!);
    if (this.woke === 0 && changes.every((change) => change === 0)) return;
    this.lastTotals = totals;
    this.dataset.writeDataPoint({
      indexes: [counters.room],
      blobs: [counters.room, counters.object],
      doubles: [...changes, this.woke, this.storageBytes()],
    });
    this.woke = 0;
  }
}

function totalOf(counters: RoomCounters, name: (typeof TOTALS)[number]): number {
  if (name === "refusals") return counters.refusalCount;
  if (name === "closes") return counters.closeCount;
  return counters[name];
}
