// The room's undelivered webhook events, in order, and how far delivery got (docs/backend.md, "Webhooks"). Events
// take ids from the room's own counter, so a receiver sees them in order and knows where it is; they are sent in
// batches, and a batch keeps its contents and its webhook-id (`<room>:<first id>-<last id>`) until its receiver
// answers 2xx, however often it is sent again: a receiver that dedupes by webhook-id takes each event once.
//
// The counter starts, in each life of the room's storage (a room deletes it once it has nothing to keep), from the
// time that life began in microseconds: ids grow across lives too, so no webhook-id is ever used twice for other
// events, which a receiver deduping by it would drop.
//
// A backlog past WEBHOOK_BACKLOG_MAX (a receiver down for long) loses its oldest events, never the batch being sent:
// in their place goes one `webhook.gap` event that says how many went, with the last dropped event's id, so ids
// stay in order. Gaps that meet merge into one.

import type { EventStore, StoredEvent, WebhookCursor } from "../storage/webhook-store";

/** What an event says: its type and data (webhook-events.ts); the queue gives it its id, room and time. */
export interface NewEvent {
  type: string;
  data: object;
}

/** What `GET /api/rooms/<name>` shows the admin of a room's webhooks. */
export interface WebhookInfo {
  /** Events not yet delivered. */
  backlog: number;
  /** Why the last attempt failed, while the batch it sent is still undelivered. */
  lastError?: string;
  /** How long the oldest undelivered event has waited; 0 with none. */
  lagMs: number;
  /** Events dropped past WEBHOOK_BACKLOG_MAX, in this life of the room's storage. */
  dropped: number;
}

/** One request's worth of events. */
export interface Batch {
  /** The webhook-id: the same for every attempt at this batch. */
  id: string;
  body: string;
  last: number;
  count: number;
}

/** Events in one request, at most; and bytes of them, about (a receiver's body limit is often 100 kB). */
export const BATCH_MAX_EVENTS = 100;
export const BATCH_MAX_BYTES = 64 * 1024;

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 5 * 60 * 1000;

/** How long after its `attempts`-th failure a batch is sent again: 1 s, doubling, to 5 min at most. */
export function retryDelay(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), MAX_RETRY_MS);
}

export class WebhookQueue {
  /** Read from the store once, then kept: only this object writes it. Undefined until then. */
  private known: { cursor: WebhookCursor | undefined; count: number; lastId: number } | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly room: string,
    private readonly backlogMax: number,
  ) {}

  /** Events not yet delivered. */
  get backlog(): number {
    return this.state.count;
  }

  /** When a failed batch is due to be sent again; undefined if none failed. */
  get retryAt(): number | undefined {
    return this.state.cursor?.retryAt;
  }

  /** Takes events in, in order, at time `at`; drops the oldest past the backlog limit. */
  record(events: readonly NewEvent[], at: number): void {
    if (events.length === 0) return;
    const state = this.state;
    // A new life of the room's storage: ids go on from its start in microseconds, above any earlier life's.
    state.cursor ??= this.save({ delivered: Math.max(at * 1000, state.lastId), attempts: 0, dropped: 0 });
    state.lastId = Math.max(state.lastId, state.cursor.delivered);
    for (const { type, data } of events) {
      const id = ++state.lastId;
      this.store.append({ id, at, event: this.json(id, type, at, data) });
    }
    state.count += events.length;
    if (state.count > this.backlogMax) this.dropOldest(state.count - this.backlogMax + 1);
  }

  /** The batch to send: the one sent last until it is delivered, else the next; undefined if nothing waits. */
  batch(): Batch | undefined {
    const cursor = this.state.cursor;
    if (!cursor || this.state.count === 0) return undefined;
    let events: StoredEvent[];
    if (cursor.batchLast === undefined) {
      events = firstFitting(this.store.after(cursor.delivered, BATCH_MAX_EVENTS));
      this.save({ ...cursor, batchLast: events.at(-1)!.id });
    } else {
      const last = cursor.batchLast;
      events = this.store.after(cursor.delivered, BATCH_MAX_EVENTS).filter(({ id }) => id <= last);
    }
    const first = events[0]!.id;
    const last = events.at(-1)!.id;
    const body = `{"room":${JSON.stringify(this.room)},"events":[${events.map(({ event }) => event).join(",")}]}`;
    return { id: `${this.room}:${first}-${last}`, body, last, count: events.length };
  }

  /** The receiver took `batch`: its events go, and the next batch is a new one. */
  delivered(batch: Batch): void {
    const cursor = this.state.cursor!;
    this.store.delete(cursor.delivered, batch.last);
    this.state.count -= batch.count;
    this.save({ delivered: batch.last, attempts: 0, dropped: cursor.dropped });
  }

  /** The batch was not taken (`error` says why): it is sent again after a backoff. When. */
  failed(error: string, now: number): number {
    const cursor = this.state.cursor!;
    const attempts = cursor.attempts + 1;
    const retryAt = now + retryDelay(attempts);
    this.save({ ...cursor, attempts, retryAt, lastError: error });
    return retryAt;
  }

  info(now: number): WebhookInfo {
    const { cursor, count } = this.state;
    const oldest = count > 0 ? this.store.oldestAt() : undefined;
    const info: WebhookInfo = { backlog: count, lagMs: oldest === undefined ? 0 : now - oldest, dropped: 0 };
    if (!cursor) return info;
    info.dropped = cursor.dropped;
    if (cursor.attempts > 0 && cursor.lastError !== undefined) info.lastError = cursor.lastError;
    return info;
  }

  /** The room's storage was deleted: whatever is recorded next starts a new life. */
  forget(): void {
    this.known = undefined;
  }

  private get state() {
    if (!this.known) {
      const cursor = this.store.cursor();
      this.known = { cursor, count: this.store.count(), lastId: this.store.lastId() ?? cursor?.delivered ?? 0 };
    }
    return this.known;
  }

  private save(cursor: WebhookCursor): WebhookCursor {
    this.store.saveCursor(cursor);
    this.state.cursor = cursor;
    return cursor;
  }

  /**
   * Replaces the `count` oldest events after the batch being sent (which stays as it is) with one gap event, at the
   * last one's id, that counts them and any gap among them.
   */
  private dropOldest(count: number): void {
    const state = this.state;
    const cursor = state.cursor!;
    const spared = cursor.batchLast ?? cursor.delivered;
    const oldest = this.store.after(spared, count);
    // One gap in the place of one gap saves nothing.
    if (oldest.length < 2) return;
    const stands = oldest.reduce((sum, { dropped }) => sum + (dropped ?? 1), 0);
    const newly = oldest.filter(({ dropped }) => dropped === undefined).length;
    const { id } = oldest.at(-1)!;
    const at = oldest[0]!.at;
    this.store.delete(spared, id);
    this.store.append({ id, at, event: this.json(id, "webhook.gap", at, { dropped: stands }), dropped: stands });
    state.count -= oldest.length - 1;
    this.save({ ...cursor, dropped: cursor.dropped + newly });
  }

  private json(id: number, type: string, at: number, data: object): string {
    return JSON.stringify({ id, type, room: this.room, at, data });
  }
}

/** The first events of `events` that fit one request: BATCH_MAX_BYTES of them, and never fewer than one. */
function firstFitting(events: StoredEvent[]): StoredEvent[] {
  let bytes = 0;
  for (const [index, { event }] of events.entries()) {
    bytes += event.length;
    if (bytes > BATCH_MAX_BYTES && index > 0) return events.slice(0, index);
  }
  return events;
}
