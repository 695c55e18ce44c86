// The room's durable state in its own SQLite database: the chat history, with a sequence number that only grows,
// and the counter that keeps connection ids unique for the room's whole life (hibernation and restarts included).
// The sequence numbers the room's one log: chats take positions in it (their seq), and so do changes to messages
// (message-changes.ts). The room's bans live in the same database (ban-list.ts). Its tables are schema.ts's.
//
// A room that nobody has joined must cost nothing, however often it is looked at: the tables are created by the
// first write (a join or a message), never by a read, and `clear()` deletes everything once the room is empty
// again. Until the first write, reads answer from nothing.

import type { ChatMessage, GameData, Sender } from "../../shared/protocol";
import { fitPage, MESSAGE_COLUMNS, type MessageRow, messagesOf, quoteNow } from "./message-rows";
import type { Schema, Sql } from "./schema";

/**
 * A chat accepted from a member, not yet stored: it has no sequence number until it is. `author` is who the
 * sender is across connections (sessions.ts, `authorOf`): who may edit or delete it, and for a chat with a client
 * chat id (`cid`), whose chat with that cid the room holds already, so that it is not stored again. `replyTo`: a
 * message the room holds (`held`), which it quotes as it is when the reply is stored.
 */
export type UnstoredChat = {
  ts: number;
  /** A member; or the game's backend, for a post of the publish API (which has no `author`: nobody edits it). */
  sender: Sender;
  text: string;
  cid?: string;
  author?: string;
  replyTo?: number;
  data?: GameData;
};

/** What became of a chat: stored now, or found stored already (the same author posted its cid before). */
export type Appended = { message: ChatMessage; duplicate: boolean };

/** Connection ids reserved per write. */
const ID_BLOCK = 64;

/**
 * Messages pruned per delete. Deleting the oldest message with every append doubled the pages each commit writes
 * (fan-out spent more CPU per delivery than the durable floor, which never prunes: bench/README.md); so messages
 * past the retained history are deleted 64 at a time, and until then reads skip them: members see exactly the
 * retained history.
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
  private readonly sql: Sql;
  /** The block of connection ids reserved and not handed out yet: `next` up to, not including, `end`. */
  private ids = { next: 0, end: 0 };
  /** Kept in memory, since only this object writes the table. */
  private newest: number;
  /** Positions up to this one are deleted; those after it and older than the retained history wait. */
  private prunedThrough = 0;
  /** Shards the room has opened (shards/hub-side.ts); undefined until read. */
  private shards: number | undefined;

  /**
   * `retained`: positions kept (messages and changes); older ones are pruned. `pageMaxBytes`: what one page of history may weigh, so that
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
    // Pruning never removes the newest position, and expiry records where the sequence stood before it empties the
    // tables, so the sequence goes on from where it was.
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

  /**
   * Whether position `seq` is past the history the room holds: older than its retained history, or than its oldest
   * message left (the older ones expired). A message there may have existed; it is gone now.
   */
  isPastRetention(seq: number): boolean {
    if (seq < 1 || seq > this.newest) return false;
    if (seq <= this.retainedAfter) return true;
    const oldest = this.sql.exec<{ seq: number | null }>(
      `SELECT MIN(seq) AS seq FROM messages WHERE seq > ?`,
      this.retainedAfter,
    );
    return seq < (oldest.one().seq ?? Number.POSITIVE_INFINITY);
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
    // An update writes one row; an upsert or a REPLACE of a row that is there is billed as two.
    const updated = this.sql.exec(`UPDATE counters SET value = ? WHERE name = 'shards'`, count);
    if (updated.rowsWritten === 0) this.sql.exec(`INSERT INTO counters (name, value) VALUES ('shards', ?)`, count);
    this.shards = count;
  }

  /**
   * Stores messages in order, numbering them, and prunes what fell out of the retained history (PRUNE_BLOCK at a
   * time). All or nothing: if it throws, none was stored and the sequence number is where it was, so the senders can
   * simply resend.
   */
  append(chats: UnstoredChat[]): Appended[] {
    return this.atomically(() => {
      const appended = chats.map((chat): Appended => {
        const earlier = this.duplicateOf(chat);
        return earlier ? { message: earlier, duplicate: true } : { message: this.insert(chat), duplicate: false };
      });
      this.prune();
      return appended;
    });
  }

  /**
   * Carries out `write` in one transaction, all or nothing: if it throws, nothing it wrote is stored, and the
   * sequence is where it was. What a batch of the room's log writes (chats and changes alike) is one such write.
   */
  atomically<T>(write: () => T): T {
    this.schema.ensure();
    const { newest, prunedThrough } = this;
    try {
      return this.storage.transactionSync(write);
    } catch (error) {
      this.newest = newest;
      this.prunedThrough = prunedThrough;
      throw error;
    }
  }

  /** Takes the next position in the room's log (within `atomically`): a chat's seq, or a change's `at`. */
  takePosition(): number {
    return ++this.newest;
  }

  /**
   * The message this chat's author posted with its cid already, if the room holds it (a tombstone included): it is
   * not stored again. Within `atomically`, a chat stored earlier in the same write counts.
   */
  duplicateOf({ cid, author }: Pick<UnstoredChat, "cid" | "author">): ChatMessage | undefined {
    if (cid === undefined || author === undefined || !this.schema.exists) return undefined;
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

  /**
   * Stores one chat at the next position (within `atomically`); a reply quotes its original as it is now (the room
   * checked it is held). The message as everyone receives it.
   */
  /** When `author` (sessions.ts, `authorOf`) last chatted, if it did after `since` (ms since the epoch). */
  lastChatBy(author: string, since: number): number | undefined {
    if (!this.schema.exists) return undefined;
    const { ts } = this.sql
      .exec<{ ts: number | null }>(`SELECT MAX(ts) AS ts FROM messages WHERE author = ? AND ts > ?`, author, since)
      .one();
    return ts ?? undefined;
  }

  insert({ ts, sender, text, cid, author, replyTo, data }: UnstoredChat): ChatMessage {
    // Field by field, in the order message-rows.ts reads them back: nothing a caller's object carries beyond a chat
    // may be stored or sent, and a reader who was there gets the same bytes as one who reads it later.
    const message: ChatMessage = { seq: this.takePosition(), ts, sender, text };
    if (cid !== undefined) message.cid = cid;
    const quote = replyTo === undefined ? undefined : quoteNow(this.sql, replyTo);
    if (quote !== undefined) message.replyTo = quote;
    if (data !== undefined) message.data = data;
    const row = [
      message.seq,
      ts,
      sender.id,
      sender.name,
      sender.user ?? null,
      sender.system ? 1 : 0,
      text,
      cid ?? null,
      author ?? null,
    ];
    const quoted = [quote?.seq ?? null, quote?.name ?? null, quote?.text ?? null, quote?.deleted ? 1 : 0];
    this.sql.exec(
      `INSERT INTO messages (seq, ts, sender_id, sender_name, sender_user, sender_system, text, cid, author, reply_to,
         quote_name, quote_text, quote_deleted, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ...row,
      ...quoted,
      data === undefined ? null : JSON.stringify(data),
    );
    return message;
  }

  /**
   * Deletes what fell out of the retained history (within `atomically`), PRUNE_BLOCK positions at a time: messages,
   * the change records at those positions, the reactions to those messages. A change record to a pruned message at
   * a retained position stays: it still tells that a reply to it changed (message-changes.ts, `changedSince`).
   */
  prune(): void {
    const through = this.newest - this.retained;
    if (through < this.prunedThrough + PRUNE_BLOCK) return;
    this.sql.exec(`DELETE FROM messages WHERE seq <= ?`, through);
    this.sql.exec(`DELETE FROM changes WHERE at <= ?`, through);
    this.sql.exec(`DELETE FROM reactions WHERE target <= ?`, through);
    this.prunedThrough = through;
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

  /**
   * Deletes the messages older than `before` (a time), with their reactions and the records of their changes (but
   * for deletions, which still tell that replies to them changed: `prune`); returns how many. The sequence goes on
   * where it was.
   */
  expire(before: number): number {
    if (!this.schema.exists) return 0;
    return this.storage.transactionSync(() => {
      const deleted = this.sql.exec(`DELETE FROM messages WHERE ts < ?`, before).rowsWritten;
      if (deleted === 0) return 0;
      const gone = `target NOT IN (SELECT seq FROM messages)`;
      this.sql.exec(`DELETE FROM changes WHERE ${gone} AND kind NOT IN ('deleted', 'deleted_by_author')`);
      this.sql.exec(`DELETE FROM reactions WHERE ${gone}`);
      this.sql.exec(`INSERT OR REPLACE INTO counters (name, value) VALUES ('seq', ?)`, this.newest);
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
