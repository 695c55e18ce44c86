// A hub's members on its shards, as the room's sessions see them (connections/sessions.ts, `FarMembers`): kept in
// the hub's storage (shard-members.ts), each found there as a connection (`ShardSet.materialize`) when the room acts
// on it, and let go of from memory once idle. The hub's memory so holds counts per shard and the members it used in
// the last ten seconds (hub-side.ts, IDLE_MS), whatever the room's size (docs/scaling.md).

import type { RosterMember } from "../../shared/protocol";
import { type JoinedSession, rosterEntryOf, type Session } from "../connections/session";
import type { FarMembers, Narrowing } from "../connections/sessions";
import type { ShardSet } from "./hub-side";
import { type Connection, RemoteConnection } from "./remote-connection";
import type { ShardMember, ShardMembers } from "./shard-members";

export class FarMembersOnShards implements FarMembers<Connection> {
  constructor(
    private readonly shards: ShardSet,
    private readonly table: ShardMembers,
  ) {}

  elsewhere(socket: Connection): boolean {
    return socket instanceof RemoteConnection;
  }

  get count(): number {
    return this.table.count;
  }

  session(socket: Connection): JoinedSession | undefined {
    return socket instanceof RemoteConnection ? socket.member : undefined;
  }

  keep(socket: Connection, session: JoinedSession, before: Session | undefined): void {
    if (!(socket instanceof RemoteConnection)) return;
    const joining = socket.member === undefined;
    // What a member's row holds changes with its name, and once in summary presence with its mark as near
    // (shard-members.ts).
    if (joining || !before?.joined || before.name !== session.name || before.nearAt !== session.nearAt)
      this.table.keep(socket.shard, socket.conn, session, joining);
    this.table.setState(session.id, session.state);
    if (joining) socket.list(true);
  }

  drop(socket: Connection): JoinedSession | undefined {
    if (!(socket instanceof RemoteConnection)) return undefined;
    const session = socket.member;
    if (!session) return undefined;
    socket.list(false);
    this.table.drop(session.id);
    return session;
  }

  named(key: string): Connection[] {
    return this.table.named(key).flatMap((member) => this.found(member) ?? []);
  }

  member(id: number): [Connection, JoinedSession] | undefined {
    const member = this.table.member(id);
    const connection = member && this.shards.materialize(member);
    const session = connection?.member;
    return session && [connection, session];
  }

  has(id: number): boolean {
    return this.table.has(id);
  }

  after(after: number, limit: number): RosterMember[] {
    return this.table.after(after, limit).map(rosterEntryOf);
  }

  from(address: string): number {
    return this.table.from(address);
  }

  narrowed(narrowing?: Narrowing): [Connection, JoinedSession][] {
    return this.table.narrowed(narrowing).flatMap((member) => {
      const connection = this.found(member);
      return connection?.member ? [[connection, connection.member] as [Connection, JoinedSession]] : [];
    });
  }

  nearCandidates(since: number | undefined): [Connection, JoinedSession][] {
    return this.table.nearCandidates(since).flatMap((member) => {
      const connection = this.found(member);
      return connection?.member ? [[connection, connection.member] as [Connection, JoinedSession]] : [];
    });
  }

  expired(now: number): Connection[] {
    return this.table.expired(now).flatMap((member) => this.found(member) ?? []);
  }

  firstExpiry(): number | undefined {
    return this.table.firstExpiry();
  }

  /** A member of storage as a connection, unless the hub closed it already (then it is no member). */
  private found(member: ShardMember): RemoteConnection | undefined {
    const connection = this.shards.materialize(member);
    return connection.member ? connection : undefined;
  }
}
