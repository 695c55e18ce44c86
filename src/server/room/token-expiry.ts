// A verified connection lives no longer than its token. The Worker checks a token once, at upgrade; after that the
// room holds the token's `exp` in the connection's session (identity.ts, sessions.ts) and closes the connection with
// 4010 once it has passed: at the next frame the connection sends (so nothing it sends after `exp` is carried out,
// its join included), or when the room's alarm rings for the first member whose token expires (so a silent member
// goes too, and a moderator whose role was taken back keeps it no longer than its token). The client gets a new
// token and connects again, resuming where it left off.

import { expiresAt } from "../connections/identity";
import type { Session } from "../connections/session";

/** Why the room closed the connection, in its close frame. */
export const TOKEN_EXPIRED_REASON = "the token expired; connect again with a new one";

/** Whether the connection of `session` came with a token that has expired by `now`. */
export const tokenExpired = (session: Session, now: number): boolean =>
  session.identity !== undefined && expiresAt(session.identity) <= now;
