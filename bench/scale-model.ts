// The model of a room of many objects on Cloudflare, from the per-object costs the megaroom measures
// (`npx tsx bench/scale-model.ts [bench/results/megaroom-….json]`; without a file, the figures of bench/README.md;
// SHARD_CAPACITY and CHATS_PER_SECOND set as variables). Locally every object shares one thread; on Cloudflare each
// has its own, so a room is as fast as its busiest object. Prints, for rooms of 1,000 to 1,000,000 members: objects,
// the message rate each kind of object allows and billed requests per message; then, for each room at
// CHATS_PER_SECOND (10 by default), each object's CPU and memory, calls per message and presence frames per member
// per second, against Cloudflare's documented limits, with the margin left. docs/scaling.md explains the terms.

import { readFileSync } from "node:fs";
import { PRESENCE_WINDOW_MS } from "../src/server/room/outbox";
import { IDLE_MS } from "../src/server/shards/hub-side";
import { DEFAULT_LIMITS, PRESENCE_SUMMARY_MS } from "../src/shared/protocol";
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

/**
 * Cloudflare's documented limits (read 2026-12-06): developers.cloudflare.com/workers/platform/limits (memory 128 MB,
 * subrequests 10,000 per request on Workers Paid) and developers.cloudflare.com/durable-objects/platform/limits
 * (one object is single-threaded; a soft limit of about 1,000 requests a second per object; 32,768 hibernatable
 * WebSockets per object, as docs/scaling.md has it). The round trip between objects is an assumption.
 */
const OBJECT_US_PER_SECOND = 1_000_000;
const OBJECT_MEMORY_BYTES = 128 * 2 ** 20;
const REQUESTS_PER_SECOND_PER_OBJECT = 1000;
const SUBREQUESTS_PER_REQUEST = 10_000;
const SOCKETS_PER_OBJECT = 32_768;
const CALL_ROUND_TRIP_MS = 20;
/**
 * Memory: what the hub keeps per member it used in the last IDLE_MS (a speaker, a joiner), and nothing per member
 * otherwise (bench/roster-memory.ts, 2026-12-06: 401 bytes per recent member; 0.1 MB for 100,000 idle ones). What
 * a shard keeps per socket: its session in memory, as the hub's roster weighed it per member before it moved to
 * storage (970 bytes, the same objects). And what a room costs before any member: a few MB of code and caches.
 */
const HUB_BYTES_PER_RECENT_MEMBER = 401;
const SHARD_BYTES_PER_SOCKET = 970;
const BASE_BYTES = 8 * 2 ** 20;
const CAPACITY = Number(process.env.SHARD_CAPACITY ?? 5000);
const CHATS_PER_SECOND = Number(process.env.CHATS_PER_SECOND ?? 10);
/** Members who come or go per minute, as a share of the room (a stream's audience: 1% a minute). */
const CHURN_PER_MINUTE = 0.01;

console.log(
  `costs (µs): per delivery ${fmt(costs.deliveryUs)}, per hub→shard call ${fmt(costs.callUs)}, per message at the hub ${fmt(costs.hubMessageUs)}; SHARD_CAPACITY ${CAPACITY}\n`,
);

interface Room {
  members: number;
  /** Members on the hub's own sockets, and shards. */
  here: number;
  shards: number;
}

const roomOf = (members: number): Room => {
  const here = Math.min(members, CAPACITY);
  return { members, here, shards: Math.ceil(members / CAPACITY) - 1 };
};

/** What the hub spends per message, µs: its own work and its own members' frames. */
const hubPerMessageUs = ({ here }: Room) => costs.hubMessageUs + here * costs.deliveryUs;

console.log(
  "members | objects | max msg/s (shard) | max msg/s (hub) | deliveries/s at max | billed requests per message (quiet / at max)",
);
console.log("---|---|---|---|---|---");
for (const members of [1_000, 10_000, 100_000, 1_000_000]) {
  const room = roomOf(members);
  const { shards } = room;
  // A shard sends every message to its members and takes one call per batch.
  const shardRate = OBJECT_US_PER_SECOND / (CAPACITY * costs.deliveryUs + costs.callUs);
  // The hub: its own members' frames and its work per message, plus one call per shard per batch. A batch is what
  // gathers during a call's round trip: at R msg/s each shard gets min(R, 1000 / round trip) calls a second.
  const callsPerSecondPerShard = 1000 / CALL_ROUND_TRIP_MS;
  const perMessageUs = hubPerMessageUs(room);
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
  console.log(
    [
      fmt(members, 0),
      `${shards + 1}`,
      shards === 0 ? "–" : fmt(shardRate),
      fmt(hubRate),
      fmt(rate * members, 0),
      `${fmt(quiet, 2)} / ${fmt(busy, 2)}`,
    ].join(" | "),
  );
}

/** A share of a limit used, and the margin left: "43% (57% left)", or "over: 2.4×". */
const against = (used: number, limit: number): string =>
  used <= limit
    ? `${fmt((used / limit) * 100, 0)}% (${fmt((1 - used / limit) * 100, 0)}% left)`
    : `over: ${fmt(used / limit, 2)}×`;

/**
 * A relay level, which the room does not have yet (docs/scaling.md, "Where the next limit is"): the hub calls
 * √shards relays, shards that pass each delivery on to their share of the others besides sending it to their own
 * members. The hub's calls per batch fall from S to √S, each relay's are √S.
 */
const RELAYS = process.env.RELAYS === "1";

console.log(
  `\nat ${CHATS_PER_SECOND} chats a second, ${CHURN_PER_MINUTE * 100}% of the members coming or going a minute${RELAYS ? ", with a relay level (not built)" : ""}`,
);
console.log(
  "members | presence | presence frames per member per s | calls per message | hub CPU | hub memory | hub requests/s | shard CPU | shard memory",
);
console.log("---|---|---|---|---|---|---|---|---");
for (const members of [1_000, 10_000, 100_000, 1_000_000]) {
  const room = roomOf(members);
  const { here, shards } = room;
  const chats = CHATS_PER_SECOND;
  const changesPerSecond = (members * CHURN_PER_MINUTE) / 60;
  // Presence: in list mode a batch of joins or leaves per PRESENCE_WINDOW_MS while members come and go; in summary
  // mode (past presenceListMax), at most one presence packet per PRESENCE_SUMMARY_MS.
  const summary = members > DEFAULT_LIMITS.presenceListMax;
  const presencePerMember = summary
    ? Math.min(1000 / PRESENCE_SUMMARY_MS, changesPerSecond)
    : Math.min(1000 / PRESENCE_WINDOW_MS, changesPerSecond);
  const framesPerMember = chats + presencePerMember;
  // Calls: one from the sender's shard (at most), and one per shard with members per batch; at this rate a batch
  // holds a message if calls come back faster than messages.
  const deliveriesPerShard = Math.min(chats + presencePerMember, 1000 / CALL_ROUND_TRIP_MS);
  const callsPerMessage = shards === 0 ? 0 : 1 + (shards * deliveriesPerShard) / (chats + presencePerMember);
  const hubCalls = RELAYS ? Math.ceil(Math.sqrt(shards)) : shards;
  const relayCalls = RELAYS ? Math.ceil(shards / Math.max(1, hubCalls)) : 0;
  const hubUs =
    chats * costs.hubMessageUs +
    here * framesPerMember * costs.deliveryUs +
    hubCalls * deliveriesPerShard * costs.callUs;
  // The hub keeps in memory the members it used in the last IDLE_MS: who spoke, who came.
  const recent = Math.min(members, (chats + changesPerSecond) * (IDLE_MS / 1000));
  const hubBytes = BASE_BYTES + here * SHARD_BYTES_PER_SOCKET + recent * HUB_BYTES_PER_RECENT_MEMBER;
  // Requests to the hub: a call per batch from each shard a speaker is on, each of its members' frames, each
  // arrival (placement, once per upgrade).
  const hubRequests =
    Math.min(chats, shards * (1000 / CALL_ROUND_TRIP_MS)) + (chats * here) / members + changesPerSecond;
  const shardUs = CAPACITY * framesPerMember * costs.deliveryUs + (1 + relayCalls) * deliveriesPerShard * costs.callUs;
  const shardBytes = BASE_BYTES + CAPACITY * SHARD_BYTES_PER_SOCKET;
  console.log(
    [
      fmt(members, 0),
      summary ? "summary" : "list",
      fmt(presencePerMember, 2),
      shards === 0
        ? "–"
        : `${fmt(callsPerMessage, 0)} (subrequests per batch: ${against(hubCalls, SUBREQUESTS_PER_REQUEST)})`,
      against(hubUs, OBJECT_US_PER_SECOND),
      `${fmt(hubBytes / 2 ** 20)} MB: ${against(hubBytes, OBJECT_MEMORY_BYTES)}`,
      `${fmt(hubRequests)}: ${against(hubRequests, REQUESTS_PER_SECOND_PER_OBJECT)}`,
      shards === 0 ? "–" : against(shardUs, OBJECT_US_PER_SECOND),
      shards === 0
        ? "–"
        : `${fmt(shardBytes / 2 ** 20)} MB: ${against(shardBytes, OBJECT_MEMORY_BYTES)}; sockets ${against(CAPACITY, SOCKETS_PER_OBJECT)}`,
    ].join(" | "),
  );
}
