// What the room's webhooks keep in its SQLite (docs/backend.md, "Webhooks"): the events not yet delivered, in the
// order of their ids; the cursor (how far delivery got, the batch being sent, its failures); and the members the
// backend was told joined and not yet that they left, so that those lost with a restart are told to have left
// (room/webhooks.ts). The queue's rules are room/webhook-queue.ts's; here are its queries only. Nothing is written
// unless WEBHOOK_URL is set, and like every table these are schema.ts's, created by the room's first write.

import type { Member } from "../../shared/protocol";
import type { Schema, Sql } from "./schema";

/** One undelivered event: its id, when it happened, its JSON; on a `webhook.gap` event, how many it stands for. */
export interface StoredEvent {
  id: number;
  at: number;
  event: string;
  dropped?: number;
}

/** How far delivery got. */
export interface WebhookCursor {
  /** The last event id delivered (or, before the first delivery, the one before the first id). */
  delivered: number;
  /** The batch being sent, up to this id: sent again as it is, under the same webhook-id, until delivered. */
  batchLast?: number;
  /** Failed attempts at that batch; `retryAt`, when the next one is due; `lastError`, why the last one failed. */
  attempts: number;
  retryAt?: number;
  lastError?: string;
  /** Events dropped past the backlog limit in this life of the room's storage. */
  dropped: number;
}

/** The queries the webhook queue needs (room/webhook-queue.ts), here on SQLite, in unit tests on an array. */
export interface EventStore {
  /** Undefined until the first event of this life of the room's storage. */
  cursor(): WebhookCursor | undefined;
  saveCursor(cursor: WebhookCursor): void;
  append(event: StoredEvent): void;
  count(): number;
  /** The newest event's id, if any is stored. */
  lastId(): number | undefined;
  oldestAt(): number | undefined;
  /** Up to `limit` events with ids after `after`, oldest first. */
  after(after: number, limit: number): StoredEvent[];
  /** Deletes the events with `after` < id ≤ `through`. */
  delete(after: number, through: number): void;
}

type EventRow = { id: number; at: number; event: string; dropped: number | null };

type CursorRow = {
  delivered: number;
  batch_last: number | null;
  attempts: number;
  retry_at: number | null;
  last_error: string | null;
  dropped: number;
};

export class WebhookStore implements EventStore {
  private readonly sql: Sql;

  constructor(private readonly schema: Schema) {
    this.sql = schema.sql;
  }

  cursor(): WebhookCursor | undefined {
    if (!this.schema.exists) return undefined;
    const row = this.sql.exec<CursorRow>(`SELECT * FROM webhook_cursor`).toArray()[0];
    if (!row) return undefined;
    const cursor: WebhookCursor = { delivered: row.delivered, attempts: row.attempts, dropped: row.dropped };
    if (row.batch_last !== null) cursor.batchLast = row.batch_last;
    if (row.retry_at !== null) cursor.retryAt = row.retry_at;
    if (row.last_error !== null) cursor.lastError = row.last_error;
    return cursor;
  }

  saveCursor({ delivered, batchLast, attempts, retryAt, lastError, dropped }: WebhookCursor): void {
    this.schema.ensure();
    this.sql.exec(
      `INSERT OR REPLACE INTO webhook_cursor (one, delivered, batch_last, attempts, retry_at, last_error, dropped)
        VALUES (1, ?, ?, ?, ?, ?, ?)`,
      delivered,
      batchLast ?? null,
      attempts,
      retryAt ?? null,
      lastError ?? null,
      dropped,
    );
  }

  append({ id, at, event, dropped }: StoredEvent): void {
    this.schema.ensure();
    this.sql.exec(
      `INSERT INTO webhook_events (id, at, event, dropped) VALUES (?, ?, ?, ?)`,
      id,
      at,
      event,
      dropped ?? null,
    );
  }

  count(): number {
    if (!this.schema.exists) return 0;
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM webhook_events`).one().n;
  }

  lastId(): number | undefined {
    if (!this.schema.exists) return undefined;
    return this.sql.exec<{ id: number | null }>(`SELECT MAX(id) AS id FROM webhook_events`).one().id ?? undefined;
  }

  oldestAt(): number | undefined {
    if (!this.schema.exists) return undefined;
    const oldest = this.sql.exec<{ at: number }>(`SELECT at FROM webhook_events ORDER BY id LIMIT 1`).toArray()[0];
    return oldest?.at;
  }

  after(after: number, limit: number): StoredEvent[] {
    if (!this.schema.exists) return [];
    return this.sql
      .exec<EventRow>(
        `SELECT id, at, event, dropped FROM webhook_events WHERE id > ? ORDER BY id LIMIT ?`,
        after,
        limit,
      )
      .toArray()
      .map(({ id, at, event, dropped }) => (dropped === null ? { id, at, event } : { id, at, event, dropped }));
  }

  delete(after: number, through: number): void {
    this.sql.exec(`DELETE FROM webhook_events WHERE id > ? AND id <= ?`, after, through);
  }

  /** How many members the backend was told are here. */
  presentCount(): number {
    if (!this.schema.exists) return 0;
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM webhook_members`).one().n;
  }

  /** The members the backend was told are here, but for those in `here`: the room lost them without a leave. */
  lost(here: ReadonlySet<number>): Member[] {
    if (!this.schema.exists) return [];
    return this.sql
      .exec<{ id: number; member: string }>(`SELECT id, member FROM webhook_members ORDER BY id`)
      .toArray()
      .filter(({ id }) => !here.has(id))
      .map(({ member }) => JSON.parse(member) as Member);
  }

  arrived(member: Member): void {
    this.schema.ensure();
    this.sql.exec(
      `INSERT OR REPLACE INTO webhook_members (id, member) VALUES (?, ?)`,
      member.id,
      JSON.stringify(member),
    );
  }

  /** Whether the member was among those the backend was told are here (it is no longer). */
  departed(id: number): boolean {
    if (!this.schema.exists) return false;
    return this.sql.exec(`DELETE FROM webhook_members WHERE id = ?`, id).rowsWritten > 0;
  }
}
