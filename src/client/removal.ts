// When the room itself ends our membership: a moderator removed us (kick) or banned us, or the room's admin deleted
// the room, or our token expired and the app gave no way to get a new one (token-refresh.ts), or the membership went
// on from another connection that resumed it (another tab or device). These are the close codes after which a
// client does not reconnect by itself (`reconnect: false` in ../shared/close-codes.ts): reconnecting would undo a
// kick, knock on a closed door until the ban ends, show the room the same expired token, or knock out the connection
// that replaced us, so the connection stops and says why; the page may offer to rejoin, except into a ban or with
// the expired token.

import { type CLOSE_CODES, closeCodeOf } from "../shared/close-codes";
import type { ProtocolError } from "../shared/protocol";

export type Removal = { kind: "kicked" | "banned" | "room_deleted" | "token_expired" | "replaced"; message: string };

/** The names of the close codes that end a membership. */
type RemovalName = Extract<(typeof CLOSE_CODES)[keyof typeof CLOSE_CODES], { reconnect: false }>["name"];

/** What the page says for each of the table's removals (each must be a kind of Removal: see removalOf). */
const MESSAGES: Record<RemovalName, string> = {
  kicked: "a moderator removed you from the room",
  room_deleted: "the room was deleted",
  banned: "a moderator banned you from the room",
  replaced: "you went on from another connection (another tab or device)",
  token_expired: "your token expired; get a new one to come back",
};

/** Whether rejoining as we are can work: not into a ban, nor with the token that expired. */
export const mayRejoin = (removal: Removal): boolean => removal.kind !== "banned" && removal.kind !== "token_expired";

/**
 * What a close with `code` means, if the room removed us; `notice` is the error the room sent just before (code
 * `kicked` or `banned`), whose message carries the moderator's reason.
 */
export function removalOf(code: number | undefined, notice: ProtocolError | undefined): Removal | undefined {
  const close = closeCodeOf(code);
  if (!close || close.reconnect) return undefined;
  const kind: Removal["kind"] = close.name;
  return { kind, message: notice?.code === kind ? notice.message : MESSAGES[kind] };
}

/** Whether an error is the notice that comes before such a close. */
export const isRemovalNotice = (error: ProtocolError): boolean => error.code === "kicked" || error.code === "banned";
