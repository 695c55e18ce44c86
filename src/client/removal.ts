// When the room itself ends our membership: a moderator removed us (kick, close 4001) or banned us (4003), or the
// room's admin deleted the room (4002), or our token expired (4010) and the app gave no way to get a new one
// (token-refresh.ts), or the membership went on from another connection that resumed it (4009: another tab or
// device). Reconnecting by ourselves would undo a kick, knock on a closed door until the ban ends, show the room the
// same expired token, or knock out the connection that replaced us, so the connection stops and says why; the page
// may offer to rejoin, except into a ban or with the expired token.

import type { ProtocolError } from "../shared/protocol";

export type Removal = { kind: "kicked" | "banned" | "room_deleted" | "token_expired" | "replaced"; message: string };

const BY_CLOSE_CODE: Record<number, Removal> = {
  4001: { kind: "kicked", message: "a moderator removed you from the room" },
  4002: { kind: "room_deleted", message: "the room was deleted" },
  4003: { kind: "banned", message: "a moderator banned you from the room" },
  4009: { kind: "replaced", message: "you went on from another connection (another tab or device)" },
  4010: { kind: "token_expired", message: "your token expired; get a new one to come back" },
};

/** Whether rejoining as we are can work: not into a ban, nor with the token that expired. */
export const mayRejoin = (removal: Removal): boolean => removal.kind !== "banned" && removal.kind !== "token_expired";

/**
 * What a close with `code` means, if the room removed us; `notice` is the error the room sent just before (code
 * `kicked` or `banned`), whose message carries the moderator's reason.
 */
export function removalOf(code: number | undefined, notice: ProtocolError | undefined): Removal | undefined {
  const removal = code === undefined ? undefined : BY_CLOSE_CODE[code];
  if (!removal) return undefined;
  return notice?.code === removal.kind ? { kind: removal.kind, message: notice.message } : removal;
}

/** Whether an error is the notice that comes before such a close. */
export const isRemovalNotice = (error: ProtocolError): boolean => error.code === "kicked" || error.code === "banned";
