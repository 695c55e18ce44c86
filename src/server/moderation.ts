// What moderators do to a room: remove a member for now (kick), or for a time or for good (ban), lift a ban, and
// delete a message. The same actions come from a member whose token gives it the moderator role, and from the admin
// API (`"admin"`), which may also ban a user who is not in the room and act on moderators.

import type { LeaveReason, ModerationAction, ProtocolError, ServerPacket } from "../shared/protocol";
import type { BanList, BanTarget } from "./ban-list";
import { CLOSE_BANNED, CLOSE_KICKED } from "./close-codes";
import type { Identity } from "./identity";
import type { RoomStorage } from "./room-storage";
import type { RoomSocket, Session, Sessions } from "./sessions";

/** Who acts: a moderator in the room (its verified identity), or the admin API. */
export type Moderator = Identity | "admin";

/** What came of an action: an answer for whoever asked (if there is one beyond what everyone hears), or why not. */
export type ModerationOutcome = { ok: true; answer?: ServerPacket } | { ok: false; error: ProtocolError };

/** How the room removes a member: the notice it hears first, then the close, then everyone hears the leave. */
export interface Removal {
  notice: ProtocolError;
  closeCode: number;
  closeReason: string;
  leave: LeaveReason;
}

/** What moderation needs of the room. */
export interface ModeratedRoom<Socket extends RoomSocket> {
  sessions: Sessions<Socket>;
  storage: RoomStorage;
  bans: BanList;
  remove(socket: Socket, removal: Removal): void;
  /** Tells every member, in order with everything else the room announces. */
  announce(packet: ServerPacket): void;
  /** A ban that ends at `until` must be forgotten then: the room's alarm must ring by that time. */
  banEndsAt(until: number): void;
}

export async function moderate<Socket extends RoomSocket>(
  room: ModeratedRoom<Socket>, action: ModerationAction, by: Moderator, now: number,
): Promise<ModerationOutcome> {
  switch (action.kind) {
    case "kick": {
      const target = targetOf(room, action.id, by);
      if (!target.ok) return target;
      room.remove(target.socket, removal("kicked", action.reason));
      return { ok: true };
    }
    case "ban": {
      let target: BanTarget;
      let member: { id: number; name: string } | undefined;
      if ("user" in action) {
        target = { kind: "user", user: action.user };
      } else {
        const found = targetOf(room, action.id, by);
        if (!found.ok) return found;
        const { session } = found;
        member = { id: session.id, name: session.name };
        if (session.identity) target = { kind: "user", user: session.identity.user };
        else if (session.address !== undefined) target = { kind: "address", address: session.address };
        else return notFound(`member ${session.id} has neither a user id nor a known address to ban: kick it instead`);
      }
      const until = action.minutes === undefined ? undefined : now + action.minutes * 60_000;
      const ban = await room.bans.add(target, until);
      if (until !== undefined) room.banEndsAt(until);
      // Every connection the ban refuses goes, the member's other tabs included; found after the wait above, so
      // that one opened meanwhile goes too.
      for (const socket of room.sessions.where((session) => refusedBy(target, session))) {
        room.remove(socket, removal("banned", action.reason));
      }
      return { ok: true, answer: { type: "banned", ...member, user: ban.handle, ...(until === undefined ? {} : { until }) } };
    }
    case "unban":
      if (!room.bans.remove(action.user)) return notFound(`no ban of ${action.user} in this room`);
      return { ok: true, answer: { type: "unbanned", user: action.user } };
    case "delete":
      if (!room.storage.tombstone(action.seq)) return notFound(`no message ${action.seq} in the room's history`);
      room.announce({ type: "deleted", seq: action.seq });
      return { ok: true };
  }
}

/** The member a kick or ban is aimed at. A moderator cannot remove another: only the admin API can. */
function targetOf<Socket extends RoomSocket>(room: ModeratedRoom<Socket>, id: number, by: Moderator) {
  const found = room.sessions.member(id);
  if (!found) return notFound(`no member ${id} in the room`);
  const [socket, session] = found;
  if (by !== "admin" && session.identity?.role === "moderator") {
    return { ok: false, error: { code: "forbidden", message: "a moderator cannot remove another moderator" } } as const;
  }
  return { ok: true, socket, session } as const;
}

/** Whether a ban of `target` refuses this connection (an address ban refuses anonymous connections only). */
function refusedBy(target: BanTarget, session: Session): boolean {
  return target.kind === "user"
    ? session.identity?.user === target.user
    : session.identity === undefined && session.address === target.address;
}

function removal(leave: LeaveReason, reason: string | undefined): Removal {
  const what = leave === "kicked" ? "removed you from the room" : "banned you from the room";
  return {
    notice: { code: leave, message: `a moderator ${what}${reason === undefined ? "" : `: ${reason}`}` },
    closeCode: leave === "kicked" ? CLOSE_KICKED : CLOSE_BANNED,
    // A close reason holds at most 123 bytes: the moderator's reason travels in the notice instead.
    closeReason: `${leave} by a moderator`,
    leave,
  };
}

const notFound = (message: string) => ({ ok: false, error: { code: "not_found", message } }) as const;
