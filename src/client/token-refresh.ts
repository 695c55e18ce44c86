// A connection with a token lives no longer than its token: the room closes it with CLOSE_TOKEN_EXPIRED (4010) once
// the token's `exp` has passed (docs/auth.md). An app that can get a new token from its backend gives the connection
// a way to (`token` option): the connection asks for one before each connection attempt, so a rejoin never carries a
// stale token, and after that close it comes straight back in with the new one, resuming where it left off, with
// nothing for the app to see. Without one, the close ends the connection (removal.ts), since the same token would
// only be refused again.

/** Gets a new token from the app's backend. */
export type TokenProvider = () => Promise<string>;
