// The one price table the cost meter (cost-meter.ts) and docs/cost.md use: Cloudflare's published list prices for
// what a room is billed, beyond what the Workers Paid plan includes each month, and the competitors' list prices the
// docs compare with. Change a price here and nowhere else; each carries the page it was read from.

/** When the pages below were read. */
export const PRICES_READ = "2026-12-06";

/** Cloudflare, Workers Paid plan: the marginal price of each unit past the monthly allowance. */
export const CLOUDFLARE = {
  sources: [
    "https://developers.cloudflare.com/durable-objects/platform/pricing/",
    "https://developers.cloudflare.com/workers/platform/pricing/",
  ],
  /** The plan's base price a month, whatever the usage. */
  planPerMonth: 5,
  /** Durable Object requests: HTTP requests, RPC calls, alarms, and incoming WebSocket messages at 20 to one. */
  doRequestPerMillion: 0.15,
  doRequestsIncluded: 1_000_000,
  /** Incoming WebSocket messages billed as one request. Outgoing messages are free. */
  wsMessagesPerRequest: 20,
  /** Durable Object duration, in GB-s of 128 MB per object, however little memory it uses. */
  gbSecondPerMillion: 12.5,
  gbSecondsIncluded: 400_000,
  objectGb: 0.128,
  /** SQLite-backed storage: rows read, rows written, data stored. */
  rowsReadPerMillion: 0.001,
  rowsReadIncluded: 25_000_000_000,
  rowsWrittenPerMillion: 1.0,
  rowsWrittenIncluded: 50_000_000,
  storedGbMonth: 0.2,
  storedGbIncluded: 5,
  /** Requests to the Worker (each WebSocket upgrade is one; frames on an open socket are the object's). */
  workerRequestPerMillion: 0.3,
  workerRequestsIncluded: 10_000_000,
} as const;

/**
 * Ably, per-minute ("resource-based") pricing: per million messages (each one published, and each one delivered to
 * each subscriber), connection minutes and channel minutes, first tier of each (the price falls with volume).
 */
export const ABLY = {
  sources: ["https://ably.com/docs/platform/pricing", "https://ably.com/docs/platform/pricing/examples/livestream"],
  standardPerMonth: 29,
  proPerMonth: 399,
  /** Tiers: [messages up to, price per million]. */
  messageTiers: [
    [50e6, 2.5],
    [500e6, 2.25],
    [5e9, 1.95],
    [20e9, 1.65],
    [50e9, 1.4],
    [Infinity, 1.25],
  ] as const,
  connectionMinutePerMillion: 1.0,
  channelMinutePerMillion: 1.0,
  /** Concurrent connections a package allows. */
  standardConnections: 10_000,
  proConnections: 50_000,
} as const;

/**
 * Pusher Channels: a plan per month by messages a day (each one published plus each delivered) and concurrent
 * connections; past the largest, a contract.
 */
export const PUSHER = {
  sources: ["https://pusher.com/channels/pricing", "https://pusher.com/legal/quotas"],
  /** Plans: [name, $ per month, messages a day, concurrent connections]. */
  plans: [
    ["Sandbox", 0, 200_000, 100],
    ["Startup", 49, 1_000_000, 500],
    ["Pro", 99, 4_000_000, 2_000],
    ["Business", 299, 10_000_000, 5_000],
    ["Premium", 499, 20_000_000, 10_000],
    ["Growth", 699, 40_000_000, 15_000],
    ["Plus", 899, 60_000_000, 20_000],
    ["Growth Plus", 1199, 90_000_000, 30_000],
  ] as const,
} as const;

/** Ably's price of `messages` in a month, tier by tier. */
export function ablyMessagesCost(messages: number): number {
  let cost = 0;
  let below = 0;
  for (const [upTo, perMillion] of ABLY.messageTiers) {
    const inTier = Math.max(0, Math.min(messages, upTo) - below);
    cost += (inTier / 1e6) * perMillion;
    below = upTo;
    if (messages <= upTo) break;
  }
  return cost;
}

/** The cheapest Pusher plan for a day's messages and a peak of connections; undefined past the largest. */
export function pusherPlan(messagesPerDay: number, peakConnections: number) {
  const plan = PUSHER.plans.find(
    ([, , messages, connections]) => messages >= messagesPerDay && connections >= peakConnections,
  );
  return plan && { name: plan[0], perMonth: plan[1] };
}
