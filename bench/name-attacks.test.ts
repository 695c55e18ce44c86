// The attacks on names and joins (name-attacks.ts), at the default limits: squatters on verified members' names, and
// refused joins repeated to spend the room's joins per second.

import { describe, expect, it } from "vitest";
import { printChecks, roomConfig, runBefore, shows } from "./lib/fault-suite.ts";
import { fmt } from "./lib/stats.ts";
import { type Honest, joinBudget, squatting, VERIFIED } from "./name-attacks.ts";

printChecks();

/** The p99 round trip honest members keep whatever the attack (a person notices 100 ms). */
const HONEST_P99_MS = 100;

function honestCheck(honest: () => Honest): void {
  it(`the honest members lost nothing, and their round trip p99 stayed under ${HONEST_P99_MS} ms`, ({ task }) => {
    const h = honest();
    shows(
      task,
      `${h.sent} sent to ${h.members}; lost ${h.lost}, duplicates ${h.duplicates}, reordered ${h.reordered}; p50 ${fmt(h.p50)} ms, p99 ${fmt(h.p99)} ms`,
    );
    expect([h.lost, h.duplicates, h.reordered]).toEqual([0, 0, 0]);
    expect(h.p99).toBeLessThan(HONEST_P99_MS);
  });
}

describe("squatting", () => {
  const run = runBefore("squatting", () => squatting(roomConfig()));

  it("every verified member joined under its own name, whoever held a look-alike of it", ({ task }) => {
    const r = run();
    shows(
      task,
      `${r.joinedAsThemselves}/${r.verified} joined as themselves in ${fmt(Math.max(...r.verifiedJoinMs))} ms; ${r.posing} squatters held a look-alike`,
    );
    expect(r.joinedAsThemselves).toBe(r.verified);
  });

  it("every squatter holding a look-alike was renamed, once, and heard so", ({ task }) => {
    const r = run();
    shows(task, `${r.renamed}/${r.posing} renamed`);
    expect(r.posing).toBeGreaterThan(0);
    expect(r.renamed).toBe(r.posing);
  });

  it("the verified moderator removed a squatter", ({ task }) => {
    const r = run();
    shows(task, `closed with ${r.kickedCode}`);
    expect(r.kickedCode).toBe(4001);
  });

  it("the tutorial reader sees every squatter's line marked as a guest's, and the verified members' unmarked", ({
    task,
  }) => {
    const r = run();
    shows(
      task,
      `${r.markedLines}/${r.squatterLines} squatters' lines marked; verified lines: ${r.verifiedNames.map((n) => JSON.stringify(n)).join(", ")}`,
    );
    expect(r.squatterLines).toBe(r.squatters);
    expect(r.markedLines).toBe(r.squatterLines);
    // Each verified member's line under its own name, with no guest's mark.
    expect([...r.verifiedNames].sort()).toEqual(VERIFIED.map((v) => v.name).sort());
  });

  honestCheck(() => run().honest);
});

describe("joinbudget", () => {
  const run = runBefore("joinbudget", () => joinBudget(roomConfig()));

  it("every honest newcomer joined at its first try", ({ task }) => {
    const r = run();
    const refused = r.answers.filter((a) => a !== "welcome");
    shows(
      task,
      `${r.answers.length - refused.length}/${r.honestJoins} welcomed; refused: ${refused.join(", ") || "none"}`,
    );
    expect(r.answers).toEqual(r.answers.map(() => "welcome"));
  });

  it("each attacker's refused joins were charged to its own rate limit: its burst, then half its rate", ({ task }) => {
    const r = run();
    const { rateLimitBurst, rateLimitPerSecond } = r.settings.limits;
    // A refused join costs its frame and its answer, a token each: the burst pays for half as many answers, and
    // RATE_LIMIT_PER_SECOND for half as many a second; one more for the answer under way at the end.
    const most = rateLimitBurst / 2 + (rateLimitPerSecond / 2) * r.attackSeconds + 1;
    const answered = Math.max(...r.nameTaken);
    shows(
      task,
      `${r.attackers} attackers sent about ${r.joinsEach} joins each; answered name_taken at most ${answered} (${fmt(answered / r.attackSeconds)}/s) of ${fmt(most)}, ` +
        `rate_limited answers ${r.rateLimited}, closed for flooding ${r.closedForFlooding}`,
    );
    expect(answered).toBeLessThanOrEqual(most);
  });

  honestCheck(() => run().honest);
});
