// What a valid edit, reaction, reply or game data is: the rules the browser checks before sending and the room
// enforces, for the packets that change a message or attach to one (docs/protocol.md, "Messages that change").

import type { GameData, Limits } from "./protocol";

/** How deep a chat's `data` may nest: objects and arrays within it, the outermost object counting as one. */
export const MAX_DATA_DEPTH = 8;

export const REACTION_RULE = "a reaction is one emoji, or :name: of 1 to 32 characters of a-z, 0-9, '_', '+' and '-'";

const NAMED_REACTION = /^:[a-z0-9_+-]{1,32}:$/;
/**
 * One emoji as people see one: a pictograph (with its skin tone, variation selector and ZWJ sequence: 👍🏽, ❤️,
 * 👩‍👩‍👧), a flag (two regional indicators, or a subdivision flag), or a keycap (1️⃣). Unicode counts © ™ ❤ as
 * emoji too (shown as text by default), and so do we; digits, letters and other symbols are not.
 */
const EMOJI =
  /^(?:\p{Regional_Indicator}{2}|[0-9#*]\uFE0F?\u20E3|\p{Extended_Pictographic}\uFE0F?\p{Emoji_Modifier}?(?:\u200D\p{Extended_Pictographic}\uFE0F?\p{Emoji_Modifier}?)*[\u{E0020}-\u{E007F}]*)$/u;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** The longest reaction, in UTF-16 units: room for the longest ZWJ sequences, and a bound on what one weighs. */
export const MAX_REACTION_UNITS = 64;

/** Whether `reaction` is one emoji (a single grapheme) or a `:name:`. */
export function isReaction(reaction: unknown): reaction is string {
  if (typeof reaction !== "string" || reaction.length === 0 || reaction.length > MAX_REACTION_UNITS) return false;
  if (NAMED_REACTION.test(reaction)) return true;
  let count = 0;
  for (const _ of graphemes.segment(reaction)) if (++count > 1) return false;
  return EMOJI.test(reaction);
}

/** Why `data` cannot ride on a chat, or undefined if it can: a JSON object, at most MAX_DATA_DEPTH deep and maxDataBytes. */
export const dataProblem = (data: unknown, limits: Pick<Limits, "maxDataBytes">): string | undefined =>
  jsonObjectProblem(data, "data", limits.maxDataBytes);

/**
 * Why `value` is not a small JSON object (a chat's `data`, a member's `state`), or undefined if it is: an object, at
 * most MAX_DATA_DEPTH deep and `maxBytes` as JSON. `field` names it in the answer.
 */
export function jsonObjectProblem(value: unknown, field: string, maxBytes: number): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `${field} must be a JSON object`;
  if (depth(value) > MAX_DATA_DEPTH) return `${field} must nest at most ${MAX_DATA_DEPTH} levels deep`;
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
  if (bytes > maxBytes) return `${field} must be at most ${maxBytes} bytes as JSON (it is ${bytes})`;
  return undefined;
}

export const isGameData = (data: unknown, limits: Pick<Limits, "maxDataBytes">): data is GameData =>
  dataProblem(data, limits) === undefined;

/** How deep a JSON value nests; stops counting past MAX_DATA_DEPTH, so a deep value costs no more than that. */
function depth(value: unknown, level = 0): number {
  if (typeof value !== "object" || value === null) return level;
  if (level >= MAX_DATA_DEPTH) return level + 1;
  let deepest = level + 1;
  for (const item of Object.values(value)) deepest = Math.max(deepest, depth(item, level + 1));
  return deepest;
}
