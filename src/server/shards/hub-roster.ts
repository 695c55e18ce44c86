// The hub's own members as its shards' members know them, kept in the room's SQLite. A hub that crashes loses its
// own sockets (1006 to their clients), and with them its memory of whom they held: without this roster, the
// members on its shards would never hear that those members left. The hub that starts again announces the leave of
// every member kept here that did not come back with its sockets (room/hub.ts, `restoreShards`).
//
// It starts when the first member on a shard joins, with every member the hub holds then, and follows what the
// hub announces from then on (hub-side.ts, `ShardSet.audience`). A room that never needed a shard never writes it.
// Its tables are schema.ts's; that it has started is kept as a row of its own, since it may be empty by then.

import type { Member, RosterMember } from "../../shared/protocol";
import type { Schema, Sql } from "../storage/schema";

export class HubRoster {
  private readonly sql: Sql;
  private begun: boolean;

  constructor(private readonly schema: Schema) {
    this.sql = schema.sql;
    this.begun = schema.exists && this.sql.exec(`SELECT 1 FROM hub_roster_started`).toArray().length > 0;
  }

  /** Whether the roster has started: once a member on a shard has joined, and until the room's storage is cleared. */
  get started(): boolean {
    return this.begun;
  }

  /** Keeps members who joined on the hub's own sockets; the first call starts the roster, even with none. */
  keep(members: readonly RosterMember[]): void {
    if (!this.begun) {
      this.schema.ensure();
      this.sql.exec(`INSERT OR IGNORE INTO hub_roster_started (one) VALUES (1)`);
      this.begun = true;
    }
    if (members.length === 0) return;
    // One statement for the whole batch: each element of the array is kept as its JSON text.
    this.sql.exec(
      `INSERT OR REPLACE INTO hub_members (id, member) SELECT json_extract(value, '$.id'), value FROM json_each(?)`,
      // Who they are, not their state: that lives with their sessions only (connections/session.ts).
      JSON.stringify(members.map(({ state: _state, vouched: _vouched, ...member }) => member)),
    );
  }

  /** A member kept here took a new name (one on a shard is not kept: nothing changes). */
  renamed(member: Member): void {
    if (this.begun) this.sql.exec(`UPDATE hub_members SET member = ? WHERE id = ?`, JSON.stringify(member), member.id);
  }

  /** Members who left, their leave announced. */
  drop(members: readonly Member[]): void {
    if (!this.begun || members.length === 0) return;
    const ids = JSON.stringify(members.map(({ id }) => id));
    this.sql.exec(`DELETE FROM hub_members WHERE id IN (SELECT value FROM json_each(?))`, ids);
  }

  /** The members kept here whose ids are not among `present`: those whose sockets the hub lost. */
  missing(present: ReadonlySet<number>): Member[] {
    if (!this.begun) return [];
    return this.sql
      .exec<{ id: number; member: string }>(`SELECT id, member FROM hub_members ORDER BY id`)
      .toArray()
      .filter(({ id }) => !present.has(id))
      .map(({ member }) => JSON.parse(member) as Member);
  }

  /** The room's storage was deleted: the roster with it. */
  wiped(): void {
    this.begun = false;
  }
}
