// The codes the room closes connections with, and which codes can be sent at all.
//
// CLOSE_CODES is the one table of them: the room closes with the named codes below, the JavaScript client decides
// by the table whether to reconnect after a close (client/close-decision.ts), and the Godot addon has the table as
// generated constants (clients/godot/addons/*/constants.gd, by tools/client-constants.ts).

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

export interface CloseCode {
  /** What the close is called: the `kind` of the client's removal for the codes that end a membership. */
  name: string;
  /**
   * Whether a client connects again by itself after it. One that does not has been removed, and stops; after
   * `token_expired` a client with a way to get a new token comes straight back in with it (client/token-refresh.ts).
   */
  reconnect: boolean;
  meaning: string;
}

/** Every code the room closes connections with. */
export const CLOSE_CODES = {
  [CLOSE_POLICY]: { name: "policy", reconnect: true, meaning: "the connection flooded the room past its rate limit" },
  [CLOSE_TOO_BIG]: { name: "too_big", reconnect: true, meaning: "a frame was larger than the room takes" },
  [CLOSE_RECONNECT]: { name: "restart", reconnect: true, meaning: "the room restarted; connect again" },
  [CLOSE_KICKED]: { name: "kicked", reconnect: false, meaning: "a moderator removed the member" },
  [CLOSE_ROOM_DELETED]: { name: "room_deleted", reconnect: false, meaning: "the room was deleted" },
  [CLOSE_BANNED]: { name: "banned", reconnect: false, meaning: "a moderator banned the member" },
  [CLOSE_TIMEOUT]: { name: "timeout", reconnect: true, meaning: "no join in time, or a member silent too long" },
  [CLOSE_REPLACED]: {
    name: "replaced",
    reconnect: false,
    meaning: "a rejoin of the same member (its resume key) from another connection replaced this one",
  },
  [CLOSE_TOKEN_EXPIRED]: {
    name: "token_expired",
    reconnect: false,
    meaning: "the member's token expired; come back only with a new one",
  },
} as const satisfies Record<number, CloseCode>;

/** The table's entry for `code`, if the room closes with it. */
export function closeCodeOf(code: number | undefined): (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES] | undefined {
  return code !== undefined && Object.hasOwn(CLOSE_CODES, code)
    ? CLOSE_CODES[code as keyof typeof CLOSE_CODES]
    : undefined;
}

/** Codes such as 1005 and 1006 only report what happened; they cannot be sent. */
export function isSendableCloseCode(code: number): boolean {
  return (
    code === 1000 || (code >= 1001 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)
  );
}
