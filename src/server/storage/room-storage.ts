// The room's durable state in its own SQLite database: the chat history, with a sequence number that only grows,
// and the counter that keeps connection ids unique for the room's whole life (hibernation and restarts included).
// The room's bans live in the same database (ban-list.ts). Its tables are schema.ts's.
//
// A room that nobody has joined must cost nothing, however often it is looked at: the tables are created by the
// first write (a join or a message), never by a read, and `clear()` deletes everything once the room is empty
// again. Until the first write, reads answer from nothing.

import { frameBytes } from "../../shared/codec";
import { type ChatMessage, type GameData, type Member, QUOTE_CHARS, type Quote } from "../../shared/protocol";
import { MESSAGE_COLUMNS, type MessageRow, messagesOf } from "./message-rows";
import type { Schema } from "./schema";

/**
 * A chat accepted from a member, not yet stored: it has no sequence number until it is. `author` is who the
 * sender is across connections (sessions.ts, `authorOf`): who may edit or delete it, and for a chat with a client
 * chat id (`cid`), whose chat with that cid the room holds already, so that it is not stored again. `replyTo`: a
 * message the room holds (`held`), which it quotes as it is when the reply is stored.
 */
export type UnstoredChat = {
  ts: number;
  sender: Member;
  text: string;
  cid?: string;
  author?: string;
  replyTo?: number;
  data?: GameData;
};

/** A message the room holds, as far as deciding who may change it goes. */
export interface HeldMessage {
  seq: number;
  ts: number;
  /** Who posted it (sessions.ts, `authorOf`); null for a message stored before authors were kept for all. */
  author: string | null;
  deleted: boolean;
}

/** What became of a chat: stored now, or found stored already (the same author posted its cid before). */
export type Appended = { message: ChatMessage; duplicate: boolean };

/** Connection ids reserved per write. */
const ID_BLOCK = 64;

/**
 * Messages pruned per delete. Deleting the oldest message with every append doubled the pages each commit writes
 * (fan-out: 8% more CPU per delivery than the durable floor, which never prunes); so messages past the retained
 * history are deleted 64 at a time, and until then reads skip them: members see exactly the retained history.
 */
const PRUNE_BLOCK = 64;

export interface Page {
  /** Oldest first. */
  messages: ChatMessage[];
  /** True when the range holds older messages than the page. */
  more: boolean;
}

export class RoomStorage {
  private readonly storage: DurableObjectStorage;
  private readonly sql: SqlStorage;
  /** The block of connection ids reserved and not handed out yet: `next` up to, not including, `end`. */
  private ids = { next: 0, end: 0 };
  /** Kept in memory, since only this object writes the table. */
  private newest: number;
  /** Messages up to this sequence number are deleted; those after it and older than the retained history wait. */
  private prunedThrough = 0;
  /** Shards the room has opened (shards/hub-side.ts); undefined until read. */
  private shards: number | undefined;

  /**
   * `retained`: messages kept; older ones are pruned. `pageMaxBytes`: what one page of history may weigh, so that
   * a request of a few bytes cannot pull megabytes. `verifies`: the room verifies tokens, so that an anonymous
   * sender is read back as a guest (protocol.ts, `Member`).
   */
  constructor(
    private readonly schema: Schema,
    private readonly retained: number,
    private readonly pageMaxBytes: number,
    private readonly verifies = false,
  ) {
    this.storage = schema.storage;
    this.sql = schema.sql;
    // Pruning never removes the newest message, and expiry records where the sequence stood before it empties the
    // table, so the sequence goes on from where it was.
    // Changes take their positions from the same sequence (message-changes.ts).
    this.newest = schema.exists
      ? Math.max(
          this.sql.exec<{ seq: number | null }>(`SELECT MAX(seq) AS seq FROM messages`).one().seq ?? 0,
          this.sql.exec<{ at: number | null }>(`SELECT MAX(at) AS at FROM changes`).one().at ?? 0,
          this.counter("seq") ?? 0,
        )
      : 0;
  }

  /** The newest position in the room's log: a message's seq or a change's; 0 before the first. */
  get newestSeq(): number {
    return this.newest;
  }

  /** A change was stored at position `at`, the one after the newest (message-changes.ts). */
  advanceTo(at: number): void {
    this.newest = Math.max(this.newest, at);
  }

  /** The message `seq`, if the room holds it (a tombstone included); undefined if never sent, pruned or expired. */
  held(seq: number): HeldMessage | undefined {
    if (!this.schema.exists || seq <= this.retainedAfter) return undefined;
    const row = this.sql
      .exec<{ seq: number; ts: number; author: string | null; deleted: 0 | 1 }>(
        `SELECT seq, ts, author, deleted FROM messages WHERE seq = ?`,
        seq,
      )
      .toArray()[0];
    return row && { seq: row.seq, ts: row.ts, author: row.author, deleted: row.deleted === 1 };
  }

  /** Whether message `seq` is past the history the room retains (it may have existed; it is gone now). */
  isPastRetention(seq: number): boolean {
    return seq <= this.retainedAfter && seq >= 1;
  }

  /** The time of the oldest stored message; undefined if there is none. */
  oldestTs(): number | undefined {
    if (!this.schema.exists) return undefined;
    const oldest = this.sql.exec<{ ts: number | null }>(
      `SELECT MIN(ts) AS ts FROM messages WHERE seq > ?`,
      this.retainedAfter,
    );
    return oldest.one().ts ?? undefined;
  }

  /**
   * A new connection id. Ids are handed out from a block reserved with one write, so a burst of joins writes once
   * per ID_BLOCK joins rather than once per join. A room evicted or restarted mid-block skips the rest of it: ids
   * stay unique and growing for the room's whole life, not consecutive.
   */
  nextConnectionId(): number {
    if (this.ids.next === this.ids.end) {
      this.schema.ensure();
      const reserved = this.sql
        .exec<{ value: number }>(
          `INSERT INTO counters (name, value) VALUES ('connection', ?)
         ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value`,
          ID_BLOCK,
        )
        .one().value;
      this.ids = { next: reserved - ID_BLOCK + 1, end: reserved + 1 };
    }
    return this.ids.next++;
  }

  /** How many shards the room has opened; 0 for a room that never needed one. */
  get shardCount(): number {
    this.shards ??= this.schema.exists ? (this.counter("shards") ?? 0) : 0;
    return this.shards;
  }

  countShards(count: number): void {
    this.schema.ensure();
    this.sql.exec(`INSERT OR REPLACE INTO counters (name, value) VALUES ('shards', ?)`, count);
    this.shards = count;
  }

  /**
   * Stores messages in order, numbering them, and prunes what fell out of the retained history (PRUNE_BLOCK at a
   * time). All or nothing: if it throws, none was stored and the sequence number is where it was, so the senders can
   * simply resend.
   */
  append(chats: UnstoredChat[]): Appended[] {
    this.schema.ensure();
    const appended: Appended[] = [];
    /** The chats of this batch by author and cid: a chat sent twice within one batch is stored once too. */
    const inBatch = new Map<string, ChatMessage>();
    let newest = this.newest;
    for (const { ts, sender, text, cid, author, replyTo, data } of chats) {
      const key = cid === undefined || author === undefined ? undefined : JSON.stringify([author, cid]);
      const earlier = key === undefined ? undefined : (inBatch.get(key) ?? this.posted(author!, cid!));
      if (earlier) {
        appended.push({ message: earlier, duplicate: true });
        continue;
      }
      // Field by field, in the order message-rows.ts reads them back: nothing a caller's object carries beyond a chat
      // may be stored or sent, and a reader who was there gets the same bytes as one who reads it later.
      const message: ChatMessage = { seq: ++newest, ts, sender, text };
      if (cid !== undefined) message.cid = cid;
      if (replyTo !== undefined) message.replyTo = this.quote(replyTo);
      if (data !== undefined) message.data = data;
      if (key !== undefined) inBatch.set(key, message);
      appended.push({ message, duplicate: false });
    }
    const pruneThrough =
      newest - this.retained >= this.prunedThrough + PRUNE_BLOCK ? newest - this.retained : undefined;
    this.storage.transactionSync(() => {
      appended.forEach(({ message, duplicate }, index) => {
        if (duplicate) return;
        if (message.deleted) return;
        const { seq, ts, sender, text, cid, replyTo, data } = message;
        this.sql.exec(
          `INSERT INTO messages (seq, ts, sender_id, sender_name, sender_user, text, cid, author, reply_to, quote_name,
             quote_text, quote_deleted, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          seq,
          ts,
          sender.id,
          sender.name,
          sender.user ?? null,
          text,
          cid ?? null,
          chats[index]!.author ?? null,
          replyTo?.seq ?? null,
          replyTo?.name ?? null,
          replyTo?.text ?? null,
          replyTo?.deleted ? 1 : 0,
          data === undefined ? null : JSON.stringify(data),
        );
      });
      if (pruneThrough !== undefined) {
        this.sql.exec(`DELETE FROM messages WHERE seq <= ?`, pruneThrough);
        this.sql.exec(`DELETE FROM changes WHERE at <= ?`, pruneThrough);
        this.sql.exec(`DELETE FROM reactions WHERE target <= ?`, pruneThrough);
      }
    });
    this.prunedThrough = pruneThrough ?? this.prunedThrough;
    this.newest = newest;
    return appended;
  }

  /** The retained message `author` posted with `cid`, if any (a tombstone included: it is what the room holds). */
  private posted(author: string, cid: string): ChatMessage | undefined {
    const rows = this.sql
      .exec<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE cid = ? AND author = ? AND seq > ? LIMIT 1`,
        cid,
        author,
        this.retainedAfter,
      )
      .toArray();
    return messagesOf(this.sql, rows, this.verifies)[0];
  }

  /** How a reply quotes message `seq` now (held: the room checked); a message that is gone reads as deleted. */
  private quote(seq: number): Quote {
    const row = this.sql
      .exec<{ sender_name: string; text: string; deleted: 0 | 1 }>(
        `SELECT sender_name, text, deleted FROM messages WHERE seq = ?`,
        seq,
      )
      .toArray()[0];
    if (!row || row.deleted) return { seq, name: row?.sender_name ?? "", text: "", deleted: true };
    return { seq, name: row.sender_name, text: Array.from(row.text).slice(0, QUOTE_CHARS).join("") };
  }

  /**
   * The newest `limit` messages with `after` < seq < `before`, fewer if they would weigh more than the page may
   * (never fewer than one).
   */
  page(limit: number, range: { after?: number; before?: number } = {}): Page {
    if (!this.schema.exists) return { messages: [], more: false };
    const rows = this.sql
      .exec<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq > ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
        Math.max(range.after ?? 0, this.retainedAfter),
        range.before ?? Number.MAX_SAFE_INTEGER,
        limit + 1,
      )
      .toArray();
    const candidates = messagesOf(this.sql, rows.slice(0, limit), this.verifies);
    const messages = fitPage(candidates, this.pageMaxBytes);
    return { messages, more: rows.length > messages.length };
  }

  /** Deletes the messages older than `before` (a time); returns how many. The sequence goes on where it was. */
  expire(before: number): number {
    if (!this.schema.exists) return 0;
    return this.storage.transactionSync(() => {
      const deleted = this.sql.exec(`DELETE FROM messages WHERE ts < ?`, before).rowsWritten;
      if (deleted > 0) {
        // Their changes and reactions go with them: what is left describes messages the room holds.
        this.sql.exec(`DELETE FROM changes WHERE target NOT IN (SELECT seq FROM messages)`);
        this.sql.exec(`DELETE FROM reactions WHERE target NOT IN (SELECT seq FROM messages)`);
      }
      if (deleted > 0) this.sql.exec(`INSERT OR REPLACE INTO counters (name, value) VALUES ('seq', ?)`, this.newest);
      return deleted;
    });
  }

  /** Deletes everything the room stored: it is as if it never existed (alarm included). */
  async clear(): Promise<void> {
    // Forgotten at once: whatever is written after this call (the runtime keeps the order) starts a new room.
    this.schema.wiped();
    this.newest = 0;
    this.ids = { next: 0, end: 0 };
    this.shards = 0;
    await this.storage.deleteAll();
  }

  /** The retained history is what comes after this position; older messages and changes may wait to be deleted. */
  get retainedAfter(): number {
    return Math.max(0, this.newest - this.retained);
  }

  private counter(name: string): number | undefined {
    return this.sql.exec<{ value: number }>(`SELECT value FROM counters WHERE name = ?`, name).toArray()[0]?.value;
  }
}

/**
 * The newest of `messages` (newest first) that weigh no more than `maxBytes` together as JSON (never fewer than
 * one), oldest first: a request of a few bytes cannot pull megabytes.
 */
function fitPage(messages: ChatMessage[], maxBytes: number): ChatMessage[] {
  let taken = 0;
  for (let bytes = 0; taken < messages.length; taken++) {
    bytes += frameBytes(JSON.stringify(messages[taken])) + 1;
    if (bytes > maxBytes && taken > 0) break;
  }
  return messages.slice(0, taken).reverse();
}
