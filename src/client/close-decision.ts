// What the connection does when its socket closes, by the close's code (the room's table: ../shared/close-codes.ts):
// come straight back in with a new token, stop because the room removed us (removal.ts), or try again after a
// backoff delay, as after any drop.

import { CLOSE_TOKEN_EXPIRED } from "../shared/close-codes";
import type { ProtocolError } from "../shared/protocol";
import { type Removal, removalOf } from "./removal";

/** The code we close a socket with that stopped answering (the room does not read it: a private-use code). */
export const CLOSE_NO_ANSWER = 4000;

export type AfterClose =
  /** The token ran out while in the room: with a new one, straight back in, resuming; the app sees no drop. */
  { action: "refresh" } | { action: "stop"; removal: Removal } | { action: "retry" };

export interface ClosedConnection {
  /** The close's code; none when we gave the socket up ourselves. */
  code: number | undefined;
  /** The socket had been welcomed into the room. */
  wasJoined: boolean;
  /** The app gives new tokens (the `token` option). */
  refreshesToken: boolean;
  /** The `kicked` or `banned` error the room sent just before it closed, with the moderator's reason. */
  notice: ProtocolError | undefined;
}

export function afterClose({ code, wasJoined, refreshesToken, notice }: ClosedConnection): AfterClose {
  const refreshable = code === CLOSE_TOKEN_EXPIRED && refreshesToken;
  if (refreshable && wasJoined) return { action: "refresh" };
  // A token that expired before the welcome is a failed attempt: the next comes after a backoff delay, with a new
  // token. Without a way to get one, it ends the connection, as the table says.
  const removal = refreshable ? undefined : removalOf(code, notice);
  return removal ? { action: "stop", removal } : { action: "retry" };
}
