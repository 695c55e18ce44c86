import { describe, expect, it } from "vitest";
import { nameKey, normalizeName } from "../../../src/shared/names";
import { DEFAULT_LIMITS } from "../../../src/shared/protocol";
import { validateName } from "../../../src/shared/text-rules";

/** The name as the room would keep it, or the error it would answer. */
const checked = (raw: string) => {
  const parsed = validateName(raw, DEFAULT_LIMITS);
  return parsed.ok ? { name: parsed.value } : parsed.error;
};

describe("normalizeName", () => {
  it("stores spaces as they are shown: trimmed, each run of spaces and tabs one space", () => {
    expect(normalizeName("  Ann \u3000\u2003 Lee ")).toBe("Ann Lee");
    expect(normalizeName("Ann\t\u00A0\u202FLee")).toBe("Ann Lee");
    expect(checked(" Ann\t\tLee ")).toEqual({ name: "Ann Lee" });
  });

  it("leaves line breaks for the rules to refuse, not tidied into spaces", () => {
    expect(normalizeName("Ann\nLee")).toBe("Ann\nLee");
    expect(normalizeName("Ann\u2028Lee")).toBe("Ann\u2028Lee");
  });
});

describe("name rules", () => {
  it.each([
    ["a zero-width space", "Ali\u200Bce", /invisible/],
    ["a zero-width joiner between letters", "Ali\u200Dce", /invisible/],
    ["a word joiner", "Ali\u2060ce", /invisible/],
    ["a soft hyphen", "Ali\u00ADce", /invisible/],
    ["only a Hangul filler", "\u3164", /invisible/],
    ["a Hangul filler beside a name", "Alice\u3164", /invisible/],
    ["a half-width Hangul filler", "Alice\uFFA0", /invisible/],
    ["Hangul jamo fillers", "\u115F\u1160Alice", /invisible/],
    ["tag characters", "Alice\u{E0041}\u{E0042}", /invisible/],
    ["a tag character after an emoji", "👍\u{E0041}", /invisible/],
    ["a flag made of tag characters", "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}", /invisible/],
    ["interlinear annotation (format characters)", "A\uFFF9li\uFFFAce\uFFFB", /format/],
    ["a variation selector after a space", "❤ \uFE0F", /invisible/],
    ["a variation selector first", "\uFE0FAnn", /invisible/],
    ["two variation selectors", "❤\uFE0F\uFE0F", /invisible/],
    ["a variation selector after a combining mark", "e\u0301\uFE0F", /invisible/],
    ["a joiner after a letter", "a\u200D👩", /invisible/],
    ["a joiner before a letter", "👩\u200Da", /invisible/],
    ["a joiner at the end", "👩\u200D", /invisible/],
    ["only a braille blank", "\u2800", /blank-looking/],
    ["a braille blank beside a name", "Alice\u2800", /blank-looking/],
    ["a blank musical symbol", "Alice\u{1D159}", /blank-looking/],
    ["the Khitan filler", "Alice\u{16FE4}", /blank-looking/],
    ["a right-to-left override", "\u202EecilA", /bidi/],
    ["a right-to-left mark", "Alice\u200F", /bidi/],
    ["an Arabic letter mark", "Alice\u061C", /bidi/],
    ["an isolate", "\u2068Alice\u2069", /bidi/],
    ["a line separator", "Ali\u2028ce", /line break/],
    ["a paragraph separator", "Ali\u2029ce", /line break/],
    ["a newline", "Ali\nce", /line break/],
    ["a carriage return", "Ali\rce", /line break/],
    ["a next-line control (U+0085)", "Ali\u0085ce", /line break/],
    ["a bell", "Ali\u0007ce", /control/],
    ["a private-use character", "Alice\uE000", /private-use/],
    ["an unassigned code point", "Alice\u0378", /unassigned/],
    ["a noncharacter", "Alice\uFFFF", /unassigned/],
    ["the tutorial's member marker", "Admin(#1) joined the chat. Eve", /"\(#"/],
    ["a full-width member marker", "Admin（＃1） joined", /"\(#"/],
    ["a member marker made with another bracket", "Admin❨#1❩ joined", /"\(#"/],
    ["a colon", "Alice: hi", /":"/],
    ["a full-width colon", "Alice： hi", /":"/],
    ["a ratio sign, which looks like a colon", "Alice∶ hi", /":"/],
    ["a vertical two-dot leader, which looks like a colon", "Alice︰ hi", /":"/],
    ["a modifier letter colon", "Alice꞉ hi", /":"/],
    ["only combining marks", "\u0301\u0301", /show at least one/],
    ["Zalgo text: a letter under 31 strokes", `a${"\u0336".repeat(31)}`, /combining marks/],
    ["four marks on one letter", "Al\u0336\u0336\u0336\u0336ice", /combining marks/],
  ])("refuses a name with %s, saying which rule", (_, raw, rule) => {
    expect(checked(raw)).toMatchObject({ code: "invalid_name", message: expect.stringMatching(rule) });
  });

  it.each([
    "Zoë",
    "李小龍",
    "ann_lee-2",
    "O'Brien",
    "Ann (admin)",
    "#1 fan",
    "Åsa",
    "שלום",
    "مرحبا",
    "दुःख",
    "Ｆｕｌｌ",
    "❤️ Ann",
    "👩‍💻 dev",
    "👍🏽",
    "🧑🏽‍💻",
    "🏳️‍🌈",
    "❤️‍🔥",
    "👨‍👩‍👧‍👦",
    "1️⃣",
    "☺︎",
    "Việt",
    "Vie\u0323\u0302t",
    "קָדוֹשׁ",
    "क्षत्रिय",
    "ALİCE",
  ])("takes %s as it is", (name) => {
    expect(checked(name)).toEqual({ name });
  });
});

describe("nameKey", () => {
  it.each([
    ["case", ["Alice", "alice", "ALICE", "aLiCe"]],
    ["width", ["Alice", "Ａｌｉｃｅ", "ＡＬＩＣＥ"]],
    ["invisible characters", ["Alice", "Ali\u200Bce", "Alice\uFE0F", "\u2060Alice"]],
    ["the sharp s, however written", ["Straße", "STRASSE", "strasse", "STRAẞE"]],
    ["compatibility ligatures", ["ﬁona", "Fiona"]],
    ["Greek final sigma", ["ΟΔΟΣ", "οδος", "οδοσ"]],
    ["a capital I with a dot above, drawn as i", ["ALİCE", "alice", "Alice", "ali\u0307ce"]],
    ["composed and decomposed accents", ["Zoë", "Zoe\u0308", "ZOË"]],
    ["accents an invisible character kept apart", ["Zoë", "Zoe\u200B\u0308"]],
    ["runs of spaces", ["Ann Lee", "ann  lee", "Ann\u3000Lee", " Ann Lee "]],
    ["emoji with and without their joiners", ["👩‍💻 dev", "👩💻 dev", "👩💻️ dev"]],
  ])("is one for names that differ only in %s", (_, names) => {
    const keys = new Set(names.map(nameKey));
    expect([...keys]).toHaveLength(1);
  });

  it.each([
    ["Ann", "Anne"],
    ["Alice", "Alicia"],
    ["Alice", "Al ice"],
    // NFKC does not strip accents: these are two names, as they are to those who write them.
    ["Zoë", "Zoe"],
    ["Åsa", "Asa"],
    // Look-alike letters of other scripts are not folded (that would need UTS #39's confusables).
    ["Alice", "\u0410lice"],
  ])("tells %s from %s", (a, b) => {
    expect(nameKey(a)).not.toBe(nameKey(b));
  });
});
