import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config";
import {
  countChars,
  decodeFrame,
  encode,
  isRoomName,
  parseRequest,
  type ChatMessage,
  type Limits,
} from "../../src/protocol";
import { TokenBucket } from "../../src/rate-limit";

const limits: Limits = readConfig({}).limits;
const message: ChatMessage = { seq: 7, ts: 1700000000000, sender: { id: 3, name: "Zoë" }, text: "héllo 😀" };

describe("parseRequest", () => {
  it("reads native packets", () => {
    expect(parseRequest({ type: "join", name: "  ann  " }, limits)).toEqual({
      ok: true, value: { kind: "join", dialect: "native", name: "ann" },
    });
    expect(parseRequest({ type: "join", name: "ann", since: 12 }, limits)).toEqual({
      ok: true, value: { kind: "join", dialect: "native", name: "ann", since: 12 },
    });
    expect(parseRequest({ type: "chat", text: "hi" }, limits)).toEqual({ ok: true, value: { kind: "chat", text: "hi" } });
    expect(parseRequest({ type: "rename", name: "bo" }, limits)).toEqual({ ok: true, value: { kind: "rename", name: "bo" } });
    expect(parseRequest({ type: "history", before: 40, limit: 10 }, limits)).toEqual({
      ok: true, value: { kind: "history", before: 40, limit: 10 },
    });
  });

  it("reads the tutorial client's packets and ignores its name in chat", () => {
    expect(parseRequest({ type: "test", test: "test message" }, limits)).toEqual({ ok: true, value: { kind: "ignore" } });
    expect(parseRequest({ type: "user_joined", name: "godot" }, limits)).toEqual({
      ok: true, value: { kind: "join", dialect: "tutorial", name: "godot" },
    });
    expect(parseRequest({ type: "chat_message", name: "someone else", message: "hi" }, limits)).toEqual({
      ok: true, value: { kind: "chat", text: "hi" },
    });
  });

  it("caps history pages at the configured maximum", () => {
    expect(parseRequest({ type: "history" }, limits)).toEqual({ ok: true, value: { kind: "history", limit: limits.historyPageMax } });
    expect(parseRequest({ type: "history", limit: 10_000 }, limits)).toMatchObject({ value: { limit: limits.historyPageMax } });
  });

  const codeOf = (value: unknown) => {
    const parsed = parseRequest(value, limits);
    return parsed.ok ? "ok" : parsed.error.code;
  };

  it.each([
    [[1, 2], "invalid_packet"],
    ["chat", "invalid_packet"],
    [null, "invalid_packet"],
    [{ text: "no type" }, "invalid_packet"],
    [{ type: 5 }, "invalid_packet"],
    [{ type: "shout" }, "unknown_type"],
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
});

describe("decodeFrame", () => {
  const code = (frame: string | ArrayBuffer) => {
    const { request } = decodeFrame(frame, limits);
    return request.ok ? "ok" : request.error.code;
  };
  const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;

  it("takes UTF-8 JSON in text and binary frames alike", () => {
    expect(decodeFrame(bytes('{"type":"chat_message","message":"héllo"}'), limits)).toEqual({
      request: { ok: true, value: { kind: "chat", text: "héllo" } },
      dialect: "tutorial",
    });
    expect(code('{"type":"chat","text":"hi"}')).toBe("ok");
  });

  it("rejects frames over the byte limit, counting UTF-8 bytes", () => {
    expect(code("x".repeat(limits.maxFrameBytes + 1))).toBe("frame_too_large");
    expect(code(new ArrayBuffer(limits.maxFrameBytes + 1))).toBe("frame_too_large");
    const accents = JSON.stringify({ type: "chat", text: "é".repeat(8190) }); // 8,203 characters, 16,393 bytes
    expect(code(accents)).toBe("frame_too_large");
  });

  it("rejects binary frames that are not UTF-8, and text that is not JSON", () => {
    expect(code(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]).buffer as ArrayBuffer)).toBe("invalid_utf8");
    expect(code('{"type":"chat",')).toBe("invalid_json");
    expect(code("[".repeat(10_000))).toBe("invalid_json");
  });

  it("names the dialect a packet looks like, to answer errors in it", () => {
    expect(decodeFrame('{"type":"chat_message"}', limits).dialect).toBe("tutorial");
    expect(decodeFrame('{"type":"chat"}', limits).dialect).toBe("native");
  });
});

describe("encode", () => {
  it("writes non-ASCII as raw UTF-8, never as \\u escapes", () => {
    for (const dialect of ["native", "tutorial"] as const) {
      const [frame] = encode({ type: "chat", ...message }, dialect);
      expect(frame).toContain("😀");
      expect(frame).not.toMatch(/\\u/);
    }
  });

  it("speaks the tutorial client's packets", () => {
    expect(encode({ type: "chat", ...message }, "tutorial").map((f) => JSON.parse(f))).toEqual([
      { type: "chat_message", name: "Zoë", message: "héllo 😀", id: 3, seq: 7, ts: 1700000000000 },
    ]);
    expect(JSON.parse(encode({ type: "join", id: 3, name: "Zoë" }, "tutorial")[0]!)).toEqual({
      type: "server_message", message: "Zoë(#3) joined the chat.",
    });
    expect(JSON.parse(encode({ type: "joins", members: [{ id: 3, name: "Zoë" }, { id: 4, name: "Al" }] }, "tutorial")[0]!)).toEqual({
      type: "server_message", message: "Zoë(#3), Al(#4) joined the chat.",
    });
    expect(JSON.parse(encode({ type: "leave", id: 3, name: "Zoë" }, "tutorial")[0]!)).toEqual({
      type: "server_message", message: "Zoë(#3) left the chat.",
    });
    expect(JSON.parse(encode({ type: "leaves", members: [{ id: 3, name: "Zoë" }, { id: 4, name: "Al" }] }, "tutorial")[0]!)).toEqual({
      type: "server_message", message: "Zoë(#3), Al(#4) left the chat.",
    });
    expect(JSON.parse(encode({ type: "error", code: "rate_limited", message: "slow down", retryAfterMs: 200 }, "tutorial")[0]!))
      .toEqual({ type: "server_message", message: "Error: slow down", code: "rate_limited", retryAfterMs: 200 });
  });

  it("gives a tutorial client its history as chat messages in place of a welcome", () => {
    const frames = encode({
      type: "welcome", id: 4, name: "ann", members: [], history: [message, { ...message, seq: 8 }],
      more: false, lastSeq: 8, limits,
    }, "tutorial");
    expect(frames.map((f) => JSON.parse(f).seq)).toEqual([7, 8]);
  });
});

describe("room names", () => {
  it.each([["lobby", true], ["a.b_c-9", true], ["x".repeat(64), true], ["x".repeat(65), false], ["", false],
    ["a/b", false], ["a b", false], ["%41", false], ["é", false]])("%j is valid: %s", (name, valid) => {
    expect(isRoomName(name)).toBe(valid);
  });
});

describe("readConfig", () => {
  it("takes numbers and numeric strings, and refuses anything else by name", () => {
    expect(readConfig({ RATE_LIMIT_BURST: "20", HISTORY_ON_JOIN: 5 })).toMatchObject({
      limits: { rateLimitBurst: 20 }, historyOnJoin: 5,
    });
    expect(() => readConfig({ MAX_MESSAGE_CHARS: "lots" })).toThrow(/MAX_MESSAGE_CHARS/);
    expect(() => readConfig({ HISTORY_RETAINED: 0 })).toThrow(/HISTORY_RETAINED/);
  });
});

describe("TokenBucket", () => {
  it("lets a burst through, then refills at the configured rate and says when to retry", () => {
    const bucket = new TokenBucket(10, 5, 0);
    for (let i = 0; i < 10; i++) expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(200);
    expect(bucket.refusedInARow).toBe(1);
    expect(bucket.take(100)).toBe(100);
    expect(bucket.take(200)).toBe(0);
    expect(bucket.refusedInARow).toBe(0);
    expect(bucket.take(10_000)).toBe(0); // refilled, but never past the burst
    for (let i = 0; i < 9; i++) bucket.take(10_000);
    expect(bucket.take(10_000)).toBeGreaterThan(0);
  });
});
