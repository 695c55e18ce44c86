import { describe, expect, it } from "vitest";
import { combinedState, stateProblem } from "../../../src/shared/member-state";
import { DEFAULT_LIMITS } from "../../../src/shared/protocol";

describe("a member's state", () => {
  it("is a JSON object of at most maxStateBytes", () => {
    expect(stateProblem({ status: "away", level: 3 }, DEFAULT_LIMITS)).toBeUndefined();
    expect(stateProblem({}, DEFAULT_LIMITS)).toBeUndefined();
    for (const bad of [null, [], "away", 1, true]) expect(stateProblem(bad, DEFAULT_LIMITS)).toMatch(/JSON object/);
    // Counted in UTF-8 bytes: 250 two-byte characters and the JSON around them are 511.
    expect(stateProblem({ bio: "é".repeat(250) }, DEFAULT_LIMITS)).toBeUndefined();
    expect(stateProblem({ bio: "é".repeat(260) }, DEFAULT_LIMITS)).toMatch(/at most 512 bytes/);
  });

  it("shows its token's fields over its own, refuses a change to one, and counts them in its size", () => {
    const vouched = { avatar: "https://game.example/a.png" };
    expect(combinedState({ status: "away" }, vouched, DEFAULT_LIMITS)).toEqual({
      state: { status: "away", avatar: vouched.avatar },
    });
    // Setting a vouched field to its own value is no change.
    expect(combinedState({ avatar: vouched.avatar }, vouched, DEFAULT_LIMITS)).toEqual({ state: vouched });
    expect(combinedState({ avatar: "https://evil.example/x.png" }, vouched, DEFAULT_LIMITS)).toMatchObject({
      problem: "forbidden",
    });
    // A field named like one of Object's own is the member's like any other.
    expect(combinedState({ toString: "x", constructor: 1 }, vouched, DEFAULT_LIMITS)).toMatchObject({
      state: { toString: "x", constructor: 1 },
    });
    expect(combinedState({ bio: "x".repeat(480) }, vouched, DEFAULT_LIMITS)).toMatchObject({
      problem: "invalid_state",
    });
    expect(combinedState({ bio: "x".repeat(480) }, undefined, DEFAULT_LIMITS)).toMatchObject({ state: {} });
  });
});
