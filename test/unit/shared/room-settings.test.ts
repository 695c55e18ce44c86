import { describe, expect, it } from "vitest";
import { applySettings, parseSettingsChange, validateTitle } from "../../../src/shared/room-settings";

describe("a change to a room's settings", () => {
  it("takes the fields given, trimmed, and ignores others", () => {
    expect(parseSettingsChange({ type: "settings", slowModeSeconds: 0, title: "  Ranked  ", extra: 1 })).toEqual({
      ok: true,
      value: { slowModeSeconds: 0, title: "Ranked" },
    });
    expect(parseSettingsChange({ listed: false })).toEqual({ ok: true, value: { listed: false } });
  });

  it("refuses nothing to change, and any field out of its rule", () => {
    for (const [packet, code] of [
      [{ type: "settings" }, "invalid_field"],
      [{ slowModeSeconds: 3601 }, "invalid_field"],
      [{ slowModeSeconds: "5" }, "invalid_field"],
      [{ listed: 1 }, "invalid_field"],
      [{ title: "" }, "invalid_text"],
      [{ title: "x".repeat(65) }, "invalid_text"],
      [{ title: "tab\there" }, "invalid_text"],
      [{ slowModeSeconds: 10, title: null }, "invalid_field"],
    ] as const) {
      const parsed = parseSettingsChange(packet as Record<string, unknown>);
      expect(parsed.ok, JSON.stringify(packet)).toBe(false);
      if (!parsed.ok) expect(parsed.error.code).toBe(code);
    }
  });

  it("counts a title's characters as a person does, up to 64", () => {
    expect(validateTitle("🎮".repeat(64))).toMatchObject({ ok: true });
    expect(validateTitle("🎮".repeat(65))).toMatchObject({ ok: false });
  });

  it("says which fields changed value", () => {
    const before = { slowModeSeconds: 10, listed: true, title: "A" };
    expect(applySettings(before, { slowModeSeconds: 10, title: "B" })).toEqual({
      settings: { slowModeSeconds: 10, listed: true, title: "B" },
      changed: ["title"],
    });
    expect(applySettings(before, { listed: true }).changed).toEqual([]);
  });
});
