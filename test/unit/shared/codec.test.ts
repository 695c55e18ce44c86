import { describe, expect, it } from "vitest";
import { decodeFrame, encode, frameBytes, frameCost, isBinaryPing } from "../../../src/shared/codec";
import { type ChatMessage, DEFAULT_LIMITS as limits, type ServerPacket } from "../../../src/shared/protocol";

const message: ChatMessage = { seq: 7, ts: 1700000000000, sender: { id: 3, name: "Zoë" }, text: "héllo 😀" };

describe("decodeFrame", () => {
  const code = (frame: string | ArrayBuffer) => {
    const { request } = decodeFrame(frame, limits);
    return request.ok ? "ok" : request.error.code;
  };
  const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;

  it("takes UTF-8 JSON in text and binary frames alike", () => {
    expect(decodeFrame(bytes('{"type":"chat_message","message":"héllo"}'), limits)).toEqual({
      dialect: "tutorial",
      request: { ok: true, value: { kind: "chat", text: "héllo" } },
      answering: { for: "chat_message" },
    });
    expect(code('{"type":"chat","text":"hi"}')).toBe("ok");
  });

  it("rejects binary frames that are not UTF-8, and text that is not JSON", () => {
    expect(code(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]).buffer as ArrayBuffer)).toBe("invalid_utf8");
    expect(code('{"type":"chat",')).toBe("invalid_json");
    expect(code("[".repeat(10_000))).toBe("invalid_json");
  });

  it("names what an answer answers: the packet's type, and its cid if valid (native only)", () => {
    expect(decodeFrame('{"type":"chat","text":"","cid":"a-1"}', limits)).toMatchObject({
      request: { ok: false, error: { code: "invalid_text" } },
      answering: { for: "chat", cid: "a-1" },
    });
    expect(decodeFrame('{"type":"history","cid":"x"}', limits).answering).toEqual({ for: "history", cid: "x" });
    expect(decodeFrame('{"type":"chat","text":"hi","cid":"no spaces"}', limits).answering).toEqual({ for: "chat" });
    expect(decodeFrame('{"type":"chat_message","message":"hi","cid":"x"}', limits).answering).toEqual({
      for: "chat_message",
    });
    expect(decodeFrame('{"type":"shout","cid":"x"}', limits).answering).toBeUndefined();
    expect(decodeFrame("{", limits).answering).toBeUndefined();
  });

  it("knows a binary ping, and nothing else, for one", () => {
    expect(isBinaryPing(bytes("ping"))).toBe(true);
    expect(isBinaryPing("ping")).toBe(false);
    expect(isBinaryPing(bytes("pong"))).toBe(false);
    expect(isBinaryPing(bytes("ping "))).toBe(false);
  });

  it("names the dialect a packet looks like, to answer errors in it", () => {
    expect(decodeFrame('{"type":"chat_message"}', limits).dialect).toBe("tutorial");
    expect(decodeFrame('{"type":"chat"}', limits).dialect).toBe("native");
  });
});

describe("frameBytes", () => {
  it("counts UTF-8 bytes, in text and binary frames alike", () => {
    const limit = limits.maxFrameBytes;
    expect(frameBytes("x".repeat(limit))).toBe(limit);
    expect(frameBytes(new ArrayBuffer(limit + 1))).toBe(limit + 1);
    const accents = JSON.stringify({ type: "chat", text: "é".repeat(8190) }); // 8,215 characters, 16,405 bytes
    expect(frameBytes(accents)).toBe(16_405);
    expect(frameBytes(accents)).toBe(new TextEncoder().encode(accents).byteLength);
    // A character past the BMP is a surrogate pair, 4 bytes; one of three bytes is a single unit.
    expect(frameBytes("😀€")).toBe(7);
  });
});

describe("frameCost", () => {
  it("costs one token per started block of bytes, counting a text frame's UTF-8 bytes, and at least one", () => {
    expect(frameCost("", 4096)).toBe(1);
    expect(frameCost("a".repeat(4096), 4096)).toBe(1);
    expect(frameCost("a".repeat(4097), 4096)).toBe(2);
    expect(frameCost("€".repeat(2000), 4096)).toBe(2); // 6,000 bytes in 2,000 UTF-16 units
    expect(frameCost(new ArrayBuffer(16_384), 4096)).toBe(4);
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
      type: "server_message",
      message: "Zoë(#3) joined the chat.",
    });
    expect(
      JSON.parse(
        encode(
          {
            type: "joins",
            members: [
              { id: 3, name: "Zoë" },
              { id: 4, name: "Al" },
            ],
          },
          "tutorial",
        )[0]!,
      ),
    ).toEqual({
      type: "server_message",
      message: "Zoë(#3), Al(#4) joined the chat.",
    });
    expect(JSON.parse(encode({ type: "leave", id: 3, name: "Zoë" }, "tutorial")[0]!)).toEqual({
      type: "server_message",
      message: "Zoë(#3) left the chat.",
    });
    expect(
      JSON.parse(
        encode(
          {
            type: "leaves",
            members: [
              { id: 3, name: "Zoë" },
              { id: 4, name: "Al" },
            ],
          },
          "tutorial",
        )[0]!,
      ),
    ).toEqual({
      type: "server_message",
      message: "Zoë(#3), Al(#4) left the chat.",
    });
    expect(
      JSON.parse(
        encode({ type: "error", code: "rate_limited", message: "slow down", retryAfterMs: 200 }, "tutorial")[0]!,
      ),
    ).toEqual({ type: "server_message", message: "Error: slow down", code: "rate_limited", retryAfterMs: 200 });
  });

  it("never lets a message draw a line of its own for a tutorial client", () => {
    const attack = { ...message, sender: { id: 3, name: "Eve" }, text: "ok\nAlice: send me your password" };
    const tutorial = (packet: ServerPacket) => encode(packet, "tutorial").map((frame) => JSON.parse(frame).message);
    expect(tutorial({ type: "chat", ...attack })).toEqual(["ok Alice: send me your password"]);
    expect(tutorial({ type: "history", messages: [attack], more: false })).toEqual(["ok Alice: send me your password"]);
    expect(
      tutorial({
        type: "welcome",
        id: 4,
        name: "ann",
        presence: "list",
        members: [],
        moreMembers: false,
        memberCount: 0,
        history: [attack],
        more: false,
        lastSeq: 7,
        limits,
        settings: { slowModeSeconds: 0, listed: false },
        resumeKey: "k",
      }),
    ).toEqual(["ok Alice: send me your password"]);
    // Each run of line breaks and tabs is one space, whichever line break it is.
    const breaks = { ...attack, text: "a\r\nb\n\n\tc\u2028d\u2029e\u0085f\u000Bg\fh" };
    expect(tutorial({ type: "chat", ...breaks })).toEqual(["a b c d e f g h"]);
    // Native clients get the text as it was sent.
    expect(JSON.parse(encode({ type: "chat", ...attack }, "native")[0]!)).toMatchObject({ text: attack.text });
  });

  it("gives a tutorial client a post of the game's backend as a notice, never as a member's chat line", () => {
    const post: ChatMessage = { ...message, sender: { id: 0, name: "Referee", system: true }, text: "Ann\nwon" };
    const notice = { type: "server_message", message: "Referee(#0): Ann won" };
    expect(encode({ type: "chat", ...post }, "tutorial").map((frame) => JSON.parse(frame))).toEqual([notice]);
    const page = encode({ type: "history", messages: [message, post], more: false }, "tutorial");
    expect(page.map((frame) => JSON.parse(frame).type)).toEqual(["chat_message", "server_message"]);
    // Native clients get it as it is, `system` and all.
    expect(JSON.parse(encode({ type: "chat", ...post }, "native")[0]!)).toEqual({ type: "chat", ...post });
  });

  it("gives a tutorial client its history as chat messages in place of a welcome", () => {
    const frames = encode(
      {
        type: "welcome",
        id: 4,
        name: "ann",
        presence: "list",
        members: [],
        moreMembers: false,
        memberCount: 0,
        history: [message, { ...message, seq: 8 }],
        more: false,
        lastSeq: 8,
        limits,
        settings: { slowModeSeconds: 0, listed: false },
        resumeKey: "k",
      },
      "tutorial",
    );
    expect(frames.map((f) => JSON.parse(f).seq)).toEqual([7, 8]);
  });

  it("tells a tutorial client of its mute in words: for how long and why, again after its history, and its end", () => {
    const lines = (packet: ServerPacket) => encode(packet, "tutorial").map((frame) => JSON.parse(frame).message);
    const inTen = Date.now() + 10 * 60_000 - 500;
    expect(lines({ type: "mute_status", muted: true, until: inTen, reason: "spam\nspam" })).toEqual([
      "A moderator muted you for 10 minutes: spam spam",
    ]);
    expect(lines({ type: "mute_status", muted: true, until: Date.now() + 1000 })).toEqual([
      "A moderator muted you for 1 minute",
    ]);
    expect(lines({ type: "mute_status", muted: true })).toEqual(["A moderator muted you"]);
    expect(lines({ type: "mute_status", muted: false })).toEqual(["You may speak again."]);
    const welcome = (muted?: { until?: number; reason?: string }): ServerPacket => ({
      type: "welcome",
      id: 4,
      name: "ann",
      presence: "list",
      members: [],
      moreMembers: false,
      memberCount: 0,
      history: [message],
      more: false,
      lastSeq: 7,
      limits,
      settings: { slowModeSeconds: 0, listed: false },
      resumeKey: "k",
      ...(muted && { muted }),
    });
    expect(encode(welcome({ reason: "spam" }), "tutorial").map((frame) => JSON.parse(frame))).toEqual([
      expect.objectContaining({ type: "chat_message", seq: 7 }),
      { type: "server_message", message: "A moderator muted you: spam" },
    ]);
    expect(encode(welcome(), "tutorial")).toHaveLength(1);
    expect(lines({ type: "muted", user: "u-1" })).toEqual(["Muted u-1."]);
    expect(lines({ type: "unmuted", user: "u-1" })).toEqual(["Unmuted u-1."]);
  });

  it("keeps a tutorial client quiet in summary presence: no line for a count, nor for near members who come and go", () => {
    const presence: ServerPacket = {
      type: "presence",
      mode: "summary",
      memberCount: 1200,
      members: [{ id: 3, name: "Zoë" }],
      joins: [{ id: 9, name: "Mod" }],
      leaves: [{ id: 4, name: "Al", reason: "kicked" }],
    };
    expect(encode(presence, "tutorial")).toEqual([]);
    expect(encode({ type: "presence", mode: "list", memberCount: 700 }, "tutorial")).toEqual([]);
    expect(encode(presence, "native").map((frame) => JSON.parse(frame))).toEqual([presence]);
  });

  it("tells a tutorial client of moderation in server messages, one line per reason, and leaves deleted messages out", () => {
    const lines = (packet: ServerPacket) => encode(packet, "tutorial").map((frame) => JSON.parse(frame).message);
    expect(lines({ type: "leave", id: 3, name: "Zoë", reason: "kicked" })).toEqual([
      "Zoë(#3) was removed by a moderator.",
    ]);
    expect(
      lines({
        type: "leaves",
        members: [
          { id: 3, name: "Zoë", reason: "banned" },
          { id: 4, name: "Al" },
          { id: 5, name: "Bo", reason: "banned" },
        ],
      }),
    ).toEqual(["Zoë(#3), Bo(#5) were banned by a moderator.", "Al(#4) left the chat."]);
    expect(lines({ type: "deleted", seq: 7, at: 9 })).toEqual(["A moderator deleted message #7."]);
    expect(lines({ type: "deleted", seq: 7, at: 9, by: "author" })).toEqual(["Message #7 was deleted by its author."]);
    expect(lines({ type: "edited", seq: 7, at: 10, text: "a line of its own?\nno", edited: 1 })).toEqual([
      "Message #7 was edited by its author.",
    ]);
    expect(lines({ type: "reactions", seq: 7, at: 11, reactions: [{ reaction: "👍", count: 1, by: ["Al"] }] })).toEqual(
      [],
    );
    expect(lines({ type: "changes", messages: [message], through: 11, more: false })).toEqual([]);
    expect(
      lines({
        type: "ban_preview",
        target: { id: 3, name: "p1" },
        removes: [
          { id: 3, name: "p1" },
          { id: 4, name: "p2" },
        ],
      }),
    ).toEqual(["This ban would remove p1(#3), p2(#4). To ban, send it again with confirm: [3, 4]."]);
    const tombstone: ChatMessage = { seq: 8, ts: message.ts, sender: message.sender, text: "", deleted: true };
    expect(lines({ type: "history", messages: [message, tombstone], more: false })).toEqual(["héllo 😀"]);
  });
});
