import { describe, expect, it } from "vitest";
import { readSettings } from "../../../../src/server/config/settings";
import { DEFAULT_LIMITS } from "../../../../src/shared/protocol";

describe("readSettings", () => {
  it("takes numbers and numeric strings, and refuses anything else by name", () => {
    expect(readSettings({ RATE_LIMIT_BURST: "20", HISTORY_ON_JOIN: 5, MAX_TOKEN_LIFE_SECONDS: "3600" })).toMatchObject({
      limits: { rateLimitBurst: 20 },
      historyOnJoin: 5,
      maxTokenLifeSeconds: 3600,
    });
    expect(() => readSettings({ MAX_TOKEN_LIFE_SECONDS: "1h" })).toThrow(/MAX_TOKEN_LIFE_SECONDS/);
    expect(() => readSettings({ MAX_MESSAGE_CHARS: "lots" })).toThrow(/MAX_MESSAGE_CHARS/);
    expect(() => readSettings({ HISTORY_RETAINED: 0 })).toThrow(/HISTORY_RETAINED/);
    // 0 is no edit window (no limit), and the one setting where 0 means anything.
    expect(readSettings({ EDIT_WINDOW_SECONDS: "0" }).limits.editWindowSeconds).toBe(0);
    expect(readSettings({ EDIT_WINDOW_SECONDS: 300 }).limits.editWindowSeconds).toBe(300);
    expect(() => readSettings({ EDIT_WINDOW_SECONDS: -1 })).toThrow(/EDIT_WINDOW_SECONDS must be a whole number/);
    expect(() => readSettings({ MAX_DATA_BYTES: 0 })).toThrow(/MAX_DATA_BYTES must be a positive whole number/);
    expect(() => readSettings({ MAX_REACTIONS_PER_MESSAGE: "1.5" })).toThrow(/MAX_REACTIONS_PER_MESSAGE/);
  });

  it("refuses limits under which a frame of the largest size could never be afforded", () => {
    expect(() =>
      readSettings({ MAX_FRAME_BYTES: 65536, RATE_LIMIT_BYTES_PER_TOKEN: 4096, RATE_LIMIT_BURST: 10 }),
    ).toThrow(/RATE_LIMIT_BYTES_PER_TOKEN/);
    expect(readSettings({ MAX_FRAME_BYTES: 65536, RATE_LIMIT_BYTES_PER_TOKEN: 8192 }).limits.maxFrameBytes).toBe(65536);
  });

  it("sends frames of at most MAX_SERVER_FRAME_BYTES, never less than one longest message needs", () => {
    expect(readSettings({}).limits.maxServerFrameBytes).toBe(60_000);
    expect(readSettings({ MAX_SERVER_FRAME_BYTES: "44232" }).limits.maxServerFrameBytes).toBe(44_232);
    expect(() => readSettings({ MAX_SERVER_FRAME_BYTES: 44_231 })).toThrow(
      /MAX_SERVER_FRAME_BYTES must be at least 44232/,
    );
    // What a message may carry counts: fewer reactions, less data, a smaller floor.
    const lighter = { MAX_SERVER_FRAME_BYTES: 16_384, MAX_REACTIONS_PER_MESSAGE: 2, MAX_DATA_BYTES: 1024 };
    expect(readSettings(lighter).limits).toMatchObject({ maxServerFrameBytes: 16_384, maxReactionsPerMessage: 2 });
    expect(() => readSettings({ MAX_SERVER_FRAME_BYTES: 60_000, MAX_MESSAGE_CHARS: 20_000 })).toThrow(
      /MAX_SERVER_FRAME_BYTES/,
    );
  });

  it("reads BLOCKED_WORDS as comma-separated entries, and refuses one that cannot be blocked by name", () => {
    expect(readSettings({}).blockedWords).toEqual([]);
    expect(readSettings({ BLOCKED_WORDS: " zonk, frobnicate the widget ,, " }).blockedWords).toEqual([
      "zonk",
      "frobnicate the widget",
    ]);
    expect(() => readSettings({ BLOCKED_WORDS: "fine, !!!" })).toThrow(/BLOCKED_WORDS/);
    expect(() => readSettings({ BLOCKED_WORDS: `fine, ${"x".repeat(65)}` })).toThrow(/BLOCKED_WORDS/);
  });

  it("defaults to the limits that clients assume before a room's welcome", () => {
    expect(readSettings({}).limits).toEqual(DEFAULT_LIMITS);
  });

  it("turns webhooks on with WEBHOOK_URL, which needs a WEBHOOK_SECRET of the Standard Webhooks form", () => {
    const secret = `whsec_${btoa("k".repeat(24))}`;
    expect(readSettings({}).webhook).toBeUndefined();
    expect(readSettings({ WEBHOOK_URL: "" }).webhook).toBeUndefined();
    expect(readSettings({ WEBHOOK_URL: "https://backend.example/hooks", WEBHOOK_SECRET: secret }).webhook).toEqual({
      url: "https://backend.example/hooks",
      secret,
      backlogMax: 10_000,
    });
    const on = { WEBHOOK_URL: "http://127.0.0.1:9000/", WEBHOOK_SECRET: secret, WEBHOOK_BACKLOG_MAX: "50" };
    expect(readSettings(on).webhook?.backlogMax).toBe(50);
    expect(() => readSettings({ ...on, WEBHOOK_BACKLOG_MAX: 0 })).toThrow(/WEBHOOK_BACKLOG_MAX/);
    expect(() => readSettings({ WEBHOOK_URL: "backend.example", WEBHOOK_SECRET: secret })).toThrow(/WEBHOOK_URL/);
    expect(() => readSettings({ WEBHOOK_URL: "ftp://backend.example", WEBHOOK_SECRET: secret })).toThrow(/WEBHOOK_URL/);
    for (const bad of [
      undefined,
      "",
      "k".repeat(40),
      `whsec_${btoa("short")}`,
      "whsec_not base64!",
      `whsec_${btoa("k".repeat(24)).slice(1)}`,
    ]) {
      expect(() => readSettings({ WEBHOOK_URL: "https://backend.example", WEBHOOK_SECRET: bad }), String(bad)).toThrow(
        /WEBHOOK_SECRET/,
      );
    }
  });
});
