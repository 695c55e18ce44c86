// A stored message as readers see it now: its row (text after the last edit, the quote it carries, its data) and
// its reactions, read together for a whole page in one query each. Every reader (a welcome, a history page, the
// changes a resume missed) gets messages from here, so they all show the same state.

import { confineBidi } from "../../shared/bidi";
import { frameBytes } from "../../shared/codec";
import type { ChatMessage, GameData, Quote, Reaction, Sender } from "../../shared/protocol";
import { QUOTE_CHARS, REACTORS_NAMED } from "../../shared/protocol";
import type { Sql } from "./schema";

/** The columns every read of messages selects. */
export const MESSAGE_COLUMNS = `seq, ts, sender_id, sender_name, sender_user, sender_system, text, deleted, cid,
  edited, reply_to, quote_name, quote_text, quote_deleted, data`;

export type MessageRow = {
  seq: number;
  ts: number;
  sender_id: number;
  sender_name: string;
  /** The verified sender's user id; null for an anonymous sender. */
  sender_user: string | null;
  /** 1 for a message the game's backend posted (protocol.ts, `SystemSender`; its sender_id is 0). */
  sender_system: 0 | 1;
  text: string;
  /** 1 for a tombstone: its author or a moderator deleted the message; its text and the rest are gone. */
  deleted: 0 | 1;
  /** The client chat id the sender gave, if any. */
  cid: string | null;
  edited: number | null;
  reply_to: number | null;
  quote_name: string | null;
  quote_text: string | null;
  quote_deleted: 0 | 1;
  /** JSON. */
  data: string | null;
};

/**
 * The messages of these rows in their current state, in the rows' order, reactions included. `verifies`: the room
 * verifies tokens, so that an anonymous sender is read back as a guest (protocol.ts, `Member`).
 */
export function messagesOf(sql: Sql, rows: MessageRow[], verifies: boolean): ChatMessage[] {
  const reactions = reactionsOf(
    sql,
    rows.filter((row) => !row.deleted).map((row) => row.seq),
  );
  return rows.map((row) => messageOf(row, verifies, reactions.get(row.seq)));
}

function messageOf(row: MessageRow, verifies: boolean, reactions: Reaction[] | undefined): ChatMessage {
  const sender = senderOf(row, verifies);
  const { seq, ts } = row;
  if (row.deleted) {
    const tombstone: ChatMessage = { seq, ts, sender, text: "", deleted: true };
    if (row.cid !== null) tombstone.cid = row.cid;
    return tombstone;
  }
  // Field by field, in one order, so that every reader's copy of a message is the same, byte for byte.
  const message: ChatMessage = { seq, ts, sender, text: row.text };
  if (row.cid !== null) message.cid = row.cid;
  if (row.edited !== null) message.edited = row.edited;
  if (row.reply_to !== null) message.replyTo = quoteOf(row);
  if (row.data !== null) message.data = JSON.parse(row.data) as GameData;
  if (reactions) message.reactions = reactions;
  return message;
}

/** A message's sender as stored: the game's backend, a verified member, or an anonymous one (a guest where tokens count). */
function senderOf(row: MessageRow, verifies: boolean): Sender {
  const { sender_id: id, sender_name: name, sender_user: user } = row;
  if (row.sender_system) return { id: 0, name, system: true };
  return user !== null ? { id, name, user, verified: true } : verifies ? { id, name, guest: true } : { id, name };
}

function quoteOf(row: MessageRow): Quote {
  const seq = row.reply_to!;
  const name = row.quote_name ?? "";
  return row.quote_deleted ? { seq, name, text: "", deleted: true } : { seq, name, text: row.quote_text ?? "" };
}

/** The reaction summaries of messages `seqs`: each reaction in the order it was first given, its first reactors named. */
export function reactionsOf(sql: Sql, seqs: number[]): Map<number, Reaction[]> {
  const found = new Map<number, Reaction[]>();
  if (seqs.length === 0) return found;
  for (const { target, reaction, name } of reactionRows(sql, seqs)) {
    const summary = found.get(target) ?? [];
    if (summary.length === 0) found.set(target, summary);
    let entry = summary.find((item) => item.reaction === reaction);
    if (!entry) {
      entry = { reaction, count: 0, by: [] };
      summary.push(entry);
    }
    entry.count++;
    if (entry.by.length < REACTORS_NAMED) entry.by.push(name);
  }
  return found;
}

type ReactionRow = { target: number; reaction: string; name: string };

/**
 * The reactions to messages `seqs`, by message, then as given. Rows read are billed: a page of history is a run of
 * consecutive seqs (but for deleted ones), whose reactions are one range of the table's key, which reads only the
 * reactions there are (none, for a page nobody reacted to); scattered seqs (the changes a resume missed) are looked
 * up one by one, which reads about two rows per seq, reactions or not.
 */
function reactionRows(sql: Sql, seqs: number[]): ReactionRow[] {
  let lowest = seqs[0]!;
  let highest = lowest;
  for (const seq of seqs) {
    if (seq < lowest) lowest = seq;
    if (seq > highest) highest = seq;
  }
  if (highest - lowest < 2 * seqs.length) {
    const wanted = new Set(seqs);
    return sql
      .exec<ReactionRow>(
        `SELECT target, reaction, name FROM reactions WHERE target BETWEEN ? AND ? ORDER BY target, at, rowid`,
        lowest,
        highest,
      )
      .toArray()
      .filter(({ target }) => wanted.has(target));
  }
  return sql
    .exec<ReactionRow>(
      `SELECT target, reaction, name FROM reactions WHERE target IN (SELECT value FROM json_each(?))
       ORDER BY target, at, rowid`,
      JSON.stringify(seqs),
    )
    .toArray();
}

/** How a reply quotes message `seq` now (the room checked it holds it); one that is gone reads as deleted. */
export function quoteNow(sql: Sql, seq: number): Quote {
  const row = sql
    .exec<{ sender_name: string; text: string; deleted: 0 | 1 }>(
      `SELECT sender_name, text, deleted FROM messages WHERE seq = ?`,
      seq,
    )
    .toArray()[0];
  if (!row || row.deleted) return { seq, name: row?.sender_name ?? "", text: "", deleted: true };
  // Cut to QUOTE_CHARS, its bidi controls confined again: a cut may leave one open (shared/bidi.ts).
  return { seq, name: row.sender_name, text: confineBidi(Array.from(row.text).slice(0, QUOTE_CHARS).join("")) };
}

/**
 * The newest of `messages` (newest first) that weigh no more than `maxBytes` together as JSON (never fewer than
 * one), oldest first: a request of a few bytes cannot pull megabytes.
 */
export function fitPage(messages: ChatMessage[], maxBytes: number): ChatMessage[] {
  let taken = 0;
  for (let bytes = 0; taken < messages.length; taken++) {
    bytes += frameBytes(JSON.stringify(messages[taken])) + 1;
    if (bytes > maxBytes && taken > 0) break;
  }
  return messages.slice(0, taken).reverse();
}
