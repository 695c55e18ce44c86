// Whether the room would take a state of ours, checked before it goes: a state the room is sure to refuse is told
// to the app at once, and never becomes ours (a join carrying it would be refused, and the member could not get in).
// The room merges the fields our token vouches for over ours (docs/auth.md): one of those set to another value is
// forbidden, and the merged whole must fit limits.maxStateBytes.

import { dataProblem } from "../shared/message-changes";
import type { Limits, MemberState, ProtocolError, RosterMember } from "../shared/protocol";

/** The refusal the room would answer `state` with, from the member `self` as the room lists it; undefined if none. */
export function stateRefusal(
  state: unknown,
  self: RosterMember | undefined,
  limits: Pick<Limits, "maxStateBytes">,
): ProtocolError | undefined {
  const refuse = (code: "invalid_state" | "forbidden", message: string): ProtocolError => ({
    code,
    message,
    for: "state",
  });
  // The rule of a chat's game data, with the state's own size: a JSON object, at most 8 deep.
  const limit = { maxDataBytes: limits.maxStateBytes };
  const own = dataProblem(state, limit);
  if (own !== undefined) return refuse("invalid_state", own.replace(/^data/, "state"));
  const vouched = vouchedFields(self);
  for (const [field, value] of Object.entries(vouched)) {
    const mine = (state as MemberState)[field];
    if (mine !== undefined && JSON.stringify(mine) !== JSON.stringify(value)) {
      return refuse("forbidden", `state.${field} is set by your token and cannot be changed`);
    }
  }
  const merged = dataProblem({ ...(state as MemberState), ...vouched }, limit);
  if (merged !== undefined)
    return refuse("invalid_state", `${merged.replace(/^data/, "state")}, with your token's fields`);
  return undefined;
}

/** The fields of a member's state that its token set. */
function vouchedFields(member: RosterMember | undefined): MemberState {
  const fields: MemberState = {};
  for (const field of member?.vouched ?? []) {
    if (member?.state && Object.hasOwn(member.state, field)) fields[field] = member.state[field];
  }
  return fields;
}
