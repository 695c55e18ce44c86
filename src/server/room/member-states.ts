// Members' state as the room keeps it: a small JSON object with each member's session (its socket's attachment,
// which hibernation keeps), never in the room's storage. What a joining member starts with, and how a member
// changes it; everyone hears of a change with the outbox's next batch of signals (live-signals.ts).

import { combinedState } from "../../shared/member-state";
import type { Limits, MemberState, ProtocolError } from "../../shared/protocol";
import type { JoinedSession, Session } from "../connections/session";
import type { Sessions } from "../connections/sessions";
import type { Charges } from "../limits/charges";
import type { Connection } from "../shards/remote-connection";
import type { Outbox } from "./outbox";

/** What a change of state acts on. */
export interface StatefulRoom {
  sessions: Sessions<Connection>;
  charges: Charges<Connection>;
  outbox: Outbox<Connection>;
  limits: Limits;
}

/**
 * The state a member joins with: what its join says; or for a resume that says nothing, the state of the connection
 * it replaces (`ghost`); under the fields its token vouches for. Why not, if that is refused.
 */
export function joiningState(
  session: Session,
  asked: MemberState | undefined,
  ghost: Session | undefined,
  limits: Limits,
): { state: MemberState } | { error: ProtocolError } {
  const own = asked ?? (ghost?.joined ? ghost.state : undefined) ?? {};
  const state = combinedState(own, session.identity?.state, limits);
  return "problem" in state ? { error: { code: state.problem, message: state.message } } : state;
}

/** A member's new state, at most one per limits.stateIntervalMs; the refusal to answer with, if it is refused. */
export function changeState(
  room: StatefulRoom,
  socket: Connection,
  session: JoinedSession,
  own: MemberState,
  now: number,
): ProtocolError | undefined {
  const state = combinedState(own, session.identity?.state, room.limits);
  if ("problem" in state) return { code: state.problem, message: state.message };
  const wait = room.charges.stateChange(socket, now);
  if (wait > 0) {
    const every = room.limits.stateIntervalMs;
    return {
      code: "rate_limited",
      message: `a member changes its state at most once per ${every} ms; retry in ${wait} ms`,
      retryAfterMs: wait,
    };
  }
  room.sessions.setState(socket, state.state);
  room.outbox.stateChanged(session.id, state.state);
  return undefined;
}
