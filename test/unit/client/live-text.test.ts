// What the page says of who is typing and of a member's status (live-text.ts), without a DOM: the page puts these
// strings in as text (live-view.ts, member-list.ts; the browser test sees them there).

import { describe, expect, it } from "vitest";
import { STATUS_CHARS, statusText, typingSentence } from "../../../src/client/live-text";
import type { MemberState } from "../../../src/shared/protocol";

/** The line as read, the isolates around each name left out. */
const read = (names: string[]) => typingSentence(names).replace(/[\u2068\u2069]/g, "");

describe("the typing line", () => {
  it("names one or two typers, and counts the others past the first", () => {
    expect(read([])).toBe("");
    expect(read(["Ann"])).toBe("Ann is typing…");
    expect(read(["Ann", "Bo"])).toBe("Ann and Bo are typing…");
    expect(read(["Ann", "Bo", "Cy"])).toBe("Ann and 2 others are typing…");
    expect(read(["Ann", "Bo", "Cy", "Di", "Ed"])).toBe("Ann and 4 others are typing…");
  });

  it("isolates each name: a right-to-left name cannot reorder the line", () => {
    expect(typingSentence(["שרה", "Bo"])).toBe("\u2068שרה\u2069 and \u2068Bo\u2069 are typing…");
  });
});

describe("a member's status", () => {
  const member = (state?: MemberState) => ({ id: 1, name: "Ann", ...(state && { state }) });

  it("is the state's status when it is a string that says something", () => {
    expect(statusText(member({ status: "in a match" }))).toBe("in a match");
    expect(statusText(member({ status: "  away " }))).toBe("away");
    expect(statusText(member())).toBeUndefined();
    expect(statusText(member({ level: 3 }))).toBeUndefined();
    expect(statusText(member({ status: 42 }))).toBeUndefined();
    expect(statusText(member({ status: { html: "<b>" } }))).toBeUndefined();
    expect(statusText(member({ status: "   " }))).toBeUndefined();
  });

  it("is cut to STATUS_CHARS characters, counted as code points, an ellipsis last", () => {
    const exactly = "x".repeat(STATUS_CHARS);
    expect(statusText(member({ status: exactly }))).toBe(exactly);
    const long = `${"🎮".repeat(STATUS_CHARS)}!`;
    const cut = statusText(member({ status: long }))!;
    expect(Array.from(cut)).toHaveLength(STATUS_CHARS);
    expect(cut).toBe(`${"🎮".repeat(STATUS_CHARS - 1)}…`);
  });
});
