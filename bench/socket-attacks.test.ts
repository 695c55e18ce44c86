// The attacks on the socket itself (socket-attacks.ts), at the default settings while two members chat: compression
// bombs, and sockets that never answer the room's close.

import { describe, expect, it } from "vitest";
import { printChecks, roomConfig, runBefore, shows } from "./lib/fault-suite.ts";
import { fmt } from "./lib/stats.ts";
import { compression, type HonestPair, unanswered } from "./socket-attacks.ts";

printChecks();

const MB = 1024 * 1024;
/** The p99 round trip honest members keep whatever the attack (a person notices 100 ms). */
const HONEST_P99_MS = 100;
/** What one object has in production: a bomb inflated would take a quarter of it. */
const OBJECT_MEMORY = 128 * MB;

function honestChecks(honest: () => HonestPair): void {
  it("the honest members stayed, lost nothing and were refused nothing", ({ task }) => {
    const h = honest();
    shows(task, `${h.sent} sent; delivered ${h.delivered.join(", ")}; errors ${h.errors.join(", ")}`);
    expect(h.stayed).toBe(true);
    expect(h.delivered).toEqual(h.delivered.map(() => h.sent));
    expect(h.errors).toEqual(h.errors.map(() => 0));
    expect([h.duplicates, h.reordered]).toEqual([0, 0]);
  });

  it(`their p99 round trip stays under ${HONEST_P99_MS} ms`, ({ task }) => {
    const h = honest();
    shows(task, `p50 ${fmt(h.p50)} ms, p99 ${fmt(h.p99)} ms, max ${fmt(h.max)} ms`);
    expect(h.p99).toBeLessThan(HONEST_P99_MS);
  });
}

describe("compression", () => {
  const run = runBefore("compression", () => compression(roomConfig()));

  it("no connection negotiated compression", ({ task }) => {
    const r = run();
    shows(task, `${r.negotiated} of ${r.bombs} did`);
    expect(r.negotiated).toBe(0);
  });

  it("every bomb was refused unread by the runtime (1002), none inflated and refused as too big (1009)", ({ task }) => {
    const r = run();
    const closed = Object.entries(r.closes)
      .map(([code, count]) => `${code}x${count}`)
      .join(", ");
    shows(task, `${r.bombs} bombs; closes by code: ${closed}; ${r.refused} upgrades refused (429)`);
    expect(r.bombs).toBeGreaterThan(0);
    expect(r.closes).toEqual({ 1002: r.bombs });
  });

  it(`workerd's memory (runtime + proxy) grew by less than ${OBJECT_MEMORY / MB} MB`, ({ task }) => {
    const { rss } = run();
    // What is left is the cost of the attackers' connections, each set up and torn down through the proxy, the
    // Worker and the room.
    const total = (sample: { runtime: number; proxy: number }) => sample.runtime + sample.proxy;
    const mb = (sample: { runtime: number; proxy: number }) =>
      `${fmt(sample.runtime / MB)} + ${fmt(sample.proxy / MB)} MB`;
    shows(task, `RSS ${mb(rss.before)} before, ${mb(rss.peak)} at the peak, ${mb(rss.after)} after`);
    expect(total(rss.peak) - total(rss.before)).toBeLessThan(OBJECT_MEMORY);
  });

  honestChecks(() => run().honest);
});

describe("unanswered", () => {
  const run = runBefore("unanswered", () => unanswered(roomConfig()));

  it("every connection the address opened was closed by the room at the join timeout (4008)", ({ task }) => {
    const r = run();
    shows(task, `${r.closedByRoom} of ${r.accepted}`);
    expect(r.closedByRoom).toBe(r.accepted);
  });

  it("the address holds at most MAX_CONNECTIONS_PER_ADDRESS sockets after the rounds: closed but unanswered ones still count", ({
    task,
  }) => {
    const r = run();
    const most = r.settings.maxConnectionsPerAddress;
    shows(task, `${r.held} still open, ${r.accepted} accepted in all over ${r.rounds.length} rounds, of ${most}`);
    expect(r.held).toBeLessThanOrEqual(most);
    expect(r.accepted).toBeLessThanOrEqual(most);
  });

  it("another address still connects", ({ task }) => {
    const r = run();
    shows(task, `status ${r.otherStatus}`);
    expect(r.otherStatus).toBe(101);
  });

  it("once they answer, the address connects again", ({ task }) => {
    const r = run();
    shows(task, `status ${r.reopenStatus}`);
    expect(r.reopened).toBe(true);
  });

  honestChecks(() => run().honest);
});
