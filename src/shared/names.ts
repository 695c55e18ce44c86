// Honest names. A name is how members tell each other apart, so nobody may take a name that looks like another
// member's, or one that looks like nothing, or one that rewrites the line it is shown in. The rules, stated for
// users in docs/protocol.md ("Names and text"):
// - In a name, every run of spaces and tabs becomes one space, and the ends are trimmed: what is stored is what is
//   shown. Line breaks are not tidied into spaces but refused, like every other control character.
// - What is left may hold letters, marks, digits, punctuation, symbols and spaces, and must show a letter, digit,
//   punctuation mark or symbol. Refused: bidi controls, format and other invisible (default-ignorable) characters, blank-looking
//   symbols, private-use and unassigned code points; except that emoji stay possible (a variation selector after a
//   visible character, a zero-width joiner between two pictographs).
// - A name must not look like the punctuation the tutorial client draws around names: ':' (every chat line there
//   is `name: message`) and '(#' (every notice names members as `name(#id)`).
// - Names are unique in a room by `nameKey`.
// Confusable letters across scripts (a Cyrillic 'а' for a Latin 'a') are not folded: that needs Unicode's
// confusables table (UTS #39), not a rule of thumb.
//
// Which code points are assigned, pictographic or ignorable is the JavaScript engine's Unicode version: a browser
// older than the room may refuse a name made of characters newer than it knows, never the other way round.

/**
 * What the tutorial dialect shows after a guest's name (an anonymous member of a room that verifies tokens): that
 * dialect has no other way to tell a verified member from one who only took the same-looking name.
 */
export const GUEST_MARK = " (guest)";

/** Whether a name ends like a guest's mark, by key: a verified member's name must not (identity.ts). */
export const endsLikeGuest = (name: string): boolean => nameKey(name).endsWith(nameKey(GUEST_MARK.trim()));

/**
 * The name a guest takes when it must give up its own to a verified member (who always gets its name): `name 2`,
 * `name 3`… (the name cut to fit `maxChars`), the first that `taken` says is free.
 */
export function guestName(name: string, maxChars: number, taken: (name: string) => boolean): string {
  for (let n = 2; ; n++) {
    const suffix = ` ${n}`;
    const cut = [...name]
      .slice(0, Math.max(1, maxChars - suffix.length))
      .join("")
      .trim();
    // Cutting may leave half an emoji, which no name may end with.
    const candidate = nameProblem(`${cut}${suffix}`) === undefined ? `${cut}${suffix}` : `guest${suffix}`;
    if (!taken(candidate)) return candidate;
  }
}

/** The message tail of a `name_taken` error. */
export const NAME_TAKEN_RULE = "names are unique in a room, compared ignoring case, width and invisible characters";

/** Spaces of every width, and tabs: `\p{White_Space}` but for the line breaks. */
const SPACE_RUN = /[\t\p{Space_Separator}]+/gu;
const LINE_BREAKS = /[\n\v\f\r\u0085\u2028\u2029]/u;
const CONTROLS = /\p{Cc}/u;
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
/**
 * Symbols and marks that draw nothing though Unicode does not call them ignorable. The Hangul fillers (U+115F,
 * U+1160, U+3164, U+FFA0) look as empty, but they are default-ignorable: the invisible rule has them.
 */
const BLANK_LOOKING = /[\u2800\u{16FE4}\u{1D159}]/u;
/** Default-ignorable code points (zero-width characters, fillers, variation selectors, tags…) and format controls. */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/u;
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const PRIVATE_OR_UNASSIGNED = /[\p{Co}\p{Cn}]/u;
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;
/** The invisible characters emoji need: a variation selector after a visible character, a joiner between pictographs. */
const EMOJI_PRESENTATION = /(?<=[\p{L}\p{N}\p{P}\p{S}])[\uFE0E\uFE0F]/gu;
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?)\u200D(?=\p{Extended_Pictographic})/gu;
/**
 * A colon, or a character Unicode lists as confusable with one (UTS #39 confusables.txt); NFKC turns the full-width,
 * small and vertical colons into ':'. Left out: the Devanagari and Gujarati visarga, vowel signs inside words.
 */
const COLON_LIKE = /[:\u02D0\u02F8\u0589\u05C3\u0703\u0704\u16EC\u1803\u1809\u205A\u2236\uA4FD\uA789\uFE30]/u;
/** The tutorial's member marker `(#`, or any other opening bracket before a '#' (NFKC makes '（＃' one too). */
const MEMBER_MARKER = /\p{Ps}#/u;
/**
 * Combining marks that stack on one character: more than this many (after NFC, which folds the usual accents into
 * their letters) is "Zalgo" text drawn over the lines around it. Three leave room for every script's real stacks
 * (Vietnamese, Hebrew points, Indic signs, a keycap emoji).
 */
const MAX_MARKS_PER_CHARACTER = 3;
const STACKED_MARKS = new RegExp(`[\\p{Mn}\\p{Me}]{${MAX_MARKS_PER_CHARACTER + 1},}`, "u");
/** An 'i' with a combining dot above: 'İ' (U+0130) lower-cased, and drawn just like 'i'. */
const DOTTED_I = /i\u0307/g;

/** A name with its spaces as they will be shown: trimmed, every run of spaces and tabs one space. */
export function normalizeName(raw: string): string {
  return raw.trim().replace(SPACE_RUN, " ");
}

/** Which rule a name (already normalized) breaks, in words for the one who chose it; undefined if none. */
export function nameProblem(name: string): string | undefined {
  // Punctuation is looked for in the name as written and after NFKC: '：' is ':' only after, '︰' looks like one before.
  const compatible = name.normalize("NFKC");
  const looksLike = (pattern: RegExp) => pattern.test(name) || pattern.test(compatible);
  if (LINE_BREAKS.test(name)) return "name must not contain line breaks";
  if (CONTROLS.test(name)) return "name must not contain control characters";
  if (BIDI_CONTROLS.test(name)) return "name must not contain bidi controls";
  if (looksLike(MEMBER_MARKER)) {
    return 'name must not contain "(#", which marks members in the tutorial\'s notices';
  }
  if (looksLike(COLON_LIKE)) {
    return 'name must not contain ":" or a look-alike, which ends the name in the tutorial\'s chat lines';
  }
  if (BLANK_LOOKING.test(name)) return "name must not contain blank-looking characters";
  if (INVISIBLE.test(name.replace(EMOJI_PRESENTATION, "").replace(EMOJI_JOINER, ""))) {
    return "name must not contain invisible or format characters (zero-width, fillers, tags…), except in emoji";
  }
  if (PRIVATE_OR_UNASSIGNED.test(name)) return "name must not contain private-use or unassigned characters";
  if (STACKED_MARKS.test(name.normalize("NFC"))) {
    return `name must not stack more than ${MAX_MARKS_PER_CHARACTER} combining marks on one character`;
  }
  if (!VISIBLE.test(name)) return "name must show at least one letter, digit, punctuation mark or symbol";
  return undefined;
}

/**
 * The key under which a room compares names. NFKC first ('Ａ' is 'A', 'ﬁ' is 'fi'); then case folding, which
 * lower-, upper- then lower-casing approximates: code point by code point it agrees with Unicode's full case
 * folding (CaseFolding.txt, C+F) but for the dotless 'ı', which it also takes for 'i' (stricter), and the first
 * lower-casing is what brings 'ẞ' to 'ss' like 'ß' and 'SS'. Full folding makes 'İ' an 'i' with a combining dot
 * above, which is drawn as a plain 'i': that pair is 'i' here, so 'ALİCE' is 'alice' (as Turkish folds it). Then
 * without default-ignorable code points, with every run of spaces as one space, and NFKC again, since removing a
 * code point can leave characters that compose. Accents stay: NFKC does not strip them, so 'Zoë' and 'Zoe' are two
 * names.
 */
export function nameKey(name: string): string {
  return name
    .normalize("NFKC")
    .toLowerCase()
    .toUpperCase()
    .toLowerCase()
    .replace(DOTTED_I, "i")
    .replace(IGNORABLE, "")
    .replace(SPACE_RUN, " ")
    .trim()
    .normalize("NFKC");
}
