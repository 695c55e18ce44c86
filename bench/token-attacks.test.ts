// The attacks on identity (token-attacks.ts, token-expiry-attack.ts), on one server that admits only verified
// members: forged, expired and missing tokens, then tokens that end while their connections are open.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRun } from "./lib/checks.ts";
import { printChecks, roomConfig, runBefore, shows } from "./lib/fault-suite.ts";
import { fmt } from "./lib/stats.ts";
import { startTokenServer, type TokenServer, tokenStorm } from "./token-attacks.ts";
import { expiredTokens, LIFE_S, RUN_MS, SKEW_S } from "./token-expiry-attack.ts";

printChecks();

/** The p99 round trip honest members keep whatever the attack (a person notices 100 ms). */
const HONEST_P99_MS = 100;
/** How soon after its token's end a member must be closed: the room's alarm rings at the end. */
const CLOSED_WITHIN_MS = 2000;

describe("tokens", () => {
  let served: TokenServer | undefined;
  beforeAll(async () => {
    served = await startTokenServer(roomConfig());
  });
  afterAll(async () => {
    await served?.server.dispose();
  });
  const server = () => {
    if (!served) throw new Error("the token server did not start");
    return served;
  };

  describe("forged, expired and missing tokens", () => {
    const run = runBefore("tokens: the storm", () => tokenStorm(server()));

    it("no forged, expired or missing token was admitted, and each got its own 401", ({ task }) => {
      const r = run();
      shows(
        task,
        `${r.attempts - r.wrong.length}/${r.attempts} refused as expected in ${fmt(r.stormMs / 1000)} s (${fmt(r.attempts / (r.stormMs / 1000))}/s; ` +
          `refusal p50 ${fmt(r.refusalMs.p50)} ms, p99 ${fmt(r.refusalMs.p99)} ms)${r.wrong.length ? `; wrong: ${r.wrong.slice(0, 3).join("; ")}` : ""}`,
      );
      expect(r.wrong).toEqual([]);
    });

    it("no room was reached: the honest room counts its 4 members only, and no other room was created", ({ task }) => {
      const r = run();
      shows(
        task,
        `connections ${r.connections}; rooms' databases ${r.databases.before} before, ${r.databases.after} after`,
      );
      expect(r.connections).toBe(r.honest.length);
      expect(r.databases.after).toBe(r.databases.before);
    });

    it("the honest members lost nothing and heard of nobody else", ({ task }) => {
      const r = run();
      shows(
        task,
        `${r.sent} sent; ${r.presence} joins or leaves heard; delivered ${r.honest.map((c) => c.delivered).join(", ")}; ` +
          `their p50 ${fmt(r.latencyMs.p50)} ms, p99 ${fmt(r.latencyMs.p99)} ms, max ${fmt(r.latencyMs.max)} ms`,
      );
      expect(r.honest).toEqual(r.honest.map(() => ({ delivered: r.sent, errors: 0 })));
      expect([r.duplicates, r.reordered, r.presence]).toEqual([0, 0, 0]);
    });
  });

  describe("tokens that end while connected", () => {
    const run = runBefore("tokens: tokens that end", () => expiredTokens(server().server, server().secret));

    it("a member chatting past its token's end is closed then (4010), and no chat of it after the end is taken", ({
      task,
    }) => {
      const { talker } = run();
      shows(
        task,
        `closed ${talker.code} ${fmt(talker.closedAfterEndMs, 0)} ms after its token's end (its exp + ${SKEW_S} s of skew); ` +
          `${talker.sent} chats sent, ${talker.sentAfterEnd} of them after the end; taken after the end: ${talker.takenAfterEnd} (echoed), ` +
          `${talker.heardAfterEnd} (heard by the honest)`,
      );
      expect(talker.code).toBe(4010);
      expect(talker.closedAfterEndMs).toBeGreaterThanOrEqual(0);
      expect(talker.closedAfterEndMs).toBeLessThan(CLOSED_WITHIN_MS);
      expect([talker.takenAfterEnd, talker.heardAfterEnd]).toEqual([0, 0]);
    });

    it("a silent member is closed at its token's end too (4010, the room's alarm)", ({ task }) => {
      const { silent } = run();
      shows(task, `closed ${silent.code} ${fmt(silent.closedAfterEndMs, 0)} ms after its token's end`);
      expect(silent.code).toBe(4010);
      expect(silent.closedAfterEndMs).toBeGreaterThanOrEqual(0);
      expect(silent.closedAfterEndMs).toBeLessThan(CLOSED_WITHIN_MS);
    });

    it("the app with a token callback rode through its tokens' ends: never seen disconnected, nothing lost or repeated", ({
      task,
    }) => {
      const { app } = run();
      const { seqs } = app;
      const gapless = seqs.length > 0 && isRun(seqs, seqs[0]!, seqs.at(-1)!);
      shows(
        task,
        `${app.tokens} tokens (${app.tokens - 1} refreshes); statuses after online: ${app.statusesAfterOnline.join(", ") || "none"}; ` +
          `own chats delivered ${app.delivered}/${app.sent}, ${app.ownOnce ? "each once" : "some twice"}; ` +
          `${seqs.length} messages, seq ${seqs[0]}..${seqs.at(-1)} without a gap: ${gapless}`,
      );
      // A token of LIFE_S seconds lasts at most that long: over the run the app needs one for every LIFE_S.
      expect(app.tokens).toBeGreaterThanOrEqual(Math.floor(RUN_MS / 1000 / LIFE_S));
      expect(app.statusesAfterOnline).toEqual([]);
      expect(app.delivered).toBe(app.sent);
      expect(app.ownOnce).toBe(true);
      expect(gapless).toBe(true);
    });

    it(`the honest members lost nothing, at p99 under ${HONEST_P99_MS} ms`, ({ task }) => {
      const r = run();
      shows(
        task,
        `${r.sent} sent; delivered ${r.honestDelivered.join(", ")}; p50 ${fmt(r.latencyMs.p50)} ms, p99 ${fmt(r.latencyMs.p99)} ms, max ${fmt(r.latencyMs.max)} ms`,
      );
      expect(r.honestDelivered).toEqual(r.honestDelivered.map(() => r.sent));
      expect([r.duplicates, r.reordered]).toEqual([0, 0]);
      expect(r.latencyMs.p99).toBeLessThan(HONEST_P99_MS);
    });
  });
});
