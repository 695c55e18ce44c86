// The model of a room of many objects on Cloudflare, from the per-object costs the megaroom measures
// (`npx tsx bench/scale-model.ts [bench/results/megaroom-….json]`; without a file, the figures of bench/README.md).
// Locally every object shares one thread; on Cloudflare each has its own, so a room is as fast as its busiest
// object. Prints, for rooms of 1,000 to 1,000,000 members: objects, the message rate each kind of object allows,
// billed requests per message and the hub's roster memory. docs/scaling.md explains the terms.

import { readFileSync } from "node:fs";
import { fmt, median } from "./lib/stats.ts";
import type { MegaroomRow } from "./megaroom.ts";

interface Costs {
  /** Whole-runtime CPU per frame sent to a member, µs (megaroom, window 64, every object count). */
  deliveryUs: number;
  /**
   * Whole-runtime CPU per call from the hub to a shard, both ends, µs: at most what 7 calls per message (window 1, 8
   * objects) could hide within the spread of the window-1 runs, whose frames per message are the same.
   */
  callUs: number;
  /** The hub's CPU per message besides frames and calls, µs: its profiled time per message with 8 objects, 60 frames included. */
  hubMessageUs: number;
}

/** The figures of bench/README.md ("the megaroom", 2026-12-01), used without a results file. */
const README_COSTS: Costs = { deliveryUs: 20.7, callUs: 490, hubMessageUs: 136 };

function costsOf(rows: MegaroomRow[]): Costs {
  const perK = (window: number, objects: number) =>
    median(
      rows
        .filter((row) => row.window === window && row.objects === objects)
        .map((row) => row.result.cpuPerKDelivery.runtime),
    );
  const objectCounts = [...new Set(rows.map((row) => row.objects))];
  const deliveryUs = median(rows.filter((row) => row.window === 64).map((row) => row.result.cpuPerKDelivery.runtime));
  const unbatched = objectCounts.map((objects) => perK(1, objects));
  const members = rows[0]!.result.members;
  const spreadPerMessageUs = (((Math.max(...unbatched) - Math.min(...unbatched)) * members) / 1000) * 1000;
  const callUs = Math.max(spreadPerMessageUs, (perK(1, 8) - perK(1, 1)) * members) / 7;
  const hubMessageUs = median(
    rows
      .filter((row) => row.window === 64 && row.objects === 8)
      .map((row) => ((row.cpuMs.hub ?? 0) * 1000) / row.result.sent),
  );
  return { deliveryUs, callUs, hubMessageUs };
}

const file = process.argv[2];
const costs = file
  ? costsOf(
      (JSON.parse(readFileSync(file, "utf8")) as { megaroom?: MegaroomRow[] }).megaroom ??
        JSON.parse(readFileSync(file, "utf8")),
    )
  : README_COSTS;

/** Cloudflare's figures: CPU of one object (one thread), a call's round trip between objects, the roster's weight. */
const OBJECT_US_PER_SECOND = 1_000_000;
const CALL_ROUND_TRIP_MS = 20;
/**
 * The hub's memory per member of a shard: its session, its RemoteConnection and its index entries, as
 * bench/roster-memory.ts measures it (bench/README.md, the megaroom).
 */
const ROSTER_BYTES = 970;
const OBJECT_MEMORY_BYTES = 128 * 2 ** 20;
const CAPACITY = Number(process.env.SHARD_CAPACITY ?? 5000);

console.log(
  `costs (µs): per delivery ${fmt(costs.deliveryUs)}, per hub→shard call ${fmt(costs.callUs)}, per message at the hub ${fmt(costs.hubMessageUs)}; SHARD_CAPACITY ${CAPACITY}\n`,
);
console.log(
  "members | objects | max msg/s (shard) | max msg/s (hub) | deliveries/s at max | billed requests per message (quiet / at max) | hub roster MB",
);
console.log("---|---|---|---|---|---|---");
for (const members of [1_000, 10_000, 100_000, 1_000_000]) {
  const here = Math.min(members, CAPACITY);
  const shards = Math.ceil(members / CAPACITY) - 1;
  // A shard sends every message to its members and takes one call per batch.
  const shardRate = OBJECT_US_PER_SECOND / (CAPACITY * costs.deliveryUs + costs.callUs);
  // The hub: its own members' frames and its work per message, plus one call per shard per batch. A batch is what
  // gathers during a call's round trip: at R msg/s each shard gets min(R, 1000 / round trip) calls a second.
  const callsPerSecondPerShard = 1000 / CALL_ROUND_TRIP_MS;
  const perMessageUs = costs.hubMessageUs + here * costs.deliveryUs;
  const unbatched = OBJECT_US_PER_SECOND / (perMessageUs + shards * costs.callUs);
  const hubRate =
    unbatched <= callsPerSecondPerShard
      ? unbatched
      : Math.max(
          callsPerSecondPerShard,
          (OBJECT_US_PER_SECOND - shards * callsPerSecondPerShard * costs.callUs) / perMessageUs,
        );
  const rate = shards === 0 ? hubRate : Math.min(hubRate, shardRate);
  const perBatch = Math.max(1, rate / callsPerSecondPerShard);
  // A client's frame is billed 1/20 of a request; each call between objects is a request.
  const quiet = 1 / 20 + (shards > 0 ? 1 + shards : 0);
  const busy = 1 / 20 + (shards > 0 ? (1 + shards) / perBatch : 0);
  const roster = (members - here) * ROSTER_BYTES;
  console.log(
    [
      fmt(members, 0),
      `${shards + 1}`,
      shards === 0 ? "–" : fmt(shardRate),
      fmt(hubRate),
      fmt(rate * members, 0),
      `${fmt(quiet, 2)} / ${fmt(busy, 2)}`,
      `${fmt(roster / 2 ** 20)}${roster > OBJECT_MEMORY_BYTES ? " (over 128 MB)" : ""}`,
    ].join(" | "),
  );
}
