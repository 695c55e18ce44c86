// What a connection's session is: the state the room keeps of it in its socket's attachment (so that it survives
// hibernation; sessions.ts reads and writes them), a member as others see it, and who a member is across its
// connections (its membership, for who may edit or delete a message, and whose chat ids are whose).

import type { Dialect, Member, MemberState, RosterMember } from "../../shared/protocol";
import type { Identity } from "./identity";

/** What the room uses of a hibernatable WebSocket; tests in Node pass fakes. */
export interface RoomSocket {
  /** The shard that holds the connection (shards/hub-side.ts); undefined for a socket of the room's own. */
  readonly shard?: number;
  send(frame: string): void;
  serializeAttachment(value: unknown): void;
  deserializeAttachment(): unknown;
}

/**
 * A connection's state, kept as its WebSocket attachment so that it survives hibernation. A connection gets its id
 * when it joins: one that never joins writes nothing to the room's storage.
 */
export type Session =
  | { joined: false; openedAt: number; address?: string; identity?: Identity }
  | {
      joined: true;
      id: number;
      name: string;
      dialect: Dialect;
      address?: string;
      /** A secret of the connection's, whose first half names its membership (see `newResumeKey`). */
      resumeKey: string;
      /** The largest frame this connection takes, if its join asked for less than the room sends (frame-fit.ts). */
      frameBytes?: number;
      /** The verified user, for a member that came with a token; its name is the token's. */
      identity?: Identity;
      /** An anonymous member of a room that verifies tokens (protocol.ts, `Member`). */
      guest?: true;
      /**
       * Its state as others see it (its token's fields included), absent when empty. Kept here, with the session,
       * and never in the room's storage: it lives as long as the connection (and its resume).
       */
      state?: MemberState;
      /**
       * When its last chat was taken, while the room has slow mode (limits/slow-mode.ts): kept here so that the
       * room, evicted from memory and back, still knows it.
       */
      lastChatAt?: number;
      /**
       * Since when it is near everyone in summary presence (room/near-members.ts): its leave is announced while this
       * is not older than the room's switch to summary presence. Kept here so that it survives the room's eviction.
       */
      nearAt?: number;
    };

export type JoinedSession = Extract<Session, { joined: true }>;

/**
 * A connection asking to come in, as far as the room can tell before it accepts it: where it comes from (the
 * client's address, when the Worker passed it on) and who it is (the identity the Worker verified; undefined for an
 * anonymous one). The room checks it (room/admission.ts, moderation/ban-list.ts) and opens its session with it.
 */
export interface Newcomer {
  address?: string;
  identity?: Identity;
}

/**
 * What an attachment holds: a session, or the mark of a connection the room closed itself. A retired connection is
 * no member and never joins, but until the runtime reports it gone (its peer answered the close, or the connection
 * broke) it still counts against its address: a client that never answers closes would otherwise hold sockets
 * without limit. The runtime cannot abort a hibernatable socket, so only its peer or its TCP connection ends it.
 */
export type Attachment = Session | Retired;

export type Retired = { retired: true; address?: string };

/** The mark a connection closed from this side leaves in its attachment: retired, and from where it came. */
export const retiredMark = (session: Session): Retired =>
  session.address === undefined ? { retired: true } : { retired: true, address: session.address };

export const memberOf = (session: JoinedSession): Member =>
  session.identity
    ? { id: session.id, name: session.name, user: session.identity.user, verified: true }
    : session.guest
      ? { id: session.id, name: session.name, guest: true }
      : { id: session.id, name: session.name };

/** A member as the room lists it: who it is, its state, and which fields of that its token vouches for. */
export function rosterEntryOf(session: JoinedSession): RosterMember {
  const member: RosterMember = memberOf(session);
  if (session.state !== undefined) member.state = session.state;
  const vouched = session.identity?.state;
  if (vouched !== undefined) member.vouched = Object.keys(vouched);
  return member;
}

/** What a claim of a name finds (`Sessions.claim`). */
export type Claim<Socket> =
  | {
      free: true;
      /** The claimant's own old connection, which its resume key replaces: to be closed. */
      ghost?: Socket;
      /** Guests holding the name a verified member claims: a verified member always gets its name, so they give it up. */
      squatters: Socket[];
    }
  | { free: false };

/**
 * A resume key: 32 hex digits. Its first 16 name the membership, which a resume passes on (`resume`: the key the
 * join showed); its last 16 are new for each connection. Only the whole key takes a name back from a connection
 * still held (`resumedBy`), so a key stays a secret of one connection; the membership half lets an anonymous member
 * be known as the same sender across reconnects (`authorOf`), even once its old connection is gone.
 */
export function newResumeKey(resume?: string): string {
  const fresh = [...crypto.getRandomValues(new Uint8Array(16))]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
  return resume === undefined ? fresh : `${resume.slice(0, MEMBERSHIP_HEX)}${fresh.slice(MEMBERSHIP_HEX)}`;
}

const MEMBERSHIP_HEX = 16;

/**
 * Who sent a chat, across connections, for chat ids (room-storage.ts, `append`): a verified member's user, or an
 * anonymous member's membership (its resume key's first half: 64 random bits, never shown to others).
 */
export const authorOf = (session: JoinedSession): string =>
  session.identity ? `user:${session.identity.user}` : `member:${session.resumeKey.slice(0, MEMBERSHIP_HEX)}`;
