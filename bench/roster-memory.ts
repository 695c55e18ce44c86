// What the hub's memory holds per member on a shard: `node --expose-gc --import tsx bench/roster-memory.ts [members…]`
// (default 10,000 and 100,000). Builds the hub's side of a sharded room in Node (V8, as in workerd): a ShardSet
// placing every connection on shards, and the room's Sessions, whose members on shards are kept in storage
// (shards/shard-members.ts). Each member joins with a name and an address of its own, as a game's players would.
// The table's rows live in SQLite, outside the JavaScript heap: here a stand-in keeps none of them, and counts.
// Reports the heap per member after garbage collection twice: just after everyone joined (the hub still holds the
// members it used in the last IDLE_MS), and once they have been idle for longer (what a room of listeners costs).
// A room of 1,000 goes first, unreported, so that what the first room costs is not charged to the members.
// docs/scaling.md uses it.

import type { Env } from "../src/server/config/env";
import type { JoinedSession } from "../src/server/connections/session";
import { Sessions } from "../src/server/connections/sessions";
import { RoomCounters } from "../src/server/observability/room-counters";
import { FarMembersOnShards } from "../src/server/shards/far-members";
import type { HubRoster } from "../src/server/shards/hub-roster";
import { IDLE_MS, ShardSet } from "../src/server/shards/hub-side";
import type { Connection } from "../src/server/shards/remote-connection";
import type { ShardMembers } from "../src/server/shards/shard-members";
import type { RoomStorage } from "../src/server/storage/room-storage";
import { fmt } from "./lib/stats.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc --import tsx");
const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [10_000, 100_000];

// Node 20 has no WebSocket: the hub reads its ready states only.
(globalThis as { WebSocket?: unknown }).WebSocket ??= { OPEN: 1, CLOSED: 3 };

// Shards that take every delivery at once; the storage only counts shards.
const env = { SHARDS: { getByName: () => ({ deliver: async () => {} }) } } as unknown as Env;

/** The table's stand-in: its rows are SQLite's, not the heap's, so it keeps a count. */
function storedRows(): ShardMembers {
  let rows = 0;
  return {
    get count() {
      return rows;
    },
    keep: (_shard: number, _conn: string, _session: JoinedSession, joining: boolean) => {
      if (joining) rows++;
    },
    setState: () => {},
    named: () => [],
    from: () => 0,
    has: () => true,
  } as unknown as ShardMembers;
}

const heap = async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  return process.memoryUsage().heapUsed;
};

/** A clock the bench moves forward, as the time members spend listening. */
let skew = 0;
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + skew;

async function measure(members: number, report = true): Promise<void> {
  let shards = 0;
  const storage = {
    get shardCount() {
      return shards;
    },
    countShards: (count: number) => (shards = count),
  } as unknown as RoomStorage;
  const table = storedRows();
  const counts = new RoomCounters("megaroom", "hub", 0);
  const set = new ShardSet(env, "megaroom", 5000, Date.now(), {} as HubRoster, table, () => {}, counts);
  const sessions = new Sessions<Connection>([], false, new FarMembersOnShards(set, table));
  const join = (i: number) => {
    const connection = set.place(storage);
    sessions.open(connection, Date.now(), { address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
    set.routing(connection);
    sessions.join(connection, { id: i, name: `player${i}`, dialect: "native" });
  };
  const before = await heap();
  for (let i = 1; i <= members; i++) {
    join(i);
    if (i % 1000 === 0) await new Promise((resolve) => setTimeout(resolve, 0)); // let the deliveries go
  }
  const joined = await heap();
  // Everyone listens for a while; one more arrives, and the hub lets go of the members it has not used since.
  skew += IDLE_MS + 1000;
  join(members + 1);
  const idle = await heap();
  if (sessions.memberCount !== members + 1 || set.info().length !== shards) throw new Error("the roster is not whole");
  if (!report) return;
  const perMember = (bytes: number) =>
    `${fmt(bytes / 2 ** 20)} MB of heap, ${fmt(bytes / members, 0)} bytes per member`;
  console.log(`${fmt(members, 0)} members on ${shards} shards`);
  console.log(`  just joined (all used within ${IDLE_MS / 1000} s): ${perMember(joined - before)}`);
  console.log(`  idle since:                        ${perMember(idle - before)}`);
}

// A small room first, unreported: what the first one costs (code compiled, caches filled) is no member's.
await measure(1000, false);
for (const members of sizes) await measure(members);
