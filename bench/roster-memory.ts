// What the hub's roster weighs per member on a shard: `node --expose-gc --import tsx bench/roster-memory.ts [members]`.
// Builds the hub's side of a sharded room in Node (V8, as in workerd): a ShardSet placing every connection on shards,
// and Sessions holding each member's session and its RemoteConnection, joined with a name and an address as a
// game's players would. Reports the heap it takes per member, after garbage collection. docs/scaling.md uses it.

import type { Env } from "../src/server/config/env";
import { Sessions } from "../src/server/connections/sessions";
import { RoomCounters } from "../src/server/observability/room-counters";
import type { HubRoster } from "../src/server/shards/hub-roster";
import { type RemoteConnection, ShardSet } from "../src/server/shards/hub-side";
import type { RoomStorage } from "../src/server/storage/room-storage";
import { fmt } from "./lib/stats.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc --import tsx");
const members = Number(process.argv[2] ?? 100_000);

// Shards that take every delivery at once; the storage only counts shards.
const env = { SHARDS: { getByName: () => ({ deliver: async () => {} }) } } as unknown as Env;
let shards = 0;
const storage = {
  get shardCount() {
    return shards;
  },
  countShards: (count: number) => (shards = count),
} as unknown as RoomStorage;

const heap = async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  return process.memoryUsage().heapUsed;
};

// Nothing is announced here, so the hub's own members (hub-roster.ts) are never kept.
const set = new ShardSet(env, "megaroom", 5000, Date.now(), {} as HubRoster, new RoomCounters("megaroom", "hub", 0));
const sessions = new Sessions<RemoteConnection>([]);
const before = await heap();
for (let i = 1; i <= members; i++) {
  const connection = set.place(storage);
  sessions.open(connection, Date.now(), { address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
  set.routing(connection);
  sessions.join(connection, { id: i, name: `player${i}`, dialect: "native" });
  if (i % 1000 === 0) await new Promise((resolve) => setTimeout(resolve, 0)); // let the deliveries go
}
const after = await heap();
// Both are still in use here, so the collector kept them.
if (sessions.size !== members || set.info().length !== shards) throw new Error("the roster is not whole");
console.log(
  `${fmt(members, 0)} members on ${shards} shards: ${fmt((after - before) / 2 ** 20)} MB of heap, ${fmt((after - before) / members, 0)} bytes per member`,
);
