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
  });

  it("refuses limits under which a frame of the largest size could never be afforded", () => {
    expect(() =>
      readSettings({ MAX_FRAME_BYTES: 65536, RATE_LIMIT_BYTES_PER_TOKEN: 4096, RATE_LIMIT_BURST: 10 }),
    ).toThrow(/RATE_LIMIT_BYTES_PER_TOKEN/);
    expect(readSettings({ MAX_FRAME_BYTES: 65536, RATE_LIMIT_BYTES_PER_TOKEN: 8192 }).limits.maxFrameBytes).toBe(65536);
  });

  it("sends frames of at most MAX_SERVER_FRAME_BYTES, never less than one longest message needs", () => {
    expect(readSettings({}).limits.maxServerFrameBytes).toBe(60_000);
    expect(readSettings({ MAX_SERVER_FRAME_BYTES: "10176" }).limits.maxServerFrameBytes).toBe(10_176);
    expect(() => readSettings({ MAX_SERVER_FRAME_BYTES: 10_175 })).toThrow(
      /MAX_SERVER_FRAME_BYTES must be at least 10176/,
    );
    expect(() => readSettings({ MAX_SERVER_FRAME_BYTES: 60_000, MAX_MESSAGE_CHARS: 20_000 })).toThrow(
      /MAX_SERVER_FRAME_BYTES/,
    );
  });

  it("defaults to the limits that clients assume before a room's welcome", () => {
    expect(readSettings({}).limits).toEqual(DEFAULT_LIMITS);
  });
});
