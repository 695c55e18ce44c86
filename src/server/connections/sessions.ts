// Who is connected to the room, and who of them has joined. With the WebSocket Hibernation API the runtime holds
// the sockets and may evict the room from memory whenever it is idle, re-creating it (constructor included) when
// the next event arrives. So a connection's session lives in its socket's attachment, which survives eviction, and
// the map here is a cache rebuilt from the attachments. This is the one place that reads or writes them.
//
// A hub's members on its shards are not kept here (`FarMembers`, shards/far-members.ts): their sessions live with
// their shards' sockets and in the hub's storage, so that a room of a million members does not hold a million
// sessions in one object's memory. Their connections are kept here only until they join, and once the room closed
// them, until they are gone. Everything that asks about the whole room (a name's holders, a member by id, a page of
// members, an address's connections, whom a ban reaches) asks both.

import { nameKey } from "../../shared/names";
import type { Dialect, MemberState, RosterMember } from "../../shared/protocol";
import {
  type Attachment,
  type Claim,
  type JoinedSession,
  type Newcomer,
  newResumeKey,
  type RoomSocket,
  retiredMark,
  rosterEntryOf,
  type Session,
} from "./session";

/** What narrows a search of the members to those it may concern: their users, or their addresses, or anonymous ones. */
export interface Narrowing {
  users?: readonly string[];
  addresses?: readonly string[];
  /** Every anonymous member (an address's mute, known by its hash only, may reach any of them). */
  anonymous?: boolean;
}

/** Members whose sessions the room keeps elsewhere than in its memory: a hub's members on its shards. */
export interface FarMembers<Socket> {
  /** Whether `socket`'s session, once it joins, is kept elsewhere. */
  elsewhere(socket: Socket): boolean;
  /** How many members are kept there. */
  readonly count: number;
  /** The session of a member kept there; undefined once it left. */
  session(socket: Socket): JoinedSession | undefined;
  /** A member kept there joined (`before` is not joined), or its session changed. */
  keep(socket: Socket, session: JoinedSession, before: Session | undefined): void;
  /** A member kept there left, or was closed: its session, if it was one. */
  drop(socket: Socket): JoinedSession | undefined;
  /** The members whose names have the key `key`. */
  named(key: string): Socket[];
  member(id: number): [Socket, JoinedSession] | undefined;
  /** Whether a member with this id is kept there. */
  has(id: number): boolean;
  /** Up to `limit` members with ids after `after`, in the order they joined. */
  after(after: number, limit: number): RosterMember[];
  /** How many members come from `address`. */
  from(address: string): number;
  /** The members `narrowing` may concern (every one, without it). */
  narrowed(narrowing?: Narrowing): [Socket, JoinedSession][];
  /** The moderators kept there, and the members marked near since `since` (room/near-members.ts). */
  nearCandidates(since: number | undefined): [Socket, JoinedSession][];
  /** The members whose tokens have expired by `now`; when the first token expires. */
  expired(now: number): Socket[];
  firstExpiry(): number | undefined;
}

export class Sessions<Socket extends RoomSocket> {
  private readonly bySocket = new Map<Socket, Session>();
  /** The joined entries of `bySocket`, in its order: built once per change, not once per broadcast. */
  private joinedEntries: [Socket, JoinedSession][] | undefined;
  /** Those of them on the room's own sockets. */
  private joinedHereEntries: [Socket, JoinedSession][] | undefined;
  private unjoinedCount = 0;
  private hereCount = 0;
  /** Connections per client address: open ones, and retired ones the runtime has not reported gone. */
  private readonly perAddress = new Map<string, number>();
  /** Retired connections from a known address, until the runtime reports them gone. */
  private readonly closing = new Map<Socket, string>();
  /** Who holds each name, by its key (names.ts): names are unique in a room. */
  private readonly byName = new Map<string, Socket[]>();

  /**
   * Rebuilds the sessions of the sockets the runtime kept while the room was away from memory. `verifies`: the room
   * verifies tokens (the server has AUTH_SECRET), so its anonymous members are guests.
   */
  constructor(
    sockets: Socket[],
    private readonly verifies = false,
    private readonly far?: FarMembers<Socket>,
  ) {
    this.restore(sockets);
  }

  /** Adds the sessions of more sockets kept elsewhere: a hub's shards' connections, once they said which they hold. */
  restore(sockets: Socket[]): void {
    const restored: [Socket, Session][] = [...this.bySocket];
    for (const socket of sockets) {
      const attachment = socket.deserializeAttachment() as Attachment;
      if (!("retired" in attachment)) restored.push([socket, attachment]);
      else if (attachment.address !== undefined && !this.closing.has(socket)) this.closeOn(socket, attachment.address);
    }
    for (const [socket, session] of this.bySocket) this.count(socket, session, -1);
    this.bySocket.clear();
    // Ids grow with each join, so sorting by id lists members in the order they arrived.
    const order = (session: Session) => (session.joined ? session.id : Infinity);
    for (const [socket, session] of restored.sort(([, a], [, b]) => order(a) - order(b)))
      this.save(socket, session, false);
  }

  /** Open connections, joined or not. */
  get size(): number {
    return this.bySocket.size + (this.far?.count ?? 0);
  }

  /** Members of the room, wherever their sockets are. */
  get memberCount(): number {
    return this.joined().length + (this.far?.count ?? 0);
  }

  /** Open connections on the room's own sockets. */
  get sizeHere(): number {
    return this.hereCount;
  }

  /** A connection that has not joined yet: the newcomer the room let in. */
  open(socket: Socket, openedAt: number, newcomer: Newcomer = {}): void {
    const session: Session = { joined: false, openedAt };
    if (newcomer.address !== undefined) session.address = newcomer.address;
    if (newcomer.identity !== undefined) session.identity = newcomer.identity;
    this.save(socket, session);
  }

  /**
   * Whether the connection on `socket` may take `name`: names are unique in a room (compared by their key, names.ts),
   * but one verified user may be here more than once (two tabs that do not resume) under its own name. A rejoin that
   * carries a member's resume key is that member coming back while the room still holds its old connection
   * (`ghost`), verified or not: that connection must then be closed, since a resume key stands for one membership.
   * A verified member always gets its name: anonymous holders of it (`squatters`) must give it up.
   */
  claim(socket: Socket, name: string, resume?: string): Claim<Socket> {
    const key = nameKey(name);
    const holders = [...(this.byName.get(key) ?? []), ...(this.far?.named(key) ?? [])].filter(
      (holder) => holder !== socket,
    );
    const user = this.get(socket)?.identity?.user;
    // A key resumes the membership it was given to: a verified one only for the same user.
    const ghost =
      resume === undefined
        ? undefined
        : holders.find((holder) => this.get(holder)?.identity?.user === user && this.resumedBy(holder, resume));
    const others = holders.filter((holder) => holder !== ghost);
    const squatters = user === undefined ? [] : others.filter((holder) => this.get(holder)?.identity === undefined);
    const free = others.every(
      (holder) => squatters.includes(holder) || (user !== undefined && this.get(holder)?.identity?.user === user),
    );
    if (!free) return { free: false };
    return ghost === undefined ? { free: true, squatters } : { free: true, ghost, squatters };
  }

  /** Whether a member holds `name`, or one with the same key. */
  holds(name: string): boolean {
    const key = nameKey(name);
    return this.byName.has(key) || (this.far?.named(key).length ?? 0) > 0;
  }

  /**
   * Whether `resume` is the resume key of the member on `socket`: a rejoin that shows it is that member coming back
   * while the room still holds its dead connection. Compared in constant time, so that timing tells nothing.
   */
  private resumedBy(socket: Socket, resume: string): boolean {
    const session = this.get(socket);
    if (!session?.joined || session.resumeKey.length !== resume.length) return false;
    const utf8 = new TextEncoder();
    return crypto.subtle.timingSafeEqual(utf8.encode(session.resumeKey), utf8.encode(resume));
  }

  /** The member with this id, if it is here. */
  member(id: number): [Socket, JoinedSession] | undefined {
    return this.joined().find(([, session]) => session.id === id) ?? this.far?.member(id);
  }

  /** Whether the member with this id is here. */
  isMember(id: number): boolean {
    return this.joined().some(([, session]) => session.id === id) || (this.far?.has(id) ?? false);
  }

  /** Every open connection the room keeps in memory, joined or not: not the members it keeps elsewhere. */
  all(): Socket[] {
    return [...this.bySocket.keys()];
  }

  /**
   * Every open connection, joined or not, whose session `matches`: among the members kept elsewhere, those
   * `narrowing` may concern (every one, without it).
   */
  where(matches: (session: Session) => boolean, narrowing?: Narrowing): Socket[] {
    return [...this.bySocket, ...(this.far?.narrowed(narrowing) ?? [])]
      .filter(([, session]) => matches(session))
      .map(([socket]) => socket);
  }

  /** The members whose sessions `matches`, as `where`, in the order they joined. */
  membersWhere(matches: (session: JoinedSession) => boolean, narrowing?: Narrowing): [Socket, JoinedSession][] {
    const found = [...this.joined(), ...(this.far?.narrowed(narrowing) ?? [])].filter(([, session]) =>
      matches(session),
    );
    return found.sort(([, a], [, b]) => a.id - b.id);
  }

  /**
   * The members who may be near everyone (room/near-members.ts): all those in memory, and of those kept elsewhere
   * the moderators and the members marked near since `since` (none, without it).
   */
  nearCandidates(since: number | undefined): [Socket, JoinedSession][] {
    return [...this.joined(), ...(this.far?.nearCandidates(since) ?? [])];
  }

  /** The members whose tokens have expired by `now` (token-expiry.ts, `tokenExpired`). */
  expired(now: number, expired: (session: JoinedSession) => boolean): Socket[] {
    const here = this.joined().filter(([, session]) => expired(session));
    return [...here.map(([socket]) => socket), ...(this.far?.expired(now) ?? [])];
  }

  /** When the first token among the members' expires (`expiresAt` of each), if any came with one. */
  firstExpiry(expiresAt: (session: JoinedSession) => number | undefined): number | undefined {
    let first = this.far?.firstExpiry();
    for (const [, session] of this.joined()) {
      const at = expiresAt(session);
      if (at !== undefined) first = Math.min(first ?? Infinity, at);
    }
    return first;
  }

  /** How many connections come from `address`: open ones, and retired ones not yet gone. */
  connectionsFrom(address: string): number {
    return (this.perAddress.get(address) ?? 0) + (this.far?.from(address) ?? 0);
  }

  /** The session of an open connection; undefined once it has been removed. */
  get(socket: Socket): Session | undefined {
    return this.bySocket.get(socket) ?? this.far?.session(socket);
  }

  /**
   * A connection joins as a member; it gets a resume key of its own (see `resumedBy`). In a room that verifies
   * tokens, an anonymous member is a guest.
   */
  join(
    socket: Socket,
    member: { id: number; name: string; dialect: Dialect; frameBytes?: number; state?: MemberState },
    resume?: string,
  ): JoinedSession {
    const session = this.bySocket.get(socket);
    if (!session) throw new Error("join on a connection the room does not hold");
    const joined: JoinedSession = { joined: true, ...member, resumeKey: newResumeKey(resume) };
    if (session.address !== undefined) joined.address = session.address;
    if (session.identity !== undefined) joined.identity = session.identity;
    else if (this.verifies) joined.guest = true;
    this.save(socket, joined);
    return joined;
  }

  rename(socket: Socket, name: string): JoinedSession {
    return this.replace(socket, { ...this.joinedSession(socket), name });
  }

  /** A member's new state (its token's fields included; empty: none). */
  setState(socket: Socket, state: MemberState): JoinedSession {
    const { state: _old, ...session } = this.joinedSession(socket);
    return this.replace(socket, Object.keys(state).length === 0 ? session : { ...session, state });
  }

  /** A member's chat was taken at `at` (limits/slow-mode.ts). */
  chatted(socket: Socket, at: number): JoinedSession {
    return this.replace(socket, { ...this.joinedSession(socket), lastChatAt: at });
  }

  /** A member is near everyone from `at` on, in summary presence (room/near-members.ts). */
  markNear(socket: Socket, at: number): JoinedSession {
    return this.replace(socket, { ...this.joinedSession(socket), nearAt: at });
  }

  private replace(socket: Socket, session: JoinedSession): JoinedSession {
    this.save(socket, session);
    return session;
  }

  private joinedSession(socket: Socket): JoinedSession {
    const session = this.get(socket);
    if (!session?.joined) throw new Error("a change to a connection that has not joined");
    return session;
  }

  /**
   * Drops a connection the runtime reports gone. Returns its session if it had joined (its leave is to be
   * announced), undefined if it had not, or was removed or retired before: a connection's leave is announced once,
   * however many ways it ends.
   */
  remove(socket: Socket): JoinedSession | undefined {
    const address = this.closing.get(socket);
    if (address !== undefined) {
      this.closing.delete(socket);
      this.countAddress(address, -1);
    }
    return this.unlist(socket);
  }

  /** Takes a connection off every list and count (by socket, by name, by address); its session if it had joined. */
  private unlist(socket: Socket): JoinedSession | undefined {
    const session = this.bySocket.get(socket);
    if (!session) return this.far?.drop(socket);
    this.bySocket.delete(socket);
    this.joinedEntries = this.joinedHereEntries = undefined;
    this.count(socket, session, -1);
    return session.joined ? session : undefined;
  }

  /**
   * A connection the room is closing itself: no longer listed nor joined, but counted against its address until
   * `remove` (see `Attachment`). Its attachment says so: should the room be re-created before the socket's close
   * arrives, it will not list the member nor announce its leave again, and it will count the socket still.
   */
  retire(socket: Socket): JoinedSession | undefined {
    const session = this.get(socket);
    if (!session) return undefined;
    const joined = this.unlist(socket);
    if (session.address !== undefined) this.closeOn(socket, session.address);
    socket.serializeAttachment(retiredMark(session));
    return joined;
  }

  private closeOn(socket: Socket, address: string): void {
    this.closing.set(socket, address);
    this.countAddress(address, 1);
  }

  /** Whether any connection has not joined yet. */
  get anyUnjoined(): boolean {
    return this.unjoinedCount > 0;
  }

  /** Connections that have not joined, with when they opened. */
  *unjoined(): Iterable<[Socket, number]> {
    for (const [socket, session] of this.bySocket) if (!session.joined) yield [socket, session.openedAt];
  }

  /** Up to `limit` members with ids after `after`, in the order they joined; `more` if others follow them. */
  membersAfter(after: number, limit: number): { members: RosterMember[]; more: boolean } {
    const joined = this.joined();
    // Ids grow in the order members joined: the first one after `after` is found by halving.
    let low = 0;
    for (let high = joined.length; low < high; ) {
      const middle = (low + high) >>> 1;
      if (joined[middle]![1].id <= after) low = middle + 1;
      else high = middle;
    }
    const here = joined.slice(low, low + limit + 1).map(([, session]) => rosterEntryOf(session));
    const far = this.far?.after(after, limit + 1) ?? [];
    // Two lists in the order of their ids, one page of both: one more than the page, if any, says more follow.
    const both = far.length === 0 ? here : [...here, ...far].sort((a, b) => a.id - b.id);
    return { members: both.slice(0, limit), more: both.length > limit };
  }

  /** Every joined connection kept in memory with its session: all the room's members but those kept elsewhere. */
  private joined(): readonly [Socket, JoinedSession][] {
    this.joinedEntries ??= [...this.bySocket].filter((entry): entry is [Socket, JoinedSession] => entry[1].joined);
    return this.joinedEntries;
  }

  /** The joined connections on the room's own sockets: those it sends to itself. */
  joinedHere(): readonly [Socket, JoinedSession][] {
    this.joinedHereEntries ??= this.joined().filter(([socket]) => socket.shard === undefined);
    return this.joinedHereEntries;
  }

  private save(socket: Socket, session: Session, attach = true): void {
    const kept = this.get(socket);
    if (attach) socket.serializeAttachment(session);
    const before = this.bySocket.get(socket);
    if (session.joined && this.far?.elsewhere(socket)) {
      // A member kept elsewhere: its session, once joined, leaves this memory.
      if (before) {
        this.bySocket.delete(socket);
        this.count(socket, before, -1);
        this.joinedEntries = this.joinedHereEntries = undefined;
      }
      this.far.keep(socket, session, kept);
      return;
    }
    if (before) this.count(socket, before, -1);
    // A joining connection goes to the end of the map: members are listed in the order they joined, which is the
    // order of their ids (membersAfter).
    if (before && !before.joined && session.joined) this.bySocket.delete(socket);
    this.count(socket, session, 1);
    this.bySocket.set(socket, session);
    this.joinedEntries = this.joinedHereEntries = undefined;
  }

  /** Keeps the indexes derived from the sessions: `delta` is 1 for a session added, -1 for one taken away. */
  private count(socket: Socket, session: Session, delta: 1 | -1): void {
    if (socket.shard === undefined) this.hereCount += delta;
    if (!session.joined) this.unjoinedCount += delta;
    else this.index(nameKey(session.name), socket, delta);
    if (session.address !== undefined) this.countAddress(session.address, delta);
  }

  private countAddress(address: string, delta: 1 | -1): void {
    const connections = (this.perAddress.get(address) ?? 0) + delta;
    if (connections > 0) this.perAddress.set(address, connections);
    else this.perAddress.delete(address);
  }

  private index(key: string, socket: Socket, delta: 1 | -1): void {
    // Almost always one holder: an array is lighter than a set, per member.
    const holders = (this.byName.get(key) ?? []).filter((holder) => holder !== socket);
    if (delta === 1) holders.push(socket);
    if (holders.length > 0) this.byName.set(key, holders);
    else this.byName.delete(key);
  }
}
