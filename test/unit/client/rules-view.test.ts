// The page's side of the room's rules (rules-view.ts, refusal-lines.ts): which notices a change of slow mode or of
// our mute brings, when slow mode's wait starts, and the line each refusal by the room's rules gets.

import { describe, expect, it } from "vitest";
import { refusalLine } from "../../../src/client/refusal-lines";
import { RulesView } from "../../../src/client/rules-view";

function view(isModerator = false) {
  const seen = { notices: [] as string[], holds: [] as (string | undefined)[], waits: [] as (number | undefined)[] };
  const rules = new RulesView({
    composer: { hold: (line) => seen.holds.push(line), waitTill: (at) => seen.waits.push(at) },
    notice: (text) => seen.notices.push(text),
    isModerator,
  });
  return { rules, seen };
}

describe("slow mode on the page", () => {
  it("says so when it is on at the first welcome and when it changes, not when a welcome repeats it", () => {
    const { rules, seen } = view();
    rules.settings({ slowModeSeconds: 0, listed: false });
    rules.settings({ slowModeSeconds: 10, listed: false });
    rules.settings({ slowModeSeconds: 10, listed: true });
    rules.settings({ slowModeSeconds: 0, listed: true });
    expect(seen.notices).toEqual(["Slow mode is on: one message per 10 s.", "Slow mode is off."]);
    // Off: nothing waits any more.
    expect(seen.waits).toEqual([undefined]);
  });

  it("starts the wait when the room took our chat, and at a slow_mode refusal; a moderator's, never", () => {
    const { rules, seen } = view();
    rules.sent();
    expect(seen.waits).toEqual([]);
    rules.settings({ slowModeSeconds: 5, listed: false });
    const before = Date.now();
    rules.sent();
    rules.refused({ code: "slow_mode", message: "slow", retryAfterMs: 2000 });
    rules.refused({ code: "rate_limited", message: "fast", retryAfterMs: 300 });
    expect(seen.waits).toHaveLength(2);
    expect(seen.waits[0]! - before).toBeGreaterThanOrEqual(5000);
    expect(seen.waits[1]! - before).toBeGreaterThanOrEqual(2000);
    expect(seen.waits[1]! - before).toBeLessThan(3000);

    const moderator = view(true);
    moderator.rules.settings({ slowModeSeconds: 5, listed: false });
    moderator.rules.sent();
    expect(moderator.seen.waits).toEqual([]);
    expect(moderator.seen.notices).toEqual(["Slow mode is on: one message per 5 s (moderators exempt)."]);
  });
});

describe("a mute on the page", () => {
  it("holds the composer with why, says when it starts and when it ends", () => {
    const { rules, seen } = view();
    rules.muted(undefined);
    rules.muted({ reason: "spam" });
    rules.muted({ reason: "spam" });
    rules.muted(undefined);
    expect(seen.holds).toEqual([
      undefined,
      "You are muted until a moderator lifts it (spam).",
      "You are muted until a moderator lifts it (spam).",
      undefined,
    ]);
    expect(seen.notices).toEqual(["A moderator muted you until a moderator lifts it: spam", "You may write again."]);
  });

  it("says until when a timed mute lasts", () => {
    const { rules, seen } = view();
    rules.muted({ until: Date.now() + 60_000 });
    expect(seen.holds[0]).toMatch(/^You are muted until \S.*\.$/);
    expect(seen.holds[0]).not.toContain("lifts");
  });
});

describe("the lines for refusals by the room's rules", () => {
  it.each([
    [{ code: "muted", for: "chat" }, "Not sent: a moderator muted you."],
    [{ code: "muted", for: "edit" }, "Not edited: a moderator muted you."],
    [
      { code: "slow_mode", for: "chat", retryAfterMs: 7200 },
      "Not sent: slow mode is on. Your message is still in the box: send it again in 8 s.",
    ],
    [
      { code: "blocked_word", for: "chat" },
      "Not sent: it holds a word this room does not allow. Change it and try again.",
    ],
    [{ code: "blocked_word", for: "rename" }, "Not renamed: that name holds a word this room does not allow."],
    [{ code: "rate_limited", for: "chat", retryAfterMs: 300 }, undefined],
  ] as const)("%j: %s", (error, line) => {
    expect(refusalLine({ message: "the room's words", ...error })).toBe(line);
  });
});
