// Honest names and safe text. A name is how members tell each other apart, so nobody may take a name that looks
// like another member's, or one that looks like nothing, or one that rewrites the line it is shown in. And no text
// may reorder what is shown around it. The rules (docs/protocol.md, "Names and text"):
// - In a name, every run of spaces (of any width) becomes one space, so what is stored is what is shown.
// - A name must show a letter, digit, punctuation mark or symbol, and may not contain bidi controls, line or
//   paragraph separators, invisible (default-ignorable) characters, blank-looking symbols, private-use or
//   unassigned code points, ':' or the tutorial's member marker '(#'. Emoji sequences stay possible: a variation
//   selector after a visible character, and a zero-width joiner between two pictographs, are allowed.
// - Names are unique in a room by `nameKey`: compared after NFKC, case folding, and removal of invisible characters.
// - Bidi controls in a message are confined to it (`confineBidi`).
// Confusable letters across scripts (a Cyrillic 'а' for a Latin 'a') are not folded: that needs Unicode's
// confusables table (UTS #39), not a rule of thumb.

export const NAME_TAKEN_RULE = "names are unique in a room, compared ignoring case, width and invisible characters";

/** Spaces of every width; line breaks are not among them (they are refused, not tidied). */
const WHITESPACE_RUN = /\p{Space_Separator}+/gu;
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const LINE_SEPARATORS = /[\u2028\u2029]/u;
/** Symbols that draw nothing, though Unicode does not call them ignorable (U+2800 BRAILLE PATTERN BLANK…). */
const BLANK_LOOKING = /[\u2800\u3164\uFFA0\u115F\u1160\u{1D159}\u{1D173}-\u{1D17A}]/u;
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
const INVISIBLE_ALL = /\p{Default_Ignorable_Code_Point}/gu;
const PRIVATE_OR_UNASSIGNED = /[\p{Co}\p{Cn}]/u;
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;
/** The invisible characters that emoji need: a variation selector after a visible character, a joiner between pictographs. */
const EMOJI_PRESENTATION = /(?<=[^\p{Default_Ignorable_Code_Point}\p{White_Space}])[\uFE0E\uFE0F]/gu;
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?)\u200D(?=\p{Extended_Pictographic})/gu;

/** A name with its spaces as they will be shown: trimmed, every run of spaces one space. */
export function normalizeName(raw: string): string {
  return raw.trim().replace(WHITESPACE_RUN, " ");
}

/** What is wrong with a name (already normalized), or undefined if it is a good one. */
export function nameProblem(name: string): string | undefined {
  if (name.includes("(#")) return "name must not contain \"(#\", which marks members in the tutorial's chat lines";
  if (name.includes(":")) return "name must not contain \":\", which ends the name in a chat line";
  if (BIDI_CONTROLS.test(name)) return "name must not contain bidi controls";
  if (LINE_SEPARATORS.test(name)) return "name must not contain line or paragraph separators";
  if (BLANK_LOOKING.test(name)) return "name must not contain blank-looking characters";
  if (INVISIBLE.test(name.replace(EMOJI_PRESENTATION, "").replace(EMOJI_JOINER, ""))) {
    return "name must not contain invisible characters (zero-width, fillers, tags…), except in emoji";
  }
  if (PRIVATE_OR_UNASSIGNED.test(name)) return "name must not contain private-use or unassigned characters";
  if (!VISIBLE.test(name)) return "name must show at least one letter, digit, punctuation mark or symbol";
  return undefined;
}

/**
 * The key under which a room compares names: NFKC (full-width 'Ａ' is 'A', 'ﬁ' is 'fi'), then case folded ('ß',
 * 'SS' and 'ss' are one; upper- then lower-casing approximates Unicode's full case folding), then without invisible
 * characters and with whitespace runs as one space. Accents stay: 'Zoë' and 'Zoe' are two names.
 */
export function nameKey(name: string): string {
  return name.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC")
    .replace(INVISIBLE_ALL, "").replace(WHITESPACE_RUN, " ").trim();
}

// ---------------------------------------------------------------------------------------------------------------

const EMBEDDING_OPENERS = new Set(["\u202A", "\u202B", "\u202D", "\u202E"]); // LRE RLE LRO RLO, closed by PDF
const ISOLATE_OPENERS = new Set(["\u2066", "\u2067", "\u2068"]); // LRI RLI FSI, closed by PDI
const PDF = "\u202C";
const PDI = "\u2069";

/**
 * Confines a text's bidi controls to the text (UAX #9): a closer with no opener of its own is dropped (it could
 * close one opened around the text), and every opener left open is closed at the end. A PDI also closes the
 * embeddings opened after its isolate.
 */
export function confineBidi(text: string): string {
  if (!/[\u202A-\u202E\u2066-\u2069]/u.test(text)) return text;
  const open: string[] = [];
  let out = "";
  for (const char of text) {
    if (EMBEDDING_OPENERS.has(char) || ISOLATE_OPENERS.has(char)) {
      open.push(char);
    } else if (char === PDF) {
      if (open.length === 0 || !EMBEDDING_OPENERS.has(open.at(-1)!)) continue;
      open.pop();
    } else if (char === PDI) {
      const isolate = open.findLastIndex((opener) => ISOLATE_OPENERS.has(opener));
      if (isolate === -1) continue;
      open.length = isolate;
    }
    out += char;
  }
  for (let i = open.length - 1; i >= 0; i--) out += ISOLATE_OPENERS.has(open[i]!) ? PDI : PDF;
  return out;
}
