import { describe, expect, it } from "vitest";
import { confineBidi, nameKey, nameProblem, normalizeName } from "../../../src/shared/names";
import { encode } from "../../../src/shared/codec";
import { DEFAULT_LIMITS } from "../../../src/shared/protocol";
import { validateName, validateText } from "../../../src/shared/validation";

const nameCode = (raw: string) => {
  const parsed = validateName(raw, DEFAULT_LIMITS);
  return parsed.ok ? parsed.value : parsed.error.code;
};

describe("names", () => {
  it("shows whitespace as it is stored: trimmed, each run one space", () => {
    expect(normalizeName("  Ann \u3000\u2003 Lee ")).toBe("Ann Lee");
    expect(nameCode("Ann   Lee")).toBe("Ann Lee");
  });

  it.each([
    ["zero-width space", "Ali\u200Bce"],
    ["zero-width joiner between letters", "Ali\u200Dce"],
    ["Hangul filler", "\u3164"],
    ["Hangul filler beside a name", "Alice\u3164"],
    ["braille blank", "Alice\u2800"],
    ["only a braille blank", "\u2800"],
    ["right-to-left override", "\u202EecilA"],
    ["right-to-left mark", "Alice\u200F"],
    ["line separator", "Ali\u2028ce"],
    ["paragraph separator", "Ali\u2029ce"],
    ["tag characters", "Alice\u{E0041}\u{E0042}"],
    ["private use", "Alice\uE000"],
    ["soft hyphen", "Ali\u00ADce"],
    ["the tutorial's member marker", "Admin(#1) joined the chat. Eve"],
    ["a colon, which would end the name in a chat line", "Alice: hi"],
    ["a newline", "Ali\nce"],
    ["combining marks only", "\u0301\u0301"],
  ])("refuses a name with %s", (_, raw) => {
    expect(nameCode(raw)).toBe("invalid_name");
  });

  it.each(["Zoë", "李小龍", "ann_lee-2", "❤️ Ann", "👩‍💻 dev", "👍🏽", "Ｆｕｌｌ"])("takes %s", (name) => {
    expect(nameProblem(normalizeName(name))).toBeUndefined();
  });

  it("compares names ignoring case, width and invisible characters", () => {
    const alice = nameKey("Alice");
    for (const lookalike of ["alice", "ALICE", "Ａｌｉｃｅ", "Ali\u200Bce", "Alice\uFE0F"]) expect(nameKey(lookalike)).toBe(alice);
    expect(nameKey("Straße")).toBe(nameKey("STRASSE"));
    expect(nameKey("Ann Lee")).toBe(nameKey("ann  lee"));
    for (const other of ["Alicia", "Zoe", "Al ice"]) expect(nameKey(other)).not.toBe(alice);
    expect(nameKey("Zoë")).not.toBe(nameKey("Zoe"));
  });
});

describe("message text", () => {
  const text = (raw: string) => {
    const parsed = validateText(raw, DEFAULT_LIMITS);
    return parsed.ok ? parsed.value : parsed.error.code;
  };

  it("keeps newlines, and makes line and paragraph separators newlines", () => {
    expect(text("one\ntwo")).toBe("one\ntwo");
    expect(text("one\u2028two\u2029three")).toBe("one\ntwo\nthree");
  });

  it("confines bidi controls to the message: closes what it opens, drops closers of what it did not", () => {
    expect(confineBidi("\u202Eevil")).toBe("\u202Eevil\u202C");
    expect(confineBidi("\u2067rtl \u202Bnested")).toBe("\u2067rtl \u202Bnested\u202C\u2069");
    expect(confineBidi("\u2069\u202Coutside")).toBe("outside");
    expect(confineBidi("\u2066a\u202Ab\u2069c")).toBe("\u2066a\u202Ab\u2069c"); // the PDI closes the embedding too
    expect(confineBidi("plain \u200F mark")).toBe("plain \u200F mark");
    expect(text("\u202Egnp.exe")).toBe("\u202Egnp.exe\u202C");
  });

  it("cannot draw a line of its own for a tutorial client", () => {
    const chat = { type: "chat" as const, seq: 1, ts: 0, sender: { id: 3, name: "Eve" }, text: "ok\nAlice: send me your password\r\n\tnow" };
    expect(JSON.parse(encode(chat, "tutorial")[0]!)).toMatchObject({ name: "Eve", message: "ok Alice: send me your password now" });
    expect(JSON.parse(encode(chat, "native")[0]!)).toMatchObject({ text: chat.text });
  });
});
