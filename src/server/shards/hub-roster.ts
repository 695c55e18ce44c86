// The hub's own members as its shards' members know them, kept in the room's SQLite. A hub that crashes loses its
// own sockets (1006 to their clients), and with them its memory of whom they held: without this roster, the
// members on its shards would never hear that those members left. The hub that starts again announces the leave of
// every member kept here that did not come back with its sockets (room/hub.ts, `restoreShards`).
//
// It starts when the first member on a shard joins, with every member the hub holds then, and follows what the
// hub announces from then on (hub-side.ts, `ShardSet.audience`). A room that never needed a shard never writes it.
// The table is created by that first write, like the history's and the bans'.

import type { Member } from "../../shared/protocol";
import { tableExists } from "../storage/room-storage";

export class HubRoster {
  private readonly sql: SqlStorage;
  private created: boolean;

  constructor(storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.created = tableExists(this.sql, "hub_members");
  }

  /** Whether the roster has started: once a member on a shard has joined, and until the room's storage is cleared. */
  get started(): boolean {
    return this.created;
  }

  /** Keeps members who joined on the hub's own sockets. */
  keep(members: readonly Member[]): void {
    if (members.length === 0) return;
    if (!this.created) {
      this.sql.exec(`CREATE TABLE IF NOT EXISTS hub_members (id INTEGER PRIMARY KEY, member TEXT NOT NULL)`);
      this.created = true;
    }
    // One statement for the whole batch: each element of the array is kept as its JSON text.
    this.sql.exec(
      `INSERT OR REPLACE INTO hub_members (id, member) SELECT json_extract(value, '$.id'), value FROM json_each(?)`,
      JSON.stringify(members),
    );
  }

  /** A member kept here took a new name (one on a shard is not kept: nothing changes). */
  renamed(member: Member): void {
    if (this.created)
      this.sql.exec(`UPDATE hub_members SET member = ? WHERE id = ?`, JSON.stringify(member), member.id);
  }

  /** Members who left, their leave announced. */
  drop(members: readonly Member[]): void {
    if (!this.created || members.length === 0) return;
    const ids = JSON.stringify(members.map(({ id }) => id));
    this.sql.exec(`DELETE FROM hub_members WHERE id IN (SELECT value FROM json_each(?))`, ids);
  }

  /** The members kept here whose ids are not among `present`: those whose sockets the hub lost. */
  missing(present: ReadonlySet<number>): Member[] {
    if (!this.created) return [];
    return this.sql
      .exec<{ id: number; member: string }>(`SELECT id, member FROM hub_members ORDER BY id`)
      .toArray()
      .filter(({ id }) => !present.has(id))
      .map(({ member }) => JSON.parse(member) as Member);
  }

  /** The room's storage was deleted: the roster with it. */
  forget(): void {
    this.created = false;
  }
}
