// The members a hub's shards hold, kept in the hub's SQLite instead of its memory (docs/scaling.md): a room of a
// million members keeps a million sessions, far more than an object's 128 MB. Each shard holds its members' sessions
// in their sockets' attachments, and sends a member's session with each frame it passes on, so the hub needs none
// of them to take a frame in. What it needs of them all, it asks this table: whether a name is taken, the member
// with an id (moderation), a page of members in the order they joined, how many connections come from an address,
// whom a ban or a mute reaches, whose token expires when.
//
// A row is written when a member joins, when it renames, and once a member is marked near everyone in summary
// presence (room/near-members.ts: by its first chat since the switch, or by the switch); deleted when it leaves. What
// changes without a write
// in a room of one object is not kept in the row: when a member last chatted (slow mode: a write per chat is what
// the room never makes) lives with its socket only, and its state (a live signal: never stored) with its socket,
// and here in memory, for the members who have one: the one thing the hub keeps per member on a shard, and only
// for those (a hub that starts again learns them from its shards). The table's schema is schema.ts's, migration 12.

import { nameKey } from "../../shared/names";
import type { MemberState } from "../../shared/protocol";
import { expiresAt } from "../connections/identity";
import type { JoinedSession } from "../connections/session";
import type { Narrowing } from "../connections/sessions";
import type { CountedSql } from "../observability/counted-sql";
import type { Schema } from "../storage/schema";

/** A member on a shard: where its socket is, and its session as the hub last set it. */
export interface ShardMember {
  shard: number;
  conn: string;
  session: JoinedSession;
}

type Row = { shard: number; conn: string; session: string };

export class ShardMembers {
  private readonly sql: CountedSql;
  /** How many rows there are: counted once as the hub starts, then kept. */
  private rows: number;
  /** The states of the members who have one, by id. */
  private readonly states = new Map<number, MemberState>();

  constructor(private readonly schema: Schema) {
    this.sql = schema.sql;
    this.rows = schema.exists ? this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM shard_members`).one().n : 0;
  }

  get count(): number {
    return this.rows;
  }

  /** A member on shard `shard` joined, or renamed: one row written. Its state is kept apart (`setState`). */
  keep(shard: number, conn: string, session: JoinedSession, joining: boolean): void {
    this.schema.ensure();
    const { lastChatAt: _lastChatAt, state: _state, ...kept } = session;
    this.sql.exec(
      `INSERT INTO shard_members (id, shard, conn, name_key, user, address, expires, session)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name_key = excluded.name_key, session = excluded.session`,
      session.id,
      shard,
      conn,
      nameKey(session.name),
      session.identity?.user ?? null,
      session.address ?? null,
      session.identity ? expiresAt(session.identity) : null,
      JSON.stringify(kept),
    );
    if (joining) this.rows++;
  }

  /** A member's state now (undefined: none), kept in memory only. */
  setState(id: number, state: MemberState | undefined): void {
    if (state === undefined) this.states.delete(id);
    else this.states.set(id, state);
  }

  /** A member left (or was removed): its row goes. */
  drop(id: number): void {
    this.states.delete(id);
    if (!this.schema.exists) return;
    const deleted = this.sql.exec(`DELETE FROM shard_members WHERE id = ?`, id).rowsWritten;
    if (deleted > 0) this.rows--;
  }

  member(id: number): ShardMember | undefined {
    if (!this.schema.exists) return undefined;
    const [row] = this.sql.exec<Row>(`SELECT shard, conn, session FROM shard_members WHERE id = ?`, id).toArray();
    return row && this.memberOf(row);
  }

  has(id: number): boolean {
    if (this.rows === 0) return false;
    return this.sql.exec(`SELECT 1 FROM shard_members WHERE id = ?`, id).toArray().length > 0;
  }

  /** The members whose names have the key `key` (names.ts): one, or a verified user's tabs. */
  named(key: string): ShardMember[] {
    return this.select(`WHERE name_key = ?`, key);
  }

  /** Up to `limit` members with ids after `after`, in the order they joined. */
  after(after: number, limit: number): JoinedSession[] {
    return this.select(`WHERE id > ? ORDER BY id LIMIT ?`, after, limit).map(({ session }) => session);
  }

  /** How many members come from `address`. */
  from(address: string): number {
    if (this.rows === 0) return 0;
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM shard_members WHERE address = ?`, address).one().n;
  }

  /** The members `narrowing` may concern (all of them, without one), in the order they joined. */
  narrowed(narrowing?: Narrowing): ShardMember[] {
    if (!narrowing) return this.select(`ORDER BY id`);
    const users = JSON.stringify(narrowing.users ?? []);
    const addresses = JSON.stringify(narrowing.addresses ?? []);
    return this.select(
      `WHERE user IN (SELECT value FROM json_each(?)) OR address IN (SELECT value FROM json_each(?))
         OR (? AND user IS NULL) ORDER BY id`,
      users,
      addresses,
      narrowing.anonymous ? 1 : 0,
    );
  }

  /**
   * The moderators, and the members marked near since `since`: read once per instance of the hub, by whom it lists as
   * near (room/near-members.ts). The whole table is read for it.
   */
  nearCandidates(since: number | undefined): ShardMember[] {
    return this.select(
      `WHERE json_extract(session, '$.identity.role') = 'moderator' OR json_extract(session, '$.nearAt') >= ?`,
      since ?? Number.MAX_SAFE_INTEGER,
    );
  }

  /** The members whose tokens have expired by `now`. */
  expired(now: number): ShardMember[] {
    return this.select(`WHERE expires <= ?`, now);
  }

  /** When the first token among the members' expires; undefined if none came with one. */
  firstExpiry(): number | undefined {
    if (this.rows === 0) return undefined;
    return this.sql.exec<{ at: number | null }>(`SELECT MIN(expires) AS at FROM shard_members`).one().at ?? undefined;
  }

  /** How many members each shard holds, by shard: read once, by a hub that starts again. */
  countsByShard(): Map<number, number> {
    if (!this.schema.exists) return new Map();
    const counts = this.sql.exec<{ shard: number; n: number }>(
      `SELECT shard, COUNT(*) AS n FROM shard_members GROUP BY shard`,
    );
    return new Map(counts.toArray().map(({ shard, n }) => [shard, n]));
  }

  /** The members on shard `shard` (read only when the shard's count disagrees with the hub's). */
  onShard(shard: number): ShardMember[] {
    return this.select(`WHERE shard = ?`, shard);
  }

  /** The room's storage was deleted: the table with it. */
  wiped(): void {
    this.rows = 0;
    this.states.clear();
  }

  /** Nothing is read while the table is empty: a room that never needed a shard reads nothing of it. */
  private select(clause: string, ...bindings: (string | number)[]): ShardMember[] {
    if (this.rows === 0) return [];
    return this.sql
      .exec<Row>(`SELECT shard, conn, session FROM shard_members ${clause}`, ...bindings)
      .toArray()
      .map((row) => this.memberOf(row));
  }

  private memberOf({ shard, conn, session }: Row): ShardMember {
    const member: ShardMember = { shard, conn, session: JSON.parse(session) as JoinedSession };
    const state = this.states.get(member.session.id);
    if (state !== undefined) member.session.state = state;
    return member;
  }
}
