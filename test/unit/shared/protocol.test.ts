import { describe, expect, it } from "vitest";
import { isRoomName } from "../../../src/shared/protocol";

describe("room names", () => {
  it.each([
    ["lobby", true],
    ["a.b_c-9", true],
    ["x".repeat(64), true],
    ["x".repeat(65), false],
    ["", false],
    ["a/b", false],
    ["a b", false],
    ["%41", false],
    ["é", false],
    [".", false],
    ["..", false],
    ["...", false],
    [".a.", true],
  ])("%j is valid: %s", (name, valid) => {
    expect(isRoomName(name)).toBe(valid);
  });
});
