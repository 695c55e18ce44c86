// Whether the room would take a state of ours, checked before it goes, by the room's own rules (shared/member-state.ts):
// a state the room is sure to refuse is told to the app at once, and never becomes ours (a join carrying it would be
// refused, and the member could not get in). The room merges the fields our token vouches for over ours
// (docs/auth.md): one of those set to another value is forbidden, and the merged whole must fit limits.maxStateBytes.

import { combinedState, stateProblem } from "../shared/member-state";
import type { Limits, MemberState, ProtocolError, RosterMember } from "../shared/protocol";

/** The refusal the room would answer `state` with, from the member `self` as the room lists it; undefined if none. */
export function stateRefusal(
  state: unknown,
  self: RosterMember | undefined,
  limits: Pick<Limits, "maxStateBytes">,
): ProtocolError | undefined {
  const problem = stateProblem(state, limits);
  if (problem !== undefined) return { code: "invalid_state", message: problem, for: "state" };
  const combined = combinedState(state as MemberState, vouchedFields(self), limits);
  return "problem" in combined ? { code: combined.problem, message: combined.message, for: "state" } : undefined;
}

/** The fields of a member's state that its token set; undefined if none. */
function vouchedFields(member: RosterMember | undefined): MemberState | undefined {
  if (!member?.vouched?.length || !member.state) return undefined;
  const fields: MemberState = {};
  for (const field of member.vouched) if (Object.hasOwn(member.state, field)) fields[field] = member.state[field]!;
  return fields;
}
