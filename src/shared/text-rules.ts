// What a valid name and a valid message text are, as the browser checks them before sending and the room enforces
// them: their length in characters as a person counts them, their encoding, and what they may not contain. A name's
// own rules (what it may look like) are names.ts; a text's bidi controls are confined by bidi.ts.

import { confineBidi } from "./bidi";
import { fail, ok, type Parsed } from "./fields";
import { nameProblem, normalizeName } from "./names";
import type { Limits } from "./protocol";

/** Characters as a person counts them: code points, so an emoji is one, not two UTF-16 units. */
export function countChars(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * Whether `text` has 1 to `max` characters (`countChars`). A character is one or two UTF-16 units, so a text of at
 * most `max` units is counted without walking it: every chat and name the room takes goes through here.
 */
function charsWithin(text: string, max: number): boolean {
  if (text.length === 0) return false;
  return text.length <= max || countChars(text) <= max;
}

// C0 and C1 controls and DEL, but for tab and newline. Lone surrogates are rejected separately: they cannot be
// encoded as UTF-8.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching controls is this pattern's job.
const CONTROL_CHARS_EXCEPT_TAB_AND_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A name's rules are in names.ts; here, its length and its encoding too. */
export function validateName(raw: unknown, limits: Limits): Parsed<string> {
  if (typeof raw !== "string") return fail("invalid_field", "name must be a string");
  const name = normalizeName(raw);
  if (!charsWithin(name, limits.maxNameChars)) {
    return fail("invalid_name", `name must be 1 to ${limits.maxNameChars} characters after trimming`);
  }
  if (LONE_SURROGATE.test(name)) return fail("invalid_name", "name must be valid Unicode");
  const problem = nameProblem(name);
  return problem === undefined ? ok(name) : fail("invalid_name", problem);
}

/**
 * A message as the room stores it: its one line break is "\n" (line and paragraph separators become one), and its
 * bidi controls cannot reorder what is shown around it. It is measured as stored, closers added by confineBidi
 * included, so no stored message is over the limit.
 */
export function validateText(raw: unknown, limits: Limits, field = "text"): Parsed<string> {
  if (typeof raw !== "string") return fail("invalid_field", `${field} must be a string`);
  // Trimmed twice: before, so added closers follow the last character shown; after, as a dropped closer may have
  // been all that stood before a space.
  const text = confineBidi(raw.replace(/[\u2028\u2029]/g, "\n").trim()).trim();
  if (!charsWithin(text, limits.maxMessageChars)) {
    return fail("invalid_text", `${field} must be 1 to ${limits.maxMessageChars} characters after trimming`);
  }
  if (CONTROL_CHARS_EXCEPT_TAB_AND_NEWLINE.test(text)) {
    return fail("invalid_text", `${field} must not contain control characters other than tab and newline`);
  }
  if (LONE_SURROGATE.test(text)) return fail("invalid_text", `${field} must be valid Unicode`);
  return ok(text);
}
