// What the page says of the room's live side, as plain strings (no DOM, so that the tests read them): the line of
// who is typing, and a member's status as the member list shows it. Names and statuses are what members typed:
// they go into the page as text only, and names are isolated so that a right-to-left name cannot reorder the line.

import type { RosterMember } from "../shared/protocol";
import { isolate } from "./sentence";

/** A status shows at most this many characters: the list is narrow, and a status is a word or two. */
export const STATUS_CHARS = 40;

/** "Ann is typing…", "Ann and Bo are typing…", "Ann and 2 others are typing…"; "" when nobody is. */
export function typingSentence(names: string[]): string {
  const [first, second] = names.map(isolate);
  if (first === undefined) return "";
  if (second === undefined) return `${first} is typing…`;
  if (names.length === 2) return `${first} and ${second} are typing…`;
  const others = names.length - 1;
  return `${first} and ${others} others are typing…`;
}

/**
 * The status a member's state says (`state.status`, when it is a string that says something), cut to STATUS_CHARS
 * characters (code points, as the room counts a name's), the last of them an ellipsis when cut.
 */
export function statusText(member: RosterMember): string | undefined {
  const status = member.state?.status;
  if (typeof status !== "string" || status.trim() === "") return undefined;
  const chars = Array.from(status.trim());
  return chars.length <= STATUS_CHARS ? chars.join("") : `${chars.slice(0, STATUS_CHARS - 1).join("")}…`;
}
