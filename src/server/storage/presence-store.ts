// Whether the room is in summary presence, and since when (room/presence.ts), kept in the room's SQLite: one row of
// `counters` while it is, none while it is not. The mode cannot be told from the member count alone: between the two
// sizes (floor(3/4 of PRESENCE_LIST_MAX) and PRESENCE_LIST_MAX) a room may be in either, and one evicted from memory
// there must come back in the mode its members were told, or they would never hear it switch back. One write per
// switch, which the sizes' gap keeps rare; read once per instance, and only by a room with members.

import type { Schema, Sql } from "./schema";

const ROW = "presence_summary";

export class PresenceStore {
  private readonly sql: Sql;
  /** When the room went into summary presence, null in list presence; undefined until read. */
  private cached: number | null | undefined;

  constructor(private readonly schema: Schema) {
    this.sql = schema.sql;
  }

  /** When the room went into summary presence; undefined while it is in list presence. */
  get summarySince(): number | undefined {
    // A room whose storage went (nobody left) is in list presence, whatever was read before.
    if (!this.schema.exists) {
      this.cached = null;
      return undefined;
    }
    this.cached ??=
      this.sql.exec<{ value: number }>(`SELECT value FROM counters WHERE name = ?`, ROW).toArray()[0]?.value ?? null;
    return this.cached ?? undefined;
  }

  /** The room went into summary presence at `since`, or (undefined) back to list presence. */
  save(since: number | undefined): void {
    if (since === undefined) {
      // A room whose storage went has nothing to delete: no write makes its tables again.
      if (this.schema.exists) this.sql.exec(`DELETE FROM counters WHERE name = ?`, ROW);
    } else {
      this.schema.ensure();
      this.sql.exec(`INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)`, ROW, since);
    }
    this.cached = since ?? null;
  }
}
