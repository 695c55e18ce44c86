// The attacks from the open internet (attacks.ts), at the default settings: what the room must hold off, with bounds
// that follow from the settings the server runs with (lib/room-settings.ts).

import { describe, expect, it } from "vitest";
import { PRESENCE_WINDOW_MS } from "../src/server/room/outbox";
import { churn, crowd, historyAbuse, lurkers, reads } from "./attacks.ts";
import { printChecks, roomConfig, runBefore, shows } from "./lib/fault-suite.ts";
import { fmt } from "./lib/stats.ts";

printChecks();

const MB = 1024 * 1024;
/** The p99 round trip honest members keep whatever the attack (a person notices 100 ms). */
const HONEST_P99_MS = 100;

describe("reads", () => {
  const run = runBefore("reads", () => reads(roomConfig()));

  it("every room looked at reports itself empty", ({ task }) => {
    const r = run();
    shows(task, `${r.empty}/${r.reads} in ${fmt(r.readsMs / 1000)} s`);
    expect(r.empty).toBe(r.reads);
  });

  it("reads and unjoined connections leave no room holding a table of ours (the one used room does)", ({ task }) => {
    const { files, rooms } = run();
    shows(
      task,
      `${files.withOurTables} of ${rooms} rooms hold our tables; the runtime's own files: ${files.files}, ${fmt(files.bytes / MB, 2)} MB`,
    );
    expect(files.withOurTables).toBe(1);
  });
});

describe("crowd", () => {
  const run = runBefore("crowd", () => crowd(roomConfig()));

  it("the honest members lost nothing and were refused nothing", ({ task }) => {
    const r = run();
    shows(
      task,
      `${r.sent} sent; delivered ${r.honest.map((c) => c.delivered).join(", ")}; errors ${r.honest.map((c) => c.errors).join(", ")}`,
    );
    expect(r.honest).toEqual(r.honest.map(() => ({ delivered: r.sent, errors: 0 })));
    expect([r.duplicates, r.reordered]).toEqual([0, 0]);
  });

  it(`their p99 round trip stays under ${HONEST_P99_MS} ms`, ({ task }) => {
    const { latencyMs } = run();
    shows(task, `p50 ${fmt(latencyMs.p50)} ms, p99 ${fmt(latencyMs.p99)} ms, max ${fmt(latencyMs.max)} ms`);
    expect(latencyMs.p99).toBeLessThan(HONEST_P99_MS);
  });

  it("the room held the flood to its budget (ROOM_MESSAGES_PER_SECOND), refusing the flooders (room_busy)", ({
    task,
  }) => {
    const r = run();
    const seconds = r.floodMs / 1000;
    const budget = r.settings.roomBudget.messagesPerSecond;
    // The budget over the flood's time, plus one window of it (room-budget.ts): a rate is estimated over a sliding
    // second, which starts empty.
    const most = budget * (seconds + 1);
    shows(
      task,
      `${r.offered} flood messages offered (${fmt(r.offered / seconds)}/s), ${r.admitted} admitted (${fmt(r.admitted / seconds)}/s) ` +
        `of ${fmt(most, 0)} the budget of ${budget}/s allows; room_busy answers ${r.roomBusy}`,
    );
    expect(r.admitted).toBeLessThanOrEqual(most);
    expect(r.roomBusy).toBeGreaterThan(0);
  });
});

/** Seconds' worth of joins a room takes at once after a quiet spell (JOIN_BURST_SECONDS in src/server/limits/charges.ts). */
const JOIN_BURST_SECONDS = 5;

describe("churn", () => {
  const run = runBefore("churn", () => churn(roomConfig()));

  it("one address is refused by the Worker past its upgrades per period (UPGRADE_LIMIT)", ({ task }) => {
    const { one, upgradeLimit, seconds } = run();
    const { limit, periodSeconds } = upgradeLimit;
    // The limit counts in fixed periods: the churn's seconds may straddle one more than they span.
    const most = limit * (Math.ceil(seconds / periodSeconds) + 1);
    shows(
      task,
      `${one.refusedByWorker} of ${one.tried} refused; ${one.joined} joined, of ${most} that ${limit} per ${periodSeconds} s allow`,
    );
    expect(one.refusedByWorker).toBeGreaterThan(0);
    expect(one.joined).toBeLessThanOrEqual(most);
  });

  it("many addresses are held to the room's joins per second (ROOM_JOINS_PER_SECOND, after its burst)", ({ task }) => {
    const { many, settings, seconds } = run();
    const perSecond = settings.roomJoinsPerSecond;
    // The burst, then the rate for the churn's seconds, and one more second for the stragglers answered after it.
    const most = perSecond * (JOIN_BURST_SECONDS + seconds + 1);
    shows(task, `${many.joined} of ${many.tried} joined, of ${most} allowed; ${many.roomBusy} told room_busy`);
    expect(many.joined).toBeLessThanOrEqual(most);
    expect(many.roomBusy).toBeGreaterThan(0);
  });

  // Joins and leaves go out in separate batches, each at most once per window (PRESENCE_WINDOW_MS): two per window,
  // and fewer, as a member that leaves before its join went out is never announced. One exception: a newcomer's
  // welcome first sends the leaves waiting (its welcome does not list those members), so each join the room admits
  // may bring one batch of leaves early. The churners' many attempts cost nothing more: only admitted joins count, and
  // the room admits ROOM_JOINS_PER_SECOND.
  const most = 2 * (1000 / PRESENCE_WINDOW_MS);
  it(`a member hears at most ${most} presence frames/s (two per PRESENCE_WINDOW_MS), plus one per join admitted`, ({
    task,
  }) => {
    const { one, many } = run();
    shows(
      task,
      `${fmt(one.presenceFramesPerSecond)} and ${fmt(many.presenceFramesPerSecond)} frames/s, ` +
        `with ${fmt(one.joinedPerSecond)} and ${fmt(many.joinedPerSecond)} joins admitted a second`,
    );
    // One frame more than the windows' count: a phase's seconds need not start on a window's edge.
    for (const phase of [one, many])
      expect(phase.presenceFramesPerSecond).toBeLessThanOrEqual(most + phase.joinedPerSecond + 1);
  });
});

describe("history", () => {
  const run = runBefore("history", () => historyAbuse(roomConfig()));

  it("the pages served to the abusers stay within what their rate limits pay for", ({ task }) => {
    const r = run();
    const { rateLimitBurst, rateLimitPerSecond, rateLimitBytesPerToken, maxServerFrameBytes } = r.settings.limits;
    const seconds = r.abuseMs / 1000;
    // A page is billed to its asker by its size, a token per RATE_LIMIT_BYTES_PER_TOKEN, after it is sent: what an
    // abuser is served is at most its burst and what the seconds refill, plus the last page, which leaves it in debt
    // (one frame, MAX_SERVER_FRAME_BYTES at most). About 2 MB over 15 s at the defaults.
    const each = (rateLimitBurst + rateLimitPerSecond * seconds) * rateLimitBytesPerToken + maxServerFrameBytes;
    const most = r.abusers * each;
    shows(
      task,
      `${fmt(r.historyBytes / MB, 2)} MB of history (${fmt(r.bytes / MB, 2)} MB in all) in ${r.pages} pages over ${fmt(seconds)} s, ` +
        `of ${fmt(most / MB, 2)} MB their limits pay for (${fmt(r.historyBytes / most, 2)}); ${r.refused} rate_limited answers`,
    );
    expect(r.pages).toBeGreaterThan(0);
    expect(r.historyBytes).toBeLessThanOrEqual(most);
  });

  it("honest members lost nothing meanwhile", ({ task }) => {
    const r = run();
    shows(task, `${r.sent} sent; p50 ${fmt(r.latencyMs.p50)} ms, p99 ${fmt(r.latencyMs.p99)} ms`);
    expect(r.honestDelivered).toEqual(r.honestDelivered.map(() => r.sent));
  });
});

/**
 * How far from JOIN_TIMEOUT_SECONDS a lurker's close may come, as a share of it: the room's timer fires on time, but
 * 2,000 closes leave together on two shared cores, the latest a few percent late (bench/README.md, lurkers).
 */
const JOIN_TIMEOUT_TOLERANCE = 0.1;

describe("lurkers", () => {
  const run = runBefore("lurkers", () => lurkers(roomConfig()));

  it("a connection past MAX_CONNECTIONS_PER_ADDRESS from one address is refused (429)", ({ task }) => {
    const r = run();
    shows(
      task,
      `${r.extraAccepted} of ${r.addresses} addresses got a connection past their ${r.settings.maxConnectionsPerAddress}`,
    );
    expect(r.extraAccepted).toBe(0);
  });

  it("every connection that never joined is closed (4008) at JOIN_TIMEOUT_SECONDS (± 10%) after it opened", ({
    task,
  }) => {
    const r = run();
    const timeout = r.settings.joinTimeoutMs;
    const { earliest, median, latest } = r.closeFrameAfterMs;
    shows(
      task,
      `${r.held} connections held at first; ${r.closedWith4008} of ${r.lurking} closed with 4008; the close came ` +
        `${fmt(earliest / 1000, 2)} s after the upgrade's request at the earliest, ${fmt(median / 1000, 2)} s after its answer at the median, ` +
        `${fmt(latest / 1000, 2)} s at the latest (timeout ${timeout / 1000} s); ${r.refused} refused`,
    );
    expect(r.lurking).toBe(r.addresses * r.settings.maxConnectionsPerAddress);
    expect(r.closedWith4008).toBe(r.lurking);
    // Timed from the upgrade's request (before the room's clock starts) at the earliest, and from its answer (after)
    // at the latest: neither may stray past the tolerance.
    expect(earliest).toBeGreaterThanOrEqual(timeout * (1 - JOIN_TIMEOUT_TOLERANCE));
    expect(latest).toBeLessThanOrEqual(timeout * (1 + JOIN_TIMEOUT_TOLERANCE));
  });

  it("once their closes are answered, the room no longer counts them", ({ task }) => {
    const { after } = run();
    shows(task, `${after.connections} connection(s), ${after.members} member(s)`);
    expect(after).toEqual({ connections: 1, members: 1 });
  });
});
