// The codes the room closes connections with, as data: for each, its name, whether a client should connect again
// by itself, and when the room sends it. The server closes with these only (the named constants below), and the
// clients (the browser's, the SDK, the Godot addon) read the same table to decide what a close means for them.
// docs/protocol.md lists them for people; a test keeps the two in step. The JavaScript client decides by the
// table (client/close-decision.ts), and the Godot addon has it as generated constants
// (clients/godot/addons/*/constants.gd, by tools/client-constants.ts).
//
// Not here: what the runtime sends or reports by itself (1002 for a compressed frame, 1005 and 1006 for a close
// without a code or without a close frame), and the echo of a client's own close (`answerClose` in
// server/connections/closing.ts). Codes 4004 to 4007 are not used.

/** What a close code tells a client. */
export interface CloseCodeInfo {
  /** A stable name, snake_case, for code that must not depend on the number (logs, the clients' removal reasons). */
  name: string;
  /**
   * Whether a client should connect again by itself (with backoff, resuming with `since` and `resume`); false: it
   * stops, and only its user (or, for 4010, a new token) may bring it back.
   */
  reconnect: boolean;
  /** When the room sends it, and what a client does then. */
  meaning: string;
}

export const CLOSE_CODES = {
  // RFC 6455, 7.4.1, and the IANA registry.
  1008: {
    name: "flooding",
    reconnect: true,
    meaning:
      "policy violation: too many frames refused by the rate limit within one second (FLOOD_CLOSE_AFTER). " +
      "Reconnect with backoff, and send slower.",
  },
  1009: {
    name: "frame_too_big",
    reconnect: true,
    meaning: "a frame over limits.maxFrameBytes. Reconnect with backoff; never send such a frame again.",
  },
  1012: {
    name: "room_restarted",
    reconnect: true,
    meaning:
      "a room spread over several objects restarted and lost track of this connection. Reconnect at once " +
      "(then with backoff), resuming with since and resume.",
  },
  // Ours (4000 to 4999 are the application's).
  4001: {
    name: "kicked",
    reconnect: false,
    meaning:
      "a moderator removed the member (an error `kicked` with the reason comes first). Do not reconnect by " +
      "yourself; the user may rejoin.",
  },
  4002: {
    name: "room_deleted",
    reconnect: false,
    meaning: "the room's admin deleted the room (DELETE /api/rooms/<name>). Do not reconnect.",
  },
  4003: {
    name: "banned",
    reconnect: false,
    meaning:
      "a moderator banned the member (an error `banned` with the reason comes first); a new connection is " +
      "refused with HTTP 403 while the ban lasts. Do not reconnect.",
  },
  4008: {
    name: "timeout",
    reconnect: true,
    meaning:
      "the connection overstayed, as HTTP 408: no join within JOIN_TIMEOUT_SECONDS, or a member that pings went " +
      "silent for MEMBER_SILENCE_SECONDS. Reconnect with backoff, resuming with since and resume.",
  },
  4009: {
    name: "replaced",
    reconnect: false,
    meaning:
      "the same member joined again with this connection's resume key (another tab or device, or its own " +
      "reconnect). Never reconnect by yourself: the two connections would knock each other out forever.",
  },
  4010: {
    name: "token_expired",
    reconnect: false,
    meaning:
      "a verified member's token expired (its exp passed, beyond the clock skew allowed), connected or before " +
      "its join. Get a new token and connect again at once, resuming with since and resume; without a new one, " +
      "do not reconnect.",
  },
} as const satisfies Record<number, CloseCodeInfo>;

/** A code the room closes connections with. */
export type CloseCode = keyof typeof CLOSE_CODES;

export const CLOSE_POLICY = 1008 satisfies CloseCode;
export const CLOSE_TOO_BIG = 1009 satisfies CloseCode;
export const CLOSE_RECONNECT = 1012 satisfies CloseCode;
export const CLOSE_KICKED = 4001 satisfies CloseCode;
export const CLOSE_ROOM_DELETED = 4002 satisfies CloseCode;
export const CLOSE_BANNED = 4003 satisfies CloseCode;
export const CLOSE_TIMEOUT = 4008 satisfies CloseCode;
export const CLOSE_REPLACED = 4009 satisfies CloseCode;
export const CLOSE_TOKEN_EXPIRED = 4010 satisfies CloseCode;

/** The table's entry for `code`, if the room closes with it. */
export function closeCodeOf(code: number | undefined): (typeof CLOSE_CODES)[CloseCode] | undefined {
  return code !== undefined && Object.hasOwn(CLOSE_CODES, code) ? CLOSE_CODES[code as CloseCode] : undefined;
}

/** What the room answers a client's close with when the client's own code cannot be sent back (RFC 6455, 7.4.1). */
export const CLOSE_NORMAL = 1000;

/** Codes such as 1005 and 1006 only report what happened; they cannot be sent. */
export function isSendableCloseCode(code: number): boolean {
  return (
    code === 1000 || (code >= 1001 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)
  );
}
