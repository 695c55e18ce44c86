// What a member's state may be (protocol.ts, `MemberState`): the rule the clients check before sending and the room
// enforces, and how the fields a member's token vouches for combine with its own.

import { jsonObjectProblem } from "./message-changes";
import type { Limits, MemberState } from "./protocol";

/**
 * Why `state` cannot be a member's own state, or undefined if it can: a JSON object, nested at most MAX_DATA_DEPTH
 * deep, of at most limits.maxStateBytes as JSON.
 */
export const stateProblem = (state: unknown, limits: Pick<Limits, "maxStateBytes">): string | undefined =>
  jsonObjectProblem(state, "state", limits.maxStateBytes);

/**
 * A member's state as others see it: its own fields, and over them the fields its token vouches for (`vouched`),
 * which it cannot change. Why not, if it tries to set a vouched field to another value, or the whole is too large.
 */
export function combinedState(
  own: MemberState,
  vouched: MemberState | undefined,
  limits: Pick<Limits, "maxStateBytes">,
): { state: MemberState } | { problem: "forbidden" | "invalid_state"; message: string } {
  if (vouched === undefined) return { state: own };
  for (const field of Object.keys(own)) {
    if (Object.hasOwn(vouched, field) && JSON.stringify(own[field]) !== JSON.stringify(vouched[field])) {
      return { problem: "forbidden", message: `state.${field} is set by your token and cannot be changed` };
    }
  }
  const state = { ...own, ...vouched };
  const problem = stateProblem(state, limits);
  return problem === undefined
    ? { state }
    : { problem: "invalid_state", message: `${problem}, with the fields your token sets` };
}
