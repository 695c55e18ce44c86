// The megaroom: one room of 480 members and one sender, served by 1, 2, 4 and 8 objects (SHARD_CAPACITY 480, 240,
// 120, 60: the hub holds the first connections, each shard the next ones). Twice per server: 400 messages as fast as
// a window of 64 allows (under load, the hub sends each shard one call per burst), then 100 messages one at a time
// (window 1: every message is a call to every shard, what a quiet room pays).
// `npm run bench` runs it with the other scenarios; `npm run bench -- --scenario megaroom [--runs N]` alone.
//
// Locally every object runs in one workerd process and on one thread, so sharding cannot be faster here; what this
// measures is what each object does per message, which is what decides the largest room on Cloudflare, where each
// object has a thread of its own (docs/scaling.md). Per object: CPU, from a V8 profile of the isolate, each sample
// given to the hub or a shard by the code on its stack (lib/profiler.ts); frames sent, from the members each object
// holds (every member receives every message: the run checks it) and the calls the hub makes to its shards (from
// the room's info). Clients join one at a time, so that the first SHARD_CAPACITY of them are the hub's.

import { type DevServer, startDevServer } from "../tools/dev-server.ts";
import { LOAD_VARS } from "./lib/load.ts";
import { wranglerWorkerds } from "./lib/proc.ts";
import { attribute, bundleModules, type Profile, startProfiler } from "./lib/profiler.ts";
import { snapshotProject } from "./lib/snapshot.ts";
import { fmt, median } from "./lib/stats.ts";
import { markdownTable, type Row } from "./lib/table.ts";
import { runScenario, type Scenario, type ScenarioResult } from "./scenarios.ts";

export const MEGAROOM_MEMBERS = 480;
export const MEGAROOM_OBJECTS = [1, 2, 4, 8];
export const MEGAROOM_WINDOWS = [64, 1];

/** Which object's code a module is: the rest (fan-out, codec, courier…) is counted for whoever called it. */
const OWNERS: Record<string, string> = {
  "src/server/room/room.ts": "hub",
  "src/server/room/outbox.ts": "hub",
  "src/server/room/room-parts.ts": "hub",
  "src/server/room/departures.ts": "hub",
  "src/server/room/pages.ts": "hub",
  "src/server/room/hub.ts": "hub",
  "src/server/room/upkeep.ts": "hub",
  "src/server/shards/hub-side.ts": "hub",
  "src/server/connections/sessions.ts": "hub",
  "src/server/storage/room-storage.ts": "hub",
  "src/server/shards/shard.ts": "shards",
  "src/server/shards/shard-sockets.ts": "shards",
  "src/server/shards/in-order.ts": "shards",
  "src/server/front-door/worker.ts": "worker",
};

export interface MegaroomRow {
  /** Messages in flight at most: 64 (batched) or 1 (one call per message per shard). */
  window: number;
  objects: number;
  shards: number;
  capacity: number;
  run: number;
  result: ScenarioResult;
  /** Profiled self time in the send phase, ms. */
  cpuMs: Record<string, number>;
  /** Calls from the hub to its shards in the send phase. */
  hubCalls: number;
}

export async function runMegaroom(runs: number, scale: number): Promise<MegaroomRow[]> {
  const scenario = (window: number, messages: number): Scenario => ({
    name: "megaroom",
    description: `${MEGAROOM_MEMBERS} members, 1 sender, ${messages} messages, window ${window}, on 1-8 objects`,
    rooms: 1,
    membersPerRoom: MEGAROOM_MEMBERS,
    sendersPerRoom: 1,
    joinConcurrency: 1,
    send: { kind: "window", messagesPerSender: Math.max(10, Math.round(messages * scale)), window },
  });
  const snapshot = snapshotProject();
  // The bundle is read once a server has built it.
  const moduleAt = () => bundleModules(snapshot.dir);
  const rows: MegaroomRow[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      // Alternating order, as the main benchmark does: 1 2 4 8, then 8 4 2 1.
      const order = run % 2 === 1 ? MEGAROOM_OBJECTS : [...MEGAROOM_OBJECTS].reverse();
      for (const objects of order) {
        const capacity = MEGAROOM_MEMBERS / objects;
        const server = await startDevServer({
          config: snapshot.withoutAssets,
          vars: { ...LOAD_VARS, SHARD_CAPACITY: capacity },
        });
        try {
          for (const window of MEGAROOM_WINDOWS) {
            const row = await measure(server, scenario(window, window === 1 ? 100 : 400), moduleAt());
            rows.push({ ...row, window, objects, shards: objects - 1, capacity, run });
            console.log(
              `  run ${run}, ${objects} object(s), window ${window}: ${fmt(row.result.deliveriesPerSec, 0)} deliveries/s, ` +
                `hub ${fmt(row.cpuMs.hub ?? 0)} ms, shards ${fmt(row.cpuMs.shards ?? 0)} ms, hub calls ${row.hubCalls}, ` +
                `lost ${row.result.lost}, duplicates ${row.result.duplicates}, reordered ${row.result.reordered}`,
            );
          }
        } finally {
          await server.dispose();
        }
      }
    }
  } finally {
    snapshot.dispose();
  }
  return rows;
}

/** One scenario on one server: its result, the CPU per owner and the hub's calls to its shards, in the send phase. */
async function measure(server: DevServer, scenario: Scenario, moduleAt: (line: number) => string | undefined) {
  const { runtime, proxy } = wranglerWorkerds(server.process.pid!);
  const hubCallsSoFar = async (room: string) => {
    const info = (await (await fetch(`${server.httpUrl}/api/rooms/${room}`)).json()) as {
      shards?: { deliveries: number }[];
    };
    return (info.shards ?? []).reduce((sum, shard) => sum + shard.deliveries, 0);
  };
  let profiler: { stop(): Promise<Profile> } | undefined;
  let profile: Profile | undefined;
  let callsBefore = 0;
  let hubCalls = 0;
  const result = await runScenario(
    scenario,
    {
      label: "ours",
      wsUrl: server.wsUrl,
      runtimePid: runtime,
      proxyPid: proxy,
      sendPhase: async (moment, [room]) => {
        if (moment === "start") {
          callsBefore = await hubCallsSoFar(room!);
          profiler = await startProfiler(server);
        } else {
          profile = await profiler!.stop();
          hubCalls = (await hubCallsSoFar(room!)) - callsBefore;
        }
      },
    },
    1,
  );
  return { result, cpuMs: attribute(profile!, moduleAt, OWNERS), hubCalls };
}

/** The tables of medians per object count, one per window. */
export function megaroomTable(rows: MegaroomRow[]): string {
  return MEGAROOM_WINDOWS.map(
    (window) => `window ${window}:\n\n${windowTable(rows.filter((row) => row.window === window))}`,
  ).join("\n\n");
}

function windowTable(rows: MegaroomRow[]): string {
  const lines: Row[] = [];
  for (const objects of MEGAROOM_OBJECTS) {
    const mine = rows.filter((row) => row.objects === objects);
    if (mine.length === 0) continue;
    const { capacity, shards } = mine[0]!;
    const m = (f: (row: MegaroomRow) => number) => median(mine.map(f));
    const messages = (row: MegaroomRow) => row.result.sent;
    const hubUs = m((row) => ((row.cpuMs.hub ?? 0) * 1000) / messages(row));
    const calls = m((row) => row.hubCalls / messages(row));
    // Shards deliver to every member past the hub's.
    const shardUsPerK =
      shards === 0
        ? NaN
        : m((row) => (((row.cpuMs.shards ?? 0) * 1000) / ((MEGAROOM_MEMBERS - capacity) * messages(row))) * 1000);
    lines.push({
      objects: `${objects} (${shards} shard${shards === 1 ? "" : "s"})`,
      "deliveries/s": fmt(
        m((row) => row.result.deliveriesPerSec),
        0,
      ),
      "runtime CPU ms per 1k deliveries": fmt(m((row) => row.result.cpuPerKDelivery.runtime)),
      "hub CPU µs per message": fmt(hubUs),
      "hub frames + calls per message": `${capacity} + ${fmt(calls, 2)}`,
      "shard CPU µs per 1k deliveries": shards === 0 ? "–" : fmt(shardUsPerK),
      "frames per shard per message": shards === 0 ? "–" : String(capacity),
      "lost/dup/reordered": mine
        .map((row) => `${row.result.lost}/${row.result.duplicates}/${row.result.reordered}`)
        .join(", "),
    });
  }
  return markdownTable(lines);
}
