// The members near everyone in a room in summary presence (presence.ts, docs/protocol.md "Presence in large rooms"):
// its moderators, and the members who spoke last. A newcomer's welcome lists those present (with the newcomer), and
// so does the switch to summary presence; the room announces their leaves, where other members' are only counted.
//
// What this keeps is bounded whatever the room's size: the moderators present and the NEAR_SPEAKERS_MAX most recent
// distinct speakers, each by its connection (its session, name and state are the sessions', read when listed).
// Whose leave is announced is wider than that: every member a client may hold, which is every member who sent a chat
// since the room went into summary presence (clients add a chat's sender). That mark lives with the member, in its
// session (`nearAt`, set once, by its first chat or by the switch that listed it), so it survives the room's eviction
// from memory and costs the room nothing per member. After an eviction the speakers here are rebuilt from those marks
// (in the order they were set, not of their last chat): nothing is stored for them.

import { NEAR_SPEAKERS_MAX, type RosterMember } from "../../shared/protocol";
import { type JoinedSession, type RoomSocket, rosterEntryOf } from "../connections/session";
import type { Sessions } from "../connections/sessions";

export class NearMembers<Socket extends RoomSocket> {
  private readonly moderators = new Map<number, Socket>();
  /** The most recent distinct speakers, the least recent first. */
  private readonly speakers = new Map<number, Socket>();
  /** Whether the maps were rebuilt from the sessions since this instance of the room started. */
  private built = false;

  constructor(
    private readonly sessions: Sessions<Socket>,
    /** When the room went into summary presence; undefined in list presence (presence-store.ts). */
    private readonly summarySince: () => number | undefined,
  ) {}

  /** A member joined: a moderator is near. */
  joined(socket: Socket, session: JoinedSession): void {
    this.build();
    if (isModerator(session)) this.moderators.set(session.id, socket);
  }

  /**
   * A member sent a chat: it is among the recent speakers, and in summary presence it is marked near (clients add
   * a chat's sender to their list), so that its leave is announced.
   */
  spoke(socket: Socket, session: JoinedSession, now: number): void {
    this.build();
    this.speakers.delete(session.id);
    this.speakers.set(session.id, socket);
    if (this.speakers.size > NEAR_SPEAKERS_MAX) this.speakers.delete(this.speakers.keys().next().value!);
    if (!this.isNear(session) && this.summarySince() !== undefined) this.sessions.markNear(socket, now);
  }

  left(id: number): void {
    this.moderators.delete(id);
    this.speakers.delete(id);
  }

  /** Whether clients may hold this member in summary presence: a moderator, or one marked since the switch. */
  isNear(session: JoinedSession): boolean {
    const since = this.summarySince();
    return isModerator(session) || (since !== undefined && session.nearAt !== undefined && session.nearAt >= since);
  }

  /** The near members present, in the order they joined, with `also` (a newcomer, for its welcome). */
  list(also?: JoinedSession): RosterMember[] {
    return this.present(also).map(([, session]) => rosterEntryOf(session));
  }

  /** The near members present, listed to everyone at the switch to summary presence: marked, for their leaves. */
  listAndMark(at: number): RosterMember[] {
    const present = this.present();
    for (const [socket, session] of present) if (socket && !this.isNear(session)) this.sessions.markNear(socket, at);
    return present.map(([, session]) => rosterEntryOf(session));
  }

  private present(also?: JoinedSession): [Socket | undefined, JoinedSession][] {
    this.build();
    const near = new Map<number, [Socket | undefined, JoinedSession]>();
    for (const socket of [...this.moderators.values(), ...this.speakers.values()]) {
      const session = this.sessions.get(socket);
      if (session?.joined) near.set(session.id, [socket, session]);
    }
    if (also) near.set(also.id, [undefined, also]);
    return [...near.values()].sort(([, a], [, b]) => a.id - b.id);
  }

  /** After the room's eviction from memory: the moderators present, and the speakers marked since the switch. */
  private build(): void {
    if (this.built) return;
    this.built = true;
    const marked: [Socket, JoinedSession][] = [];
    for (const [socket, session] of this.sessions.joined()) {
      if (isModerator(session)) this.moderators.set(session.id, socket);
      else if (this.isNear(session)) marked.push([socket, session]);
    }
    marked.sort(([, a], [, b]) => a.nearAt! - b.nearAt!);
    for (const [socket, session] of marked.slice(-NEAR_SPEAKERS_MAX)) this.speakers.set(session.id, socket);
  }
}

const isModerator = (session: JoinedSession): boolean => session.identity?.role === "moderator";
