// What moderators do to a room: remove a member for now (kick), or for a time or for good (ban), lift a ban, silence a
// member who stays (mute) and lift that, and delete a message (through the room's log, as its author's deletion goes:
// room/message-log.ts). The same actions come from a member whose token gives it the moderator role, and from the
// admin API (`"admin"`), which may also ban or mute a user who is not in the room, act on moderators, and lift any ban
// or mute (a moderator lifts only moderators').

import { CLOSE_BANNED, CLOSE_KICKED, type CloseCode } from "../../shared/close-codes";
import type {
  BanAim,
  LeaveReason,
  Member,
  ModerationAction,
  MuteState,
  ProtocolError,
  ServerPacket,
} from "../../shared/protocol";
import type { Identity } from "../connections/identity";
import { memberOf, type RoomSocket } from "../connections/session";
import type { Sessions } from "../connections/sessions";
import type { BanList, BanSetter } from "./ban-list";
import { membersReached, needsConfirming, reachOf } from "./ban-reach";
import type { Mute, MuteList, MuteTarget } from "./mute-list";

/** Who acts: a moderator in the room (its verified identity, and its member id), or the admin API. */
export type Moderator = (Identity & { id: number }) | "admin";

/**
 * What came of an action: an answer for whoever asked (if there is one beyond what everyone hears), or why not. Only
 * moderators' answers: it travels over RPC to the admin API, which types nothing open-ended (a chat's game data).
 */
export type ModerationOutcome =
  | { ok: true; answer?: Extract<ServerPacket, { type: "banned" | "ban_preview" | "unbanned" | "muted" | "unmuted" }> }
  | { ok: false; error: ProtocolError };

/**
 * An action carried out, as the room tells its backend (room/webhooks.ts): whom it removed or let back (a ban's
 * `user` is its handle, what unban takes). A deletion is told by the room's log, which makes it.
 */
export type Acted =
  | { kind: "kick"; member: Member; reason?: string }
  | { kind: "ban"; member?: Member; user: string; until?: number; reason?: string }
  | { kind: "unban"; user: string }
  | { kind: "mute"; member?: Member; user: string; until?: number; reason?: string }
  | { kind: "unmute"; user: string };

/** How the room removes a member: the notice it hears first, then the close, then everyone hears the leave. */
export interface Removal {
  notice: ProtocolError;
  closeCode: CloseCode;
  closeReason: string;
  leave: LeaveReason;
}

/** What moderation needs of the room. */
export interface ModeratedRoom<Socket extends RoomSocket> {
  sessions: Sessions<Socket>;
  bans: BanList;
  mutes: MuteList;
  remove(socket: Socket, removal: Removal): void;
  /** Tells a joined connection whether it is muted now (`mute_status`), in order with what the room announced. */
  tellMuted(socket: Socket, muted: MuteState | undefined): void;
  /** Deletes message `seq` as a moderator, in order with everything else the room announces; why not, if refused. */
  deleteMessage(seq: number, by: Moderator): ProtocolError | undefined;
  /** A ban that ends at `until` must be forgotten then: the room's alarm must ring by that time. */
  banEndsAt(until: number): void;
  /** A mute that ends at `until` must be forgotten then. */
  muteEndsAt(until: number): void;
  /** An action was carried out (told before the removals it causes). */
  acted(acted: Acted, by: Moderator): void;
}

export async function moderate<Socket extends RoomSocket>(
  room: ModeratedRoom<Socket>,
  action: ModerationAction,
  by: Moderator,
  now: number,
): Promise<ModerationOutcome> {
  switch (action.kind) {
    case "kick": {
      const target = targetOf(room, action.id, by);
      if (!target.ok) return target;
      room.acted({ kind: "kick", member: memberOf(target.session), ...reasonOf(action) }, by);
      room.remove(target.socket, removal("kicked", action.reason));
      return { ok: true };
    }
    case "preview_ban":
    case "ban":
      return ban(room, action, by, now);
    case "unban": {
      const lifted = room.bans.remove(action.user, setterOf(by));
      if (lifted.ok) {
        room.acted({ kind: "unban", user: action.user }, by);
        return { ok: true, answer: { type: "unbanned", user: action.user } };
      }
      return lifted.why === "absent"
        ? notFound(`no ban of ${action.user} in this room`)
        : forbidden(`the ban of ${action.user} was set by the admin: only the admin API may lift it`);
    }
    case "delete": {
      const refusal = room.deleteMessage(action.seq, by);
      return refusal ? { ok: false, error: refusal } : { ok: true };
    }
    case "mute":
      return mute(room, action, by, now);
    case "unmute": {
      const lifted = room.mutes.remove(action.user, setterOf(by));
      if (!lifted.ok) {
        return lifted.why === "absent"
          ? notFound(`no mute of ${action.user} in this room`)
          : forbidden(`the mute of ${action.user} was set by the admin: only the admin API may lift it`);
      }
      room.acted({ kind: "unmute", user: action.user }, by);
      tellReached(room, lifted.mute, undefined);
      return { ok: true, answer: { type: "unmuted", user: action.user } };
    }
  }
}

/**
 * A mute of a member in the room (a user's, or an anonymous one's address) or of a user by id (the admin API). The
 * member stays; each of its connections hears that it is muted, and so does each anonymous connection from a muted
 * address.
 */
async function mute<Socket extends RoomSocket>(
  room: ModeratedRoom<Socket>,
  action: Extract<ModerationAction, { kind: "mute" }>,
  by: Moderator,
  now: number,
): Promise<ModerationOutcome> {
  let target: MuteTarget;
  let member: Member | undefined;
  if ("user" in action) target = { kind: "user", user: action.user };
  else {
    const found = targetOf(room, action.id, by, "mute");
    if (!found.ok) return found;
    const { identity, address } = found.session;
    member = memberOf(found.session);
    if (identity) target = { kind: "user", user: identity.user };
    else if (address !== undefined) target = { kind: "address", address };
    else return notFound("that member has neither a user id nor a known address to mute");
  }
  const until = action.minutes === undefined ? undefined : now + action.minutes * 60_000;
  const added = await room.mutes.add(target, until, action.reason, setterOf(by), now);
  if (!added.ok) return forbidden("the admin has muted this member already: only the admin API may change that mute");
  if (until !== undefined) room.muteEndsAt(until);
  const ending = until === undefined ? {} : { until };
  room.acted({ kind: "mute", ...(member && { member }), user: added.mute.handle, ...ending, ...reasonOf(action) }, by);
  tellReached(room, added.mute, { ...ending, ...reasonOf(action) });
  const named = member && { id: member.id, name: member.name };
  return { ok: true, answer: { type: "muted", ...named, user: added.mute.handle, ...ending } };
}

/**
 * Tells every joined connection that `mute` reaches that it is muted now, or (`muted` undefined) no longer. Of the
 * members on a hub's shards, a user's mute concerns that user's; an address's (known by its hash only), every
 * anonymous one.
 */
function tellReached<Socket extends RoomSocket>(room: ModeratedRoom<Socket>, mute: Mute, muted: MuteState | undefined) {
  const narrowing = mute.kind === "user" ? { users: [mute.handle] } : { anonymous: true };
  for (const [socket] of room.sessions.membersWhere((session) => room.mutes.reaches(mute, session), narrowing))
    room.tellMuted(socket, muted);
}

/**
 * A ban, or the preview of one: whom it would remove. A ban that would remove members besides its target goes ahead
 * only if each of them is in its `confirm`; otherwise the asker gets the preview, to confirm.
 */
async function ban<Socket extends RoomSocket>(
  room: ModeratedRoom<Socket>,
  action: Extract<ModerationAction, { kind: "ban" | "preview_ban" }>,
  by: Moderator,
  now: number,
): Promise<ModerationOutcome> {
  const aimed = aimOf(room, action, by);
  if (!aimed.ok) return aimed;
  const { session, shown } = aimed;
  const reach = reachOf(room.sessions, action, session);
  if (!reach) return notFound("that member has neither a user id nor a known address to ban: kick it instead");
  const removes = membersReached(room.sessions, reach);
  if (action.kind === "preview_ban" || needsConfirming(reach, removes, action.confirm)) {
    return { ok: true, answer: { type: "ban_preview", target: shown, removes } };
  }
  const until = action.minutes === undefined ? undefined : now + action.minutes * 60_000;
  // The admin's ban of this user may have landed while this one waited for its hashes: a moderator's never replaces it.
  const added = await room.bans.add(reach.target, until, setterOf(by), now);
  if (!added.ok) return forbidden("the admin has banned this member already: only the admin API may change that ban");
  if (until !== undefined) room.banEndsAt(until);
  const member = session && memberOf(session);
  const ending = until === undefined ? {} : { until };
  room.acted({ kind: "ban", ...(member && { member }), user: added.ban.handle, ...ending, ...reasonOf(action) }, by);
  // Every connection the ban refuses goes, joined or not, here or on a shard: the member's other tabs, ones still
  // to join, anonymous ones from its address. Found after the wait above, so that one opened meanwhile goes too.
  for (const socket of room.sessions.where(reach.refuses, reach.narrowing))
    room.remove(socket, removal("banned", action.reason));
  const named = member && { id: member.id, name: member.name };
  return { ok: true, answer: { type: "banned", ...named, user: added.ban.handle, ...ending } };
}

/** A ban's target: the member it names by id (`session`), or a user by id, who need not be in the room. */
function aimOf<Socket extends RoomSocket>(room: ModeratedRoom<Socket>, aim: BanAim, by: Moderator) {
  if ("user" in aim) return { ok: true, shown: { user: aim.user } } as const;
  const found = targetOf(room, aim.id, by);
  if (!found.ok) return found;
  return { ok: true, session: found.session, shown: memberOf(found.session) } as const;
}

/** The member a kick, ban or mute is aimed at. A moderator cannot remove or mute another: only the admin API can. */
function targetOf<Socket extends RoomSocket>(room: ModeratedRoom<Socket>, id: number, by: Moderator, doing = "remove") {
  const found = room.sessions.member(id);
  if (!found) return notFound(`no member ${id} in the room`);
  const [socket, session] = found;
  if (by !== "admin" && session.identity?.role === "moderator")
    return forbidden(`a moderator cannot ${doing} another moderator`);
  return { ok: true, socket, session } as const;
}

const reasonOf = ({ reason }: { reason?: string }) => (reason === undefined ? {} : { reason });

const setterOf = (by: Moderator): BanSetter => (by === "admin" ? "admin" : "moderator");

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
const forbidden = (message: string) => ({ ok: false, error: { code: "forbidden", message } }) as const;
