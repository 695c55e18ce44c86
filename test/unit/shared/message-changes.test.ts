// What a reaction and a chat's game data may be: the rules the room enforces and the clients check before sending.

import { describe, expect, it } from "vitest";
import { dataProblem, isReaction, MAX_DATA_DEPTH } from "../../../src/shared/message-changes";

describe("isReaction", () => {
  it("takes one emoji, as people see one, or a :name:", () => {
    for (const reaction of [
      "👍",
      "👍🏽",
      "❤️",
      "👩‍👩‍👧",
      "🏳️‍🌈",
      "🇫🇷",
      "1️⃣",
      "#️⃣",
      "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
      ":ok:",
      ":party_parrot:",
      ":+1:",
      ":a-b:",
    ]) {
      expect(isReaction(reaction), reaction).toBe(true);
    }
  });

  it("refuses text, two emoji, a bare digit, a name out of its rule, and anything not a string", () => {
    for (const reaction of [
      "a",
      "ok",
      "1",
      "👍👍",
      "👍 ",
      " 👍",
      ":Ok:",
      "::",
      `:${"a".repeat(33)}:`,
      "🇫",
      "",
      1,
      null,
    ]) {
      expect(isReaction(reaction), String(reaction)).toBe(false);
    }
  });
});

describe("dataProblem", () => {
  const limits = { maxDataBytes: 2048 };

  it("takes a JSON object of at most maxDataBytes, nested at most MAX_DATA_DEPTH deep", () => {
    let deep: Record<string, unknown> = {};
    for (let level = 1; level < MAX_DATA_DEPTH; level++) deep = { deeper: deep };
    for (const data of [{}, { a: [1, { b: null }] }, deep, { big: "é".repeat(1019) }]) {
      expect(dataProblem(data, limits)).toBeUndefined();
    }
  });

  it("says why anything else may not ride on a chat", () => {
    expect(dataProblem([1], limits)).toMatch(/object/);
    expect(dataProblem(null, limits)).toMatch(/object/);
    expect(dataProblem("x", limits)).toMatch(/object/);
    expect(dataProblem({ big: "é".repeat(1020) }, limits)).toMatch(/2048 bytes/);
    let deep: Record<string, unknown> = {};
    for (let level = 1; level <= MAX_DATA_DEPTH; level++) deep = { deeper: deep };
    expect(dataProblem(deep, limits)).toMatch(/8 levels/);
    expect(dataProblem({ list: [[[[[[[[1]]]]]]]] }, limits)).toMatch(/8 levels/);
  });
});
