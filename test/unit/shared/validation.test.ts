import { describe, expect, it } from "vitest";
import { MAX_BAN_MINUTES, parseModeration } from "../../../src/shared/moderation-packets";
import { DEFAULT_LIMITS as limits } from "../../../src/shared/protocol";
import { countChars, validateText } from "../../../src/shared/text-rules";
import { minServerFrameBytes, parseRequest } from "../../../src/shared/validation";

const request = (value: unknown) => parseRequest(value, limits).request;

describe("parseRequest", () => {
  it("reads native packets", () => {
    expect(request({ type: "join", name: "  ann  " })).toEqual({
      ok: true,
      value: { kind: "join", dialect: "native", name: "ann" },
    });
    expect(request({ type: "join", name: "ann", since: 12 })).toEqual({
      ok: true,
      value: { kind: "join", dialect: "native", name: "ann", since: 12 },
    });
    expect(request({ type: "chat", text: "hi" })).toEqual({ ok: true, value: { kind: "chat", text: "hi" } });
    expect(request({ type: "rename", name: "bo" })).toEqual({ ok: true, value: { kind: "rename", name: "bo" } });
    expect(request({ type: "history", before: 40, limit: 10 })).toEqual({
      ok: true,
      value: { kind: "history", before: 40, limit: 10 },
    });
  });

  it("reads a chat's cid: 1 to 64 of A-Z, a-z, 0-9, _ and -; anything else is invalid_field", () => {
    expect(request({ type: "chat", text: "hi", cid: "Ab_-9" })).toEqual({
      ok: true,
      value: { kind: "chat", text: "hi", cid: "Ab_-9" },
    });
    expect(request({ type: "chat", text: "hi", cid: "x".repeat(64) })).toMatchObject({ ok: true });
    for (const cid of ["", "x".repeat(65), "a b", "é", 5, null, ["a"]]) {
      expect(request({ type: "chat", text: "hi", cid })).toMatchObject({ ok: false, error: { code: "invalid_field" } });
    }
    // The tutorial dialect has none: a cid in its chat is ignored, like any field its client adds.
    expect(request({ type: "chat_message", message: "hi", cid: "a b" })).toEqual({
      ok: true,
      value: { kind: "chat", text: "hi" },
    });
  });

  it("reads a join's maxFrameBytes: a whole number of at least the floor that fits one largest message", () => {
    const floor = minServerFrameBytes(limits);
    expect(floor).toBeGreaterThanOrEqual((limits.maxMessageChars + limits.maxNameChars) * 4);
    expect(request({ type: "join", name: "ann", maxFrameBytes: floor })).toEqual({
      ok: true,
      value: { kind: "join", dialect: "native", name: "ann", maxFrameBytes: floor },
    });
    for (const bad of [floor - 1, 0, -1, 1.5, "60000", null]) {
      expect(request({ type: "join", name: "ann", maxFrameBytes: bad })).toMatchObject({
        ok: false,
        error: { code: "invalid_field" },
      });
    }
  });

  it("reads the tutorial client's packets and ignores its name in chat", () => {
    expect(request({ type: "test", test: "test message" })).toEqual({ ok: true, value: { kind: "ignore" } });
    expect(request({ type: "user_joined", name: "godot" })).toEqual({
      ok: true,
      value: { kind: "join", dialect: "tutorial", name: "godot" },
    });
    expect(request({ type: "chat_message", name: "someone else", message: "hi" })).toEqual({
      ok: true,
      value: { kind: "chat", text: "hi" },
    });
  });

  it("names the dialect a packet is written in, to answer errors in it", () => {
    expect(parseRequest({ type: "chat_message" }, limits).dialect).toBe("tutorial");
    expect(parseRequest({ type: "user_joined", name: "" }, limits).dialect).toBe("tutorial");
    expect(parseRequest({ type: "chat" }, limits).dialect).toBe("native");
    expect(parseRequest({ type: "shout" }, limits).dialect).toBe("native");
  });

  it("caps history pages at the configured maximum", () => {
    expect(request({ type: "history" })).toEqual({
      ok: true,
      value: { kind: "history", limit: limits.historyPageMax },
    });
    expect(request({ type: "history", limit: 10_000 })).toMatchObject({ value: { limit: limits.historyPageMax } });
  });

  const codeOf = (value: unknown) => {
    const parsed = request(value);
    return parsed.ok ? "ok" : parsed.error.code;
  };

  it.each([
    [[1, 2], "invalid_packet"],
    ["chat", "invalid_packet"],
    [null, "invalid_packet"],
    [{ text: "no type" }, "invalid_packet"],
    [{ type: 5 }, "invalid_packet"],
    [{ type: "shout" }, "unknown_type"],
    [{ type: "constructor" }, "unknown_type"],
    [{ type: "__proto__" }, "unknown_type"],
    [{ type: "chat" }, "invalid_field"],
    [{ type: "chat", text: 5 }, "invalid_field"],
    [{ type: "chat", text: "   " }, "invalid_text"],
    [{ type: "chat", text: "x".repeat(2001) }, "invalid_text"],
    [{ type: "chat", text: "bell\u0007" }, "invalid_text"],
    [{ type: "chat", text: "half \ud83d emoji" }, "invalid_text"],
    [{ type: "chat_message", message: ["hi"] }, "invalid_field"],
    [{ type: "join" }, "invalid_field"],
    [{ type: "join", name: "" }, "invalid_name"],
    [{ type: "join", name: "x".repeat(33) }, "invalid_name"],
    [{ type: "join", name: "line\nbreak" }, "invalid_name"],
    [{ type: "join", name: "Admin(#1) joined the chat. Eve" }, "invalid_name"],
    [{ type: "user_joined", name: "Ali\u200Bce" }, "invalid_name"],
    [{ type: "rename", name: "\u3164" }, "invalid_name"],
    [{ type: "join", name: "\udc00" }, "invalid_name"],
    [{ type: "join", name: "ann", since: -1 }, "invalid_field"],
    [{ type: "join", name: "ann", since: 1.5 }, "invalid_field"],
    [{ type: "join", name: "ann", since: "3" }, "invalid_field"],
    [{ type: "history", before: "x" }, "invalid_field"],
    [{ type: "history", limit: 0 }, "invalid_field"],
  ])("rejects %j with %s", (value, code) => {
    expect(codeOf(value)).toBe(code);
  });

  it("counts characters as code points, so limits are what a person sees", () => {
    expect(countChars("😀😀")).toBe(2);
    expect(codeOf({ type: "chat", text: "😀".repeat(2000) })).toBe("ok");
    expect(codeOf({ type: "join", name: "😀".repeat(32) })).toBe("ok");
    expect(codeOf({ type: "chat", text: "two\nlines\tand a tab" })).toBe("ok");
  });

  it("takes exactly 1 to the limit of characters, however many UTF-16 units they are", () => {
    const { maxMessageChars: text, maxNameChars: name } = limits;
    // A character is one UTF-16 unit or two: texts of as many units as characters, of twice as many, and between.
    const mixed = (chars: number) => "é😀".repeat(chars >> 1) + "é".repeat(chars & 1);
    for (const [raw, code] of [
      ["x".repeat(text), "ok"],
      ["x".repeat(text + 1), "invalid_text"],
      ["😀".repeat(text + 1), "invalid_text"],
      [mixed(text), "ok"],
      [mixed(text + 1), "invalid_text"],
    ])
      expect(codeOf({ type: "chat", text: raw })).toBe(code);
    expect(codeOf({ type: "chat", text: " \u2029 " })).toBe("invalid_text");
    expect(codeOf({ type: "join", name: "x".repeat(name + 1) })).toBe("invalid_name");
    expect(codeOf({ type: "join", name: "😀".repeat(name + 1) })).toBe("invalid_name");
    expect(codeOf({ type: "join", name: "😀".repeat(name) })).toBe("ok");
  });
});

describe("validateText", () => {
  const text = (raw: string) => {
    const parsed = validateText(raw, limits);
    return parsed.ok ? parsed.value : parsed.error.code;
  };

  it("keeps newlines and tabs, and makes line and paragraph separators newlines", () => {
    expect(text("one\ntwo\tcolumns")).toBe("one\ntwo\tcolumns");
    expect(text("one\u2028two\u2029three")).toBe("one\ntwo\nthree");
    expect(text("\u2029 trimmed \u2028")).toBe("trimmed");
  });

  it("refuses every other line break", () => {
    for (const lineBreak of ["\r", "\u000B", "\f", "\u0085"]) expect(text(`one${lineBreak}two`)).toBe("invalid_text");
  });

  it("confines bidi controls to the message", () => {
    expect(text("\u202Egnp.exe")).toBe("\u202Egnp.exe\u202C");
    expect(text("\u202Egnp.exe  \n")).toBe("\u202Egnp.exe\u202C");
    expect(text("\u2069\u202C outside")).toBe("outside");
    expect(text("\u202C")).toBe("invalid_text");
  });

  it("measures a message as it is stored, closers added", () => {
    expect(text(`${"x".repeat(limits.maxMessageChars - 1)}\u202E`)).toBe("invalid_text");
    expect(text(`${"x".repeat(limits.maxMessageChars - 2)}\u202E`)).toHaveLength(limits.maxMessageChars);
  });
});

describe("moderation packets", () => {
  it("reads each action with its optional fields, and nothing else", () => {
    expect(request({ type: "kick", id: 3, reason: "  spam  ", extra: 1 })).toEqual({
      ok: true,
      value: { kind: "moderate", action: { kind: "kick", id: 3, reason: "spam" } },
    });
    expect(request({ type: "ban", id: 3, minutes: 60 })).toEqual({
      ok: true,
      value: { kind: "moderate", action: { kind: "ban", id: 3, minutes: 60 } },
    });
    expect(request({ type: "unban", user: "address:ab" })).toEqual({
      ok: true,
      value: { kind: "moderate", action: { kind: "unban", user: "address:ab" } },
    });
    expect(request({ type: "delete", seq: 9 })).toEqual({
      ok: true,
      value: { kind: "moderate", action: { kind: "delete", seq: 9 } },
    });
  });

  it.each([
    [{ type: "kick" }, "id is required"],
    [{ type: "kick", id: 0 }, "id must be"],
    [{ type: "kick", id: 1, minutes: 5 }, "a kick has no minutes"],
    [{ type: "ban", id: 1, minutes: MAX_BAN_MINUTES + 1 }, "minutes must be an integer from 1"],
    [{ type: "ban", user: "u" }, "id is required"],
    [{ type: "unban", user: "" }, "user must be 1 to 64"],
    [{ type: "unban", user: "x".repeat(65) }, "user must be 1 to 64"],
    [{ type: "delete", seq: -1 }, "seq must be"],
    [{ type: "kick", id: 1, reason: "\u0000" }, "reason must not contain control"],
  ])("refuses %j", (packet, message) => {
    const parsed = request(packet);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message).toContain(message);
  });

  it("lets only the admin API ban a user by id, not a member in the room", () => {
    expect(parseModeration("ban", { user: "u-1", minutes: 5, reason: "r" }, limits, true)).toEqual({
      ok: true,
      value: { kind: "ban", user: "u-1", minutes: 5, reason: "r" },
    });
    expect(parseModeration("ban", { id: 2 }, limits, true)).toEqual({ ok: true, value: { kind: "ban", id: 2 } });
    expect(parseModeration("ban", { user: "u-1" }, limits).ok).toBe(false);
    expect(parseModeration("ban", { user: "u-1", id: 2 }, limits, true)).toMatchObject({
      ok: false,
      error: { message: "a ban names an id or a user, not both" },
    });
  });

  it("reads a ban's preview, which bans nothing, and its confirmation, a list of member ids", () => {
    expect(request({ type: "ban", id: 3, preview: true })).toEqual({
      ok: true,
      value: { kind: "moderate", action: { kind: "preview_ban", id: 3 } },
    });
    expect(request({ type: "ban", id: 3, minutes: 5, confirm: [4, 5] })).toEqual({
      ok: true,
      value: { kind: "moderate", action: { kind: "ban", id: 3, minutes: 5, confirm: [4, 5] } },
    });
    for (const [packet, message] of [
      [{ type: "ban", id: 3, preview: true, reason: "r" }, "a preview bans nothing: it takes no reason"],
      [{ type: "ban", id: 3, preview: false }, "preview must be true"],
      [{ type: "ban", id: 3, confirm: [1.5] }, "confirm must be a list of at most 1000 member ids"],
      [{ type: "ban", id: 3, confirm: Array.from({ length: 1001 }, (_, i) => i + 1) }, "confirm must be a list"],
    ] as const) {
      expect(request(packet)).toMatchObject({
        ok: false,
        error: { code: "invalid_field", message: expect.stringContaining(message) },
      });
    }
  });
});
