// The cost meter: what Cloudflare would bill for one scenario on one server, from the objects' own counters (the
// admin API's `GET /api/rooms/<name>/counters`: the room's hub and each shard, or the durable floor's one object;
// docs/operations.md), priced by the one price table (prices.ts). A server without that route (the naive floor)
// has no meter. docs/cost.md turns these figures into a day of three kinds of room.
//
// A scenario's rooms are new (their names are unique), so their counters start at zero: the meter reads them once
// the scenario's clients have gone. Reading costs something too (a call to the hub, one from it to each shard, a
// moment awake): the meter reads twice and takes off what the second read added, which is what one read costs.
// What the counters cannot see: the Worker's own CPU (the front door, billed per CPU ms, not counted here); and
// `awakeMs` is the objects' estimate of billed time (an upper bound: each event counts the gap since the one before,
// up to 10 s, where the runtime bills only while an event runs or the object cannot hibernate).

import { CLOUDFLARE } from "./prices.ts";
import { fmt, median } from "./stats.ts";
import type { Row } from "./table.ts";

/** One object's counters, as the admin API answers them (the fields the meter uses). */
export interface ObjectCounters {
  object: string;
  startedAt: number;
  counters: {
    wsMessagesIn: number;
    connections: number;
    rowsRead: number;
    rowsWritten: number;
    callsOut: number;
    callsIn: number;
    alarms: number;
    storageBytes: number;
    awakeMs: number;
  };
}

/** `GET /api/rooms/<name>/counters`. */
export interface RoomCounters {
  room: string;
  objects: ObjectCounters[];
}

/** The totals of one scenario on one server. */
export interface Usage {
  /** Chats sent (the scenario's own count, the same on every server). */
  chats: number;
  /** Members joined × the scenario's time, in hours. */
  memberHours: number;
  wsMessagesIn: number;
  /** WebSocket upgrades the objects accepted: each was a request to the Worker. */
  workerRequests: number;
  /** What the objects are billed as requests: calls in (upgrades, RPC), alarms, and messages in at 20 to one. */
  doRequests: number;
  /** Calls one object made to another (or to the directory, or out to webhooks). */
  callsBetweenObjects: number;
  rowsRead: number;
  rowsWritten: number;
  /** The objects' databases when the scenario ended, bytes (billed by the GB-month while kept). */
  storageBytes: number;
  awakeMs: number;
  /** Objects that started during the scenario (created or woken). */
  wakeUps: number;
}

const TOTALS = [
  "wsMessagesIn",
  "connections",
  "rowsRead",
  "rowsWritten",
  "callsOut",
  "callsIn",
  "alarms",
  "awakeMs",
] as const;
type Total = (typeof TOTALS)[number];

/** One room's counters, or undefined if the server has no such route (the naive floor). */
export async function readCounters(
  httpUrl: string,
  room: string,
  adminToken: string,
): Promise<RoomCounters | undefined> {
  const answer = await fetch(`${httpUrl}/api/rooms/${encodeURIComponent(room)}/counters`, {
    headers: { Authorization: `Bearer ${adminToken}` },
  });
  if (answer.status === 404) return undefined;
  if (!answer.ok) throw new Error(`counters of ${room}: HTTP ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as RoomCounters;
}

/**
 * The objects' totals over `rooms`, without what reading them cost: `first` read once the scenario ended, `second`
 * read right after it. Wake-ups: objects started at `since` or later.
 */
export function usageOf(
  reads: { first: RoomCounters; second: RoomCounters }[],
  since: number,
  scenario: { chats: number; memberHours: number },
): Usage {
  const sum: Record<Total, number> = Object.fromEntries(TOTALS.map((name) => [name, 0])) as Record<Total, number>;
  let storageBytes = 0;
  let wakeUps = 0;
  for (const { first, second } of reads) {
    for (const object of first.objects) {
      const again = second.objects.find((o) => o.object === object.object && o.startedAt === object.startedAt);
      for (const name of TOTALS) {
        const read = again ? again.counters[name] - object.counters[name] : 0;
        sum[name] += Math.max(0, object.counters[name] - read);
      }
      storageBytes += object.counters.storageBytes;
      if (object.startedAt >= since) wakeUps++;
    }
  }
  return {
    ...scenario,
    wsMessagesIn: sum.wsMessagesIn,
    workerRequests: sum.connections,
    doRequests: sum.callsIn + sum.alarms + sum.wsMessagesIn / CLOUDFLARE.wsMessagesPerRequest,
    callsBetweenObjects: sum.callsOut,
    rowsRead: sum.rowsRead,
    rowsWritten: sum.rowsWritten,
    storageBytes,
    awakeMs: sum.awakeMs,
    wakeUps,
  };
}

/** Reads every room of a scenario twice (a few at a time) and totals them; undefined if the server has no meter. */
export async function meter(
  httpUrl: string,
  rooms: readonly string[],
  adminToken: string,
  since: number,
  scenario: { chats: number; memberHours: number },
): Promise<Usage | undefined> {
  const reads: { first: RoomCounters; second: RoomCounters }[] = [];
  for (let i = 0; i < rooms.length; i += 16) {
    const batch = await Promise.all(
      rooms.slice(i, i + 16).map(async (room) => {
        const first = await readCounters(httpUrl, room, adminToken);
        const second = first && (await readCounters(httpUrl, room, adminToken));
        return first && second && { first, second };
      }),
    );
    for (const read of batch) {
      if (!read) return undefined;
      reads.push(read);
    }
  }
  return usageOf(reads, since, scenario);
}

/** GB-s billed for `awakeMs` of objects awake (128 MB each). */
export const gbSeconds = (awakeMs: number): number => (awakeMs / 1000) * CLOUDFLARE.objectGb;

/**
 * What the usage costs at the marginal list prices (past the plan's monthly allowances), in dollars: the objects'
 * requests and duration, rows read and written, and the Worker's requests. Storage is a stock, billed by the month
 * it is kept: not in this sum (docs/cost.md adds it).
 */
export function dollars(usage: Usage): number {
  const c = CLOUDFLARE;
  return (
    (usage.doRequests / 1e6) * c.doRequestPerMillion +
    (gbSeconds(usage.awakeMs) / 1e6) * c.gbSecondPerMillion +
    (usage.rowsRead / 1e6) * c.rowsReadPerMillion +
    (usage.rowsWritten / 1e6) * c.rowsWrittenPerMillion +
    (usage.workerRequests / 1e6) * c.workerRequestPerMillion
  );
}

/** The cost table: per scenario and server, medians over runs, per 1,000 chats and per joined member-hour. */
export function costRows(results: { scenario: string; server: string; cost?: Usage }[], scenarios: string[]): Row[] {
  const rows: Row[] = [];
  for (const scenario of scenarios) {
    const servers = [...new Set(results.filter((r) => r.scenario === scenario).map((r) => r.server))];
    for (const server of servers) {
      const runs = results.flatMap((r) => (r.scenario === scenario && r.server === server && r.cost ? [r.cost] : []));
      if (runs.length === 0) continue;
      const perK = (f: (u: Usage) => number) => median(runs.map((u) => (f(u) / Math.max(1, u.chats)) * 1000));
      const perHour = (f: (u: Usage) => number) => median(runs.map((u) => f(u) / u.memberHours));
      rows.push({
        scenario,
        server,
        "ws in/1k": fmt(
          perK((u) => u.wsMessagesIn),
          0,
        ),
        "DO req/1k": fmt(
          perK((u) => u.doRequests),
          1,
        ),
        "worker req/1k": fmt(
          perK((u) => u.workerRequests),
          1,
        ),
        "calls/1k": fmt(
          perK((u) => u.callsBetweenObjects),
          1,
        ),
        "rows read/1k": fmt(
          perK((u) => u.rowsRead),
          0,
        ),
        "rows written/1k": fmt(
          perK((u) => u.rowsWritten),
          0,
        ),
        "GB-s/1k": fmt(
          perK((u) => gbSeconds(u.awakeMs)),
          2,
        ),
        "storage KB": fmt(median(runs.map((u) => u.storageBytes / 1024)), 0),
        "wake-ups": fmt(median(runs.map((u) => u.wakeUps)), 0),
        "$/1k chats": fmt(perK(dollars), 5),
        "$/member-h": fmt(perHour(dollars), 5),
      });
    }
  }
  return rows;
}
