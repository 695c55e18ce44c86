// Blocked words: what a room refuses to store or show (docs/backend.md, "Blocked words"). The room checks chats,
// edits, renames and join names against the server's list (BLOCKED_WORDS) and the room's own (the admin API), and
// refuses a match with `blocked_word`; clients may check the same rule before sending.
//
// The rule, whole words on the form names are compared by:
// - A text and each blocked entry are put in names.ts's `nameKey` form: NFKC ('ｆｏｏ' is 'foo'), case folded,
//   default-ignorable characters (zero-width spaces, joiners) removed. So 'BAD', 'Ｂａｄ' and 'b\u200Bad' are 'bad'.
// - Then each is cut into words: runs of letters, combining marks and digits. Everything else (spaces, punctuation,
//   symbols, emoji) only separates words.
// - An entry of one word matches a text that has that word, whole: "ass" does not match "class" nor "assassin". An
//   entry of several words (a phrase) matches where those words follow one another in the text, whatever separates
//   them: "bad word" matches "bad-word", "BAD  word!" and "bad_word", not "badword".
// - Accents stay (nameKey keeps them): "merde" does not match "mèrde". Nor is anything else folded: spelled-out
//   letters ("b a d"), digits for letters ("b4d"), look-alike letters of other scripts. And in scripts written without
//   spaces between words (Chinese, Japanese, Thai) a word is a whole run of them: an entry matches only a run that is
//   exactly it.

import { fail, ok, type Parsed } from "./fields";
import { nameKey } from "./names";
import { countChars } from "./text-rules";

/** The most entries a room's own list holds, and the length of one, in characters after trimming. */
export const MAX_BLOCKED_WORDS = 500;
export const MAX_BLOCKED_WORD_CHARS = 64;

/** A word: a run of letters, combining marks and digits. */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** The words of a text as matching sees them, in order. */
export const wordsOf = (text: string): string[] => nameKey(text).match(WORD) ?? [];

/** The key an entry is compared and kept unique by: its words, one space apart. */
export const blockedKey = (entry: string): string => wordsOf(entry).join(" ");

/** Which blocked entries a text holds: answers whether it holds any. */
export class WordFilter {
  private readonly words = new Set<string>();
  /** Phrases, as ` w1 w2 `: found in a text's words written the same way. */
  private readonly phrases: string[] = [];

  constructor(entries: Iterable<string>) {
    for (const entry of entries) {
      const words = wordsOf(entry);
      if (words.length === 1) this.words.add(words[0]!);
      else if (words.length > 1) this.phrases.push(` ${words.join(" ")} `);
    }
  }

  get empty(): boolean {
    return this.words.size === 0 && this.phrases.length === 0;
  }

  /** Whether `text` holds a blocked word or phrase. */
  blocks(text: string): boolean {
    if (this.empty) return false;
    const words = wordsOf(text);
    if (words.some((word) => this.words.has(word))) return true;
    if (this.phrases.length === 0) return false;
    const spaced = ` ${words.join(" ")} `;
    return this.phrases.some((phrase) => spaced.includes(phrase));
  }
}

/** Why an entry cannot be blocked, in words for whoever listed it; undefined if it can. */
export function blockedEntryProblem(entry: unknown): string | undefined {
  if (typeof entry !== "string") return "each blocked word must be a string";
  const chars = countChars(entry.trim());
  if (chars < 1 || chars > MAX_BLOCKED_WORD_CHARS)
    return `each blocked word must be 1 to ${MAX_BLOCKED_WORD_CHARS} characters after trimming`;
  if (wordsOf(entry).length === 0) return `blocked word ${JSON.stringify(entry)} holds no letter or digit`;
  return undefined;
}

/**
 * A list of blocked entries as given (the admin API's `words`, at most `max`), each trimmed, without those whose key
 * an earlier one has.
 */
export function parseBlockedWords(value: unknown, max = MAX_BLOCKED_WORDS): Parsed<string[]> {
  if (!Array.isArray(value) || value.length > max)
    return fail("invalid_field", `words must be a list of at most ${max} words or phrases`);
  const kept = new Map<string, string>();
  for (const entry of value) {
    const problem = blockedEntryProblem(entry);
    if (problem !== undefined) return fail("invalid_field", problem);
    const key = blockedKey(entry as string);
    if (!kept.has(key)) kept.set(key, (entry as string).trim());
  }
  return ok([...kept.values()]);
}
