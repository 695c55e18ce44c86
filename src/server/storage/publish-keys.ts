// The idempotency keys of the publish API's posts (docs/backend.md): each key the game's backend sent with a post,
// the seq of the message it posted, and when. A retry with the same key within PUBLISH_KEY_LIFE_MS is answered with
// that seq and posts nothing; after it, the key is new again. The room's alarm deletes expired keys (room/upkeep.ts),
// and a room keeps its storage while it holds any.
//
// A key is remembered in the same write as the message it posted (room/message-log.ts): a post is stored with its
// key or not at all, so no crash between the two can let a retry post twice. The table is schema.ts's; like the
// room's other tables it is made by the room's first write, and looking a key up in a room never written writes
// nothing.

import type { Schema, Sql } from "./schema";

/** How long a post's idempotency key is kept: a retry within it posts nothing again. */
export const PUBLISH_KEY_LIFE_MS = 24 * 60 * 60 * 1000;

export class PublishKeys {
  private readonly sql: Sql;

  constructor(private readonly schema: Schema) {
    this.sql = schema.sql;
  }

  /** Whether any key is kept, expired or not: the room's storage must stay while one is. */
  get any(): boolean {
    return this.schema.exists && this.sql.exec(`SELECT 1 FROM publish_keys LIMIT 1`).toArray().length > 0;
  }

  /** The seq that `key` posted, if it was posted less than PUBLISH_KEY_LIFE_MS before `now`. */
  find(key: string, now: number): number | undefined {
    if (!this.schema.exists) return undefined;
    return this.sql
      .exec<{ seq: number }>(`SELECT seq FROM publish_keys WHERE key = ? AND at > ?`, key, now - PUBLISH_KEY_LIFE_MS)
      .toArray()[0]?.seq;
  }

  /**
   * Remembers that `key` posted message `seq` at `at` (within the write that stores the message). A key that
   * expired and was not deleted yet is replaced: `find` no longer knew it.
   */
  remember(key: string, seq: number, at: number): void {
    this.sql.exec(`INSERT OR REPLACE INTO publish_keys (key, seq, at) VALUES (?, ?, ?)`, key, seq, at);
  }

  /** Forgets the keys that expired by `now`. */
  expire(now: number): void {
    if (!this.schema.exists) return;
    this.sql.exec(`DELETE FROM publish_keys WHERE at <= ?`, now - PUBLISH_KEY_LIFE_MS);
  }

  /** When the oldest key expires; undefined if none is kept. */
  nextExpiry(): number | undefined {
    if (!this.schema.exists) return undefined;
    const oldest = this.sql.exec<{ at: number | null }>(`SELECT MIN(at) AS at FROM publish_keys`).one().at;
    return oldest === null ? undefined : oldest + PUBLISH_KEY_LIFE_MS;
  }
}
