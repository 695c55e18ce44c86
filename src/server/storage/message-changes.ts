// Changes to stored messages: edits, deletions and reactions. Each change takes the next position in the room's one
// sequence (the one chats number from, room-storage.ts) and is recorded in `changes` with the message it changed
// and what it was, so that a reader who resumes from any position learns every message that changed after it
// (`changedSince`), in the state it is in now: exactly what a reader who never left holds (docs/protocol.md,
// "Messages that change"). Writes happen within the room's one write per batch (`RoomStorage.atomically`).

import { frameBytes } from "../../shared/codec";
import type { ChatMessage, Reaction, ServerPacket } from "../../shared/protocol";
import { MESSAGE_COLUMNS, type MessageRow, messagesOf, reactionsOf } from "./message-rows";
import type { RoomStorage } from "./room-storage";
import type { Schema, Sql } from "./schema";

/** What a change was, as recorded: a deletion says whether its author made it. */
export type ChangeKind = "edited" | "deleted" | "deleted_by_author" | "reactions";

const DELETIONS = `('deleted', 'deleted_by_author')`;

/** A message the room holds, as far as deciding who may change it goes. */
export interface HeldMessage {
  seq: number;
  ts: number;
  /** Who posted it (sessions.ts, `authorOf`); null for a message stored before authors were kept for all. */
  author: string | null;
  deleted: boolean;
}

/** One reaction given or taken back, by a member known across connections as `author` (sessions.ts, `authorOf`). */
export interface ReactionChange {
  seq: number;
  reaction: string;
  author: string;
  /** The member's name now: shown among the reaction's first reactors. */
  name: string;
  on: boolean;
}

/**
 * What became of a reaction change: given or taken back; already so (nothing changed); refused, as the message
 * has as many distinct reactions as it may.
 */
export type ReactionOutcome = "applied" | "unchanged" | "limit";

/** A page of the changes after a position: messages in their current state, and the newest position it covers. */
export interface ChangesPage {
  messages: ChatMessage[];
  through: number;
  more: boolean;
}

/** A change packet a shard missed, at its position (`missedSince`). */
export type Missed = { at: number; packet: Extract<ServerPacket, { type: "edited" | "deleted" | "reactions" }> };

export class MessageChanges {
  private readonly sql: Sql;

  constructor(
    private readonly schema: Schema,
    private readonly history: RoomStorage,
    private readonly verifies = false,
  ) {
    this.sql = schema.sql;
  }

  /** The message `seq`, if the room holds it (a tombstone included); undefined if never sent, pruned or expired. */
  held(seq: number): HeldMessage | undefined {
    if (!this.schema.exists || seq <= this.history.retainedAfter) return undefined;
    const row = this.sql
      .exec<{ seq: number; ts: number; author: string | null; deleted: 0 | 1 }>(
        `SELECT seq, ts, author, deleted FROM messages WHERE seq = ?`,
        seq,
      )
      .toArray()[0];
    return row && { seq: row.seq, ts: row.ts, author: row.author, deleted: row.deleted === 1 };
  }

  /** Sets message `seq`'s text (held, not deleted: the room checked), edited at `ts`; the change's position. */
  edit(seq: number, text: string, ts: number): number {
    this.sql.exec(`UPDATE messages SET text = ?, edited = ? WHERE seq = ?`, text, ts, seq);
    return this.record(seq, "edited");
  }

  /**
   * Makes message `seq` (held, not deleted) a tombstone: its text, data, quote and reactions are gone for good, and
   * replies to it quote it as deleted. The change's position.
   */
  delete(seq: number, byAuthor: boolean): number {
    this.sql.exec(
      `UPDATE messages SET text = '', deleted = 1, edited = NULL, data = NULL, reply_to = NULL, quote_name = NULL,
         quote_text = NULL, quote_deleted = 0 WHERE seq = ?`,
      seq,
    );
    this.sql.exec(`DELETE FROM reactions WHERE target = ?`, seq);
    this.sql.exec(`UPDATE messages SET quote_text = '', quote_deleted = 1 WHERE reply_to = ?`, seq);
    return this.record(seq, byAuthor ? "deleted_by_author" : "deleted");
  }

  /**
   * Gives or takes back one reaction to message `seq` (held, not deleted). All the reaction changes of one write to
   * one message share one position (`positions`, by message: taken at its first change), so that a storm of
   * reactions is one change per message per batch, and flushes no history out of retention.
   */
  react(change: ReactionChange, maxPerMessage: number, positions: Map<number, number>): ReactionOutcome {
    const { seq, reaction, author, name, on } = change;
    const mine = [seq, reaction, author] as const;
    if (!on) {
      const removed = this.sql.exec(`DELETE FROM reactions WHERE target = ? AND reaction = ? AND author = ?`, ...mine);
      if (removed.rowsWritten === 0) return "unchanged";
      this.positionOf(seq, positions);
      return "applied";
    }
    const given = this.sql.exec(`SELECT 1 FROM reactions WHERE target = ? AND reaction = ? AND author = ?`, ...mine);
    if (given.toArray().length > 0) return "unchanged";
    const kinds = this.sql
      .exec<{ reaction: string }>(`SELECT DISTINCT reaction FROM reactions WHERE target = ?`, seq)
      .toArray();
    if (kinds.length >= maxPerMessage && !kinds.some((kind) => kind.reaction === reaction)) return "limit";
    const at = this.positionOf(seq, positions);
    this.sql.exec(
      `INSERT INTO reactions (target, reaction, author, name, at) VALUES (?, ?, ?, ?, ?)`,
      ...mine,
      name,
      at,
    );
    return "applied";
  }

  /** The reaction summaries of messages `seqs` now. */
  summaries(seqs: number[]): Map<number, Reaction[]> {
    return reactionsOf(this.sql, seqs);
  }

  /**
   * The messages that changed after position `after`, each once, in its current state, oldest change first: those
   * a change names, and the replies to those deleted since (their quotes changed with them, even if the room no
   * longer holds the original). `upTo`: only messages up to that seq (a welcome's history holds the newer ones
   * already). Cut to `limit` messages and about `maxBytes` (one at least); `through` is the newest position covered.
   */
  changedSince(after: number, limit: number, maxBytes: number, upTo = Number.MAX_SAFE_INTEGER): ChangesPage {
    const newest = this.history.newestSeq;
    if (!this.schema.exists || after >= newest) return { messages: [], through: newest, more: false };
    const targets = this.sql
      .exec<MessageRow & { last: number }>(
        `SELECT ${MESSAGE_COLUMNS}, last FROM messages JOIN (
           SELECT target, MAX(at) AS last FROM (
             SELECT target, at FROM changes WHERE at > ?1
             UNION ALL
             SELECT reply.seq AS target, change.at FROM changes AS change
               JOIN messages AS reply ON reply.reply_to = change.target
               WHERE change.at > ?1 AND change.kind IN ${DELETIONS})
           GROUP BY target) ON seq = target
         WHERE seq > ?2 AND seq <= ?3 ORDER BY last, seq LIMIT ?4`,
        after,
        this.history.retainedAfter,
        upTo,
        limit + 1,
      )
      .toArray();
    const candidates = messagesOf(this.sql, targets.slice(0, limit), this.verifies);
    let taken = 0;
    for (let bytes = 0; taken < candidates.length; taken++) {
      bytes += frameBytes(JSON.stringify(candidates[taken])) + 1;
      if (bytes > maxBytes && taken > 0) break;
    }
    const more = targets.length > taken;
    return { messages: candidates.slice(0, taken), through: more ? targets[taken - 1]!.last : newest, more };
  }

  /**
   * The change packets a reader that saw everything up to position `after` missed about messages up to it (a
   * shard whose delivery was lost with its hub: shards/hub-side.ts), as exact as the room can still tell them, at
   * their positions: each message's deletion; or its newest edit (with its text now) and its newest reactions (its
   * summary now). What they leave out (older changes to the same message) the reader does not need: what it ends
   * with is the message as it is. The positions left out show as a gap, which clients fill from history.
   */
  missedSince(after: number): Missed[] {
    if (!this.schema.exists || after >= this.history.newestSeq) return [];
    const rows = this.sql
      .exec<{ target: number; kind: ChangeKind; at: number; text: string | null; edited: number | null }>(
        `SELECT target, kind, MAX(at) AS at, text, edited FROM changes LEFT JOIN messages ON seq = target
         WHERE at > ? AND target <= ? AND (kind IN ${DELETIONS} OR seq > ?)
         GROUP BY target, kind ORDER BY at`,
        after,
        after,
        this.history.retainedAfter,
      )
      .toArray();
    const deleted = new Set(rows.filter(({ kind }) => kind.startsWith("deleted")).map(({ target }) => target));
    const current = rows.filter(({ kind, target }) => kind.startsWith("deleted") || !deleted.has(target));
    const summaries = reactionsOf(
      this.sql,
      current.filter(({ kind }) => kind === "reactions").map(({ target }) => target),
    );
    return current.map(({ target: seq, kind, at, text, edited }): Missed => {
      if (kind === "edited") return { at, packet: { type: "edited", seq, at, text: text ?? "", edited: edited ?? 0 } };
      if (kind === "reactions")
        return { at, packet: { type: "reactions", seq, at, reactions: summaries.get(seq) ?? [] } };
      return {
        at,
        packet: kind === "deleted" ? { type: "deleted", seq, at } : { type: "deleted", seq, at, by: "author" },
      };
    });
  }

  /** Records a change to message `seq` at the next position; returns it. */
  private record(seq: number, kind: ChangeKind): number {
    const at = this.history.takePosition();
    this.sql.exec(`INSERT INTO changes (at, target, kind) VALUES (?, ?, ?)`, at, seq, kind);
    return at;
  }

  /** The position of message `seq`'s reaction change in this write: taken and recorded at its first. */
  private positionOf(seq: number, positions: Map<number, number>): number {
    let at = positions.get(seq);
    if (at === undefined) {
      at = this.record(seq, "reactions");
      positions.set(seq, at);
    }
    return at;
  }
}
