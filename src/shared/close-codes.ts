// The codes the room closes connections with, and which codes can be sent at all.

/** RFC 6455, 7.4.1: a policy violation (flooding), and a message too big to process. */
export const CLOSE_POLICY = 1008;
export const CLOSE_TOO_BIG = 1009;
/** RFC 6455 (IANA registry): the service restarted; the client should connect again. */
export const CLOSE_RECONNECT = 1012;
/** Ours: a moderator removed the member (kick), the room was deleted, a moderator banned the member. */
export const CLOSE_KICKED = 4001;
export const CLOSE_ROOM_DELETED = 4002;
export const CLOSE_BANNED = 4003;
/** Ours: a connection that overstayed (no join in time, or silent too long), as HTTP 408. */
export const CLOSE_TIMEOUT = 4008;
/** Ours: a member's connection that a rejoin of the same member (its resume key) replaced. */
export const CLOSE_REPLACED = 4009;

/**
 * Ours: a verified member's token expired (its `exp`, past the clock skew allowed); the client is to get a new token
 * and connect again, resuming with `since` and its resume key.
 */
export const CLOSE_TOKEN_EXPIRED = 4010;

/** Codes such as 1005 and 1006 only report what happened; they cannot be sent. */
export function isSendableCloseCode(code: number): boolean {
  return (
    code === 1000 || (code >= 1001 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)
  );
}
