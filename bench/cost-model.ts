// A day of three kinds of room, priced: `npx tsx bench/cost-model.ts` prints the tables of docs/cost.md. Our cost
// comes from what the room does per chat, join and member-hour (measured: the constants below, with where each was
// measured) at Cloudflare's list prices; Ably's and Pusher's from their published list prices for the same traffic.
// Every price is in lib/prices.ts.

import { ABLY, ablyMessagesCost, CLOUDFLARE, PRICES_READ, PUSHER, pusherPlan } from "./lib/prices.ts";
import { fmt } from "./lib/stats.ts";
import { markdownTable, type Row } from "./lib/table.ts";

/** What the room does, per unit; each figure as measured, and where. */
const ROOM = {
  /** test/worker/room/write-targets.test.ts: one row per chat, whatever the room's size. */
  rowsWrittenPerChat: 1,
  rowsReadPerChat: 1,
  /** Connection ids are reserved 64 at a time (storage/room-storage.ts): one row per 64 joins. */
  rowsWrittenPerJoin: 1 / 64,
  /** write-targets.test.ts: a page of 20 read 23 rows; the default page is 50. */
  rowsReadPerJoin: 53,
  /** Messages kept (HISTORY_RETAINED) and their size in storage, about, with their index. */
  storedMessages: 1000,
  bytesPerStoredMessage: 300,
  /** CPU, from the megaroom of 2026-12-01 (docs/scaling.md): per delivery, and per message at the hub. */
  cpuPerDeliveryMs: 0.0197,
  cpuPerMessageMs: 0.136,
  /** Connections per object (SHARD_CAPACITY). */
  shardCapacity: 5000,
  /** The shipped clients ping every 25 s; the runtime answers (docs/protocol.md). */
  pingEverySeconds: 25,
  /** The objects' awake estimate counts each event's gap to the one before, up to this (part B's `awakeMs`). */
  awakeTailSeconds: 10,
} as const;

/** A day of one room: its members, how long they are there, what they say. */
interface UseCase {
  name: string;
  /** Members connected at once while the room is active. */
  members: number;
  /** Hours a day the room is active (members connected); the rest of the day it is empty. */
  activeHours: number;
  joins: number;
  chats: number;
  /**
   * Counts instead of every join and leave, as the room's summary presence does past 1,000 members: Ably's occupancy
   * updates; Pusher, no presence messages at all.
   */
  occupancyOnly?: boolean;
}

export const USE_CASES: UseCase[] = [
  // 50 players connected all day, each staying 2 h (600 joins); one chat per player per 10 minutes.
  { name: "game lobby, 50 members", members: 50, activeHours: 24, joins: 600, chats: 50 * 6 * 24 },
  // A 4-hour stream watched by 1,000 at once, each viewer for an hour (4,000 joins); 5 chats a second.
  { name: "stream chat, 1,000 members", members: 1000, activeHours: 4, joins: 4000, chats: 5 * 3600 * 4 },
  // A 3-hour event of 100,000 at once, half of them joining twice (150,000 joins); 10 chats a second.
  {
    name: "event, 100,000 members",
    members: 100_000,
    activeHours: 3,
    joins: 150_000,
    chats: 10 * 3600 * 3,
    occupancyOnly: true,
  },
];

interface Priced {
  dollars: number;
  detail: string;
}

/** Our cost of a day: the Worker's requests, the objects' requests and duration, rows, storage. */
export function ours(use: UseCase, duration: "upper" | "lower"): Priced & { objects: number; gbSeconds: number } {
  const c = CLOUDFLARE;
  const shards = use.members > ROOM.shardCapacity ? Math.ceil(use.members / ROOM.shardCapacity) - 1 : 0;
  const objects = 1 + shards;
  const activeSeconds = use.activeHours * 3600;
  const pings = (use.members * activeSeconds) / ROOM.pingEverySeconds;
  // Incoming frames: a join packet per join, each chat, and (counted, though the runtime answers them) the pings.
  const wsIn = use.joins + use.chats + pings;
  // A join on a shard is two upgrade requests (the hub's routing answer, the shard's socket); each chat or join from
  // a shard's member is a call to the hub and one from the hub to each shard (unbatched: an upper bound).
  const onShards = shards === 0 ? 0 : shards / objects;
  const upgrades = use.joins * (1 + onShards);
  const calls = shards === 0 ? 0 : (use.chats + use.joins * 2) * (onShards + shards);
  const doRequests = upgrades + calls + wsIn / c.wsMessagesPerRequest;
  // Duration: upper, every object is billed every second the room is busy (an event at least every 10 s), else the
  // 10 s after each event; lower, only the CPU its events take.
  const events = use.chats + use.joins * 2;
  const busySeconds = Math.min(activeSeconds, events * ROOM.awakeTailSeconds);
  const cpuSeconds = (use.chats * (ROOM.cpuPerMessageMs + use.members * ROOM.cpuPerDeliveryMs)) / 1000;
  const awakeObjectSeconds = duration === "upper" ? busySeconds * objects : cpuSeconds;
  const gbSeconds = awakeObjectSeconds * c.objectGb;
  const rowsWritten = use.chats * ROOM.rowsWrittenPerChat + use.joins * ROOM.rowsWrittenPerJoin;
  const rowsRead = use.chats * ROOM.rowsReadPerChat + use.joins * ROOM.rowsReadPerJoin;
  const storedGbDay = (ROOM.storedMessages * ROOM.bytesPerStoredMessage) / 1e9 / 30;
  const parts = {
    worker: (use.joins / 1e6) * c.workerRequestPerMillion,
    requests: (doRequests / 1e6) * c.doRequestPerMillion,
    duration: (gbSeconds / 1e6) * c.gbSecondPerMillion,
    rows: (rowsWritten / 1e6) * c.rowsWrittenPerMillion + (rowsRead / 1e6) * c.rowsReadPerMillion,
    storage: storedGbDay * c.storedGbMonth,
  };
  const dollars = Object.values(parts).reduce((a, b) => a + b, 0);
  const detail =
    `${objects} object(s); ${fmt(doRequests, 0)} requests ($${fmt(parts.requests, 4)}), ` +
    `${fmt(gbSeconds, 0)} GB-s ($${fmt(parts.duration, 4)}), ${fmt(rowsWritten, 0)} rows written ($${fmt(parts.rows, 4)})`;
  return { dollars, detail, objects, gbSeconds };
}

/** Ably, per-minute pricing: messages (each published, and each delivered), connection and channel minutes. */
export function ably(use: UseCase): Priced {
  const subscribers = use.members;
  // A chat is published once and delivered to every member, its sender included.
  const chatMessages = use.chats * (1 + subscribers);
  // Presence: each enter and leave is published and delivered to every member; past 1,000 members, occupancy
  // updates instead (at most one per 15 s to each member).
  const presence = use.occupancyOnly
    ? ((use.activeHours * 3600) / 15) * subscribers
    : use.joins * 2 * (1 + subscribers);
  const messagesPerDay = chatMessages + presence;
  // Message prices fall with the month's volume: a day is a thirtieth of a month of such days.
  const messages = ablyMessagesCost(messagesPerDay * 30) / 30;
  const minutes = use.activeHours * 60;
  const connections = ((use.members * minutes) / 1e6) * ABLY.connectionMinutePerMillion;
  const channels = (minutes / 1e6) * ABLY.channelMinutePerMillion;
  const pkg =
    use.members <= ABLY.standardConnections
      ? ABLY.standardPerMonth
      : use.members <= ABLY.proConnections
        ? ABLY.proPerMonth
        : undefined;
  const dollars = messages + connections + channels + (pkg ?? 0) / 30;
  const detail =
    `${fmt(messagesPerDay / 1e6, 2)} M messages ($${fmt(messages, 2)}), ${fmt((use.members * minutes) / 1e6, 2)} M ` +
    `connection minutes; ${pkg === undefined ? "past the Pro package's connections: Enterprise, no list price" : `package $${pkg}/month`}`;
  return { dollars, detail };
}

/** Pusher Channels: the plan a day's messages (each delivery counted) and the peak of connections need. */
export function pusher(use: UseCase): Priced | { dollars: undefined; detail: string } {
  // A client event is counted once sent and once per other member it reaches; presence, per other member too (left
  // out where the room would show counts instead: `occupancyOnly`).
  const presence = use.occupancyOnly ? 0 : use.joins * 2 * (use.members - 1);
  const messagesPerDay = use.chats * use.members + presence;
  const plan = pusherPlan(messagesPerDay, use.members);
  const volume = `${fmt(messagesPerDay / 1e6, 2)} M messages a day, ${use.members} connections`;
  if (!plan) return { dollars: undefined, detail: `${volume}: past the largest plan, Enterprise, no list price` };
  return { dollars: plan.perMonth / 30, detail: `${volume}: ${plan.name}, $${plan.perMonth}/month` };
}

function rows(): { cost: Row[]; detail: Row[] } {
  const cost: Row[] = [];
  const detail: Row[] = [];
  for (const use of USE_CASES) {
    const upper = ours(use, "upper");
    const lower = ours(use, "lower");
    const a = ably(use);
    const p = pusher(use);
    cost.push({
      "a day of": use.name,
      "ours (busy = billed)": `$${fmt(upper.dollars, 3)}`,
      "ours (CPU only)": `$${fmt(lower.dollars, 3)}`,
      "Ably (list)": `$${fmt(a.dollars, 2)}`,
      "Pusher (list)": p.dollars === undefined ? "n/a" : `$${fmt(p.dollars, 2)}`,
    });
    detail.push({ "a day of": use.name, ours: upper.detail, Ably: a.detail, Pusher: p.detail });
  }
  return { cost, detail };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { cost, detail } = rows();
  console.log(
    `Prices read ${PRICES_READ} (bench/lib/prices.ts); Cloudflare's plan is $${CLOUDFLARE.planPerMonth}/month.\n`,
  );
  console.log(markdownTable(cost));
  console.log();
  console.log(markdownTable(detail));
  console.log(`\nPusher plans: ${PUSHER.plans.map(([name, price]) => `${name} $${price}`).join(", ")}`);
}
