// Changes to stored messages: edits, deletions and reactions. Each change takes the next position in the room's one
// sequence (the one chats number from, room-storage.ts) and is recorded in `changes` with the message it changed,
// so that a reader who resumes from any position learns every message that changed after it
// (`changedSince`), in the state it is in now: exactly what a reader who never left holds (docs/protocol.md,
// "Messages that change").

import { frameBytes } from "../../shared/codec";
import type { ChatMessage, Reaction } from "../../shared/protocol";
import { MESSAGE_COLUMNS, type MessageRow, messagesOf, reactionsOf } from "./message-rows";
import type { RoomStorage } from "./room-storage";
import type { Schema } from "./schema";

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
 * has as many distinct reactions as it may; or its message is gone (deleted, or no longer held).
 */
export type ReactionOutcome = "applied" | "unchanged" | "limit" | "gone";

/** A message's new reaction summary, at the position of the change. */
export interface ReactionSummary {
  seq: number;
  at: number;
  reactions: Reaction[];
}

/** A page of the changes after a position: messages in their current state, and the newest position it covers. */
export interface ChangesPage {
  messages: ChatMessage[];
  through: number;
  more: boolean;
}

export class MessageChanges {
  private readonly sql: SqlStorage;

  constructor(
    private readonly schema: Schema,
    private readonly history: RoomStorage,
    private readonly verifies = false,
  ) {
    this.sql = schema.sql;
  }

  /** Sets message `seq`'s text (the room checked it is held, not deleted, and its sender's to edit); its position. */
  edit(seq: number, text: string, ts: number): number {
    return this.record([seq], () => {
      this.sql.exec(`UPDATE messages SET text = ?, edited = ? WHERE seq = ?`, text, ts, seq);
    })[0]!;
  }

  /**
   * Makes message `seq` a tombstone: its text, data, quote and reactions are gone for good, and replies to it quote
   * it as deleted. Its position; undefined if the room does not hold it or it is deleted already.
   */
  delete(seq: number): number | undefined {
    const held = this.history.held(seq);
    if (!held || held.deleted) return undefined;
    return this.record([seq], () => {
      this.sql.exec(
        `UPDATE messages SET text = '', deleted = 1, edited = NULL, data = NULL, reply_to = NULL, quote_name = NULL,
           quote_text = NULL, quote_deleted = 0 WHERE seq = ?`,
        seq,
      );
      this.sql.exec(`DELETE FROM reactions WHERE target = ?`, seq);
      this.sql.exec(`UPDATE messages SET quote_text = '', quote_deleted = 1 WHERE reply_to = ?`, seq);
    })[0];
  }

  /**
   * Gives and takes back reactions, in order, all or nothing; each message whose reactions changed takes one
   * position, however many of its reactions changed (a storm of reactions is one change per message per batch).
   * `maxPerMessage`: distinct reactions a message may have.
   */
  react(
    changes: ReactionChange[],
    maxPerMessage: number,
  ): { outcomes: ReactionOutcome[]; summaries: ReactionSummary[] } {
    this.schema.ensure();
    const outcomes: ReactionOutcome[] = [];
    /** The messages whose reactions changed, in the order they first did: each takes the next position. */
    const touched: number[] = [];
    const first = this.history.newestSeq + 1;
    this.schema.storage.transactionSync(() => {
      for (const change of changes) {
        const position = first + (touched.includes(change.seq) ? touched.indexOf(change.seq) : touched.length);
        const outcome = this.reactOne(change, maxPerMessage, position);
        outcomes.push(outcome);
        if (outcome === "applied" && !touched.includes(change.seq)) touched.push(change.seq);
      }
      for (const [index, target] of touched.entries()) {
        this.sql.exec(`INSERT INTO changes (at, target) VALUES (?, ?)`, first + index, target);
      }
    });
    if (touched.length > 0) this.history.advanceTo(first + touched.length - 1);
    const reactions = reactionsOf(this.sql, touched);
    return {
      outcomes,
      summaries: touched.map((seq, index) => ({ seq, at: first + index, reactions: reactions.get(seq) ?? [] })),
    };
  }

  /**
   * The messages that changed after position `after`, each once, in its current state, oldest change first;
   * `through`: only messages up to that seq (a welcome's history holds the newer ones already). Cut to `limit`
   * messages and `maxBytes`; `through` in the answer is the newest position it covers.
   */
  changedSince(after: number, limit: number, maxBytes: number, upTo?: number): ChangesPage {
    const newest = this.history.newestSeq;
    if (!this.schema.exists || after >= newest) return { messages: [], through: newest, more: false };
    const targets = this.sql
      .exec<{ target: number; last: number }>(
        `SELECT target, MAX(at) AS last FROM changes WHERE at > ? AND target > ? AND target <= ?
         GROUP BY target ORDER BY last LIMIT ?`,
        after,
        this.history.retainedAfter,
        upTo ?? Number.MAX_SAFE_INTEGER,
        limit + 1,
      )
      .toArray();
    const rows = this.sql
      .exec<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq IN (SELECT value FROM json_each(?))`,
        JSON.stringify(targets.slice(0, limit).map(({ target }) => target)),
      )
      .toArray();
    const bySeq = new Map(messagesOf(this.sql, rows, this.verifies).map((message) => [message.seq, message]));
    const messages: ChatMessage[] = [];
    let bytes = 0;
    for (const { target } of targets.slice(0, limit)) {
      const message = bySeq.get(target);
      if (!message) continue;
      bytes += frameBytes(JSON.stringify(message)) + 1;
      if (bytes > maxBytes && messages.length > 0) break;
      messages.push(message);
    }
    const more = targets.length > messages.length;
    return { messages, through: more ? targets[messages.length - 1]!.last : newest, more };
  }

  /** Carries out `write` with one new position per message in `targets`, recorded; returns the positions. */
  private record(targets: number[], write: () => void): number[] {
    this.schema.ensure();
    const first = this.history.newestSeq + 1;
    const ats = targets.map((_, index) => first + index);
    this.schema.storage.transactionSync(() => {
      write();
      for (const [index, target] of targets.entries()) {
        this.sql.exec(`INSERT INTO changes (at, target) VALUES (?, ?)`, ats[index], target);
      }
    });
    if (ats.length > 0) this.history.advanceTo(ats.at(-1)!);
    return ats;
  }

  private reactOne(
    { seq, reaction, author, name, on }: ReactionChange,
    maxPerMessage: number,
    at: number,
  ): ReactionOutcome {
    const held = this.history.held(seq);
    if (!held || held.deleted) return "gone";
    if (!on) {
      const removed = this.sql.exec(
        `DELETE FROM reactions WHERE target = ? AND reaction = ? AND author = ?`,
        seq,
        reaction,
        author,
      ).rowsWritten;
      return removed > 0 ? "applied" : "unchanged";
    }
    const given = this.sql
      .exec(`SELECT 1 FROM reactions WHERE target = ? AND reaction = ? AND author = ?`, seq, reaction, author)
      .toArray();
    if (given.length > 0) return "unchanged";
    const kinds = this.sql
      .exec<{ reaction: string }>(`SELECT DISTINCT reaction FROM reactions WHERE target = ?`, seq)
      .toArray();
    if (kinds.length >= maxPerMessage && !kinds.some((kind) => kind.reaction === reaction)) return "limit";
    this.sql.exec(
      `INSERT INTO reactions (target, reaction, author, name, at) VALUES (?, ?, ?, ?, ?)`,
      seq,
      reaction,
      author,
      name,
      at,
    );
    return "applied";
  }
}
