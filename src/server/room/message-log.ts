// The room's log, as the room writes it: chats, and the changes to messages (edits, deletions, reactions), a batch
// at a time (the outbox's: outbox.ts), in the order they arrived, in one write. Each entry is checked against the
// room as it is at its turn, changes made earlier in the batch included (a reply to a message deleted just before
// it is refused): who may change a message, whether the room still holds it, whether its edit window is open. What
// comes of the batch is what the room says, in order: to everyone (each stored chat or change, at its position in
// the log), or to one entry's sender alone (a chat sent again, a refusal). docs/protocol.md, "Messages that change".

import type { Limits, ProtocolError, ServerPacket } from "../../shared/protocol";
import type { Moderator } from "../moderation/actions";
import type { MessageChanges, ReactionChange } from "../storage/message-changes";
import type { PublishKeys } from "../storage/publish-keys";
import type { RoomStorage, UnstoredChat } from "../storage/room-storage";

/**
 * One entry for the log. `author`: who asks, across connections (sessions.ts, `authorOf`), which only the author of
 * a message may be to edit it or delete it as its author; `moderator`: who may delete any message, if the asker may
 * (a moderator, the admin API). `ts`: when the room took the request. `key`: a post's idempotency key (the publish
 * API), remembered with the message it posts, in the same write.
 */
export type LogEntry =
  | { kind: "chat"; chat: UnstoredChat; key?: string }
  | { kind: "edit"; seq: number; text: string; author: string; ts: number }
  | { kind: "delete"; seq: number; author?: string; moderator?: Moderator }
  | { kind: "react"; change: ReactionChange };

/**
 * What the room says of a batch, in order: to everyone (of entry `of`), or to the sender of entry `to` alone (an
 * ack, a refusal). A deletion a moderator made says who (`moderator`), for the room's backend alone: members hear
 * only that it was not its author's.
 */
export type Said =
  | { to: "all"; of: number; packet: ServerPacket; moderator?: Moderator }
  | { to: number; packet: ServerPacket }
  | { to: number; error: ProtocolError };

/** What writing the log needs of the room. */
export interface LogRoom {
  storage: RoomStorage;
  changes: MessageChanges;
  keys: PublishKeys;
  limits: Pick<Limits, "editWindowSeconds" | "maxReactionsPerMessage">;
  /** Told what came of each batch within its write, so that what it records is stored with it (webhooks.ts). */
  recorder?: { logged(said: readonly Said[]): void };
}

type Reactions = Extract<ServerPacket, { type: "reactions" }>;

/**
 * Writes a batch of the log, all or nothing (if it throws, nothing was stored, and every sender is to hear so), and
 * says what came of it. Reactions to one message within the batch are one change, at the position of the first:
 * everyone hears its summary as it is after the batch, once.
 */
export function writeLog(room: LogRoom, entries: LogEntry[]): Said[] {
  return room.storage.atomically(() => {
    const batch: Batch = { positions: new Map(), summaries: new Map() };
    const said: Said[] = [];
    for (const [to, entry] of entries.entries()) {
      const outcome = write(room, entry, batch);
      if (outcome === undefined) continue;
      if ("code" in outcome) said.push({ to, error: outcome });
      else if (outcome.to === "sender") said.push({ to, packet: outcome.packet });
      else said.push({ ...outcome, to: "all", of: to });
    }
    room.storage.prune();
    const now = room.changes.summaries([...batch.summaries.keys()]);
    for (const [seq, packet] of batch.summaries) packet.reactions = now.get(seq) ?? [];
    room.recorder?.logged(said);
    return said;
  });
}

/** What one batch shares: the position of each message's reaction change, and the packet that tells of it. */
interface Batch {
  positions: Map<number, number>;
  summaries: Map<number, Reactions>;
}

/**
 * Writes one entry: what everyone hears of it, what its sender alone hears (`sender`: a chat sent again), why it is
 * refused, or nothing (a reaction given twice, or one more to a message whose change the batch has already).
 */
function write(
  room: LogRoom,
  entry: LogEntry,
  batch: Batch,
): { to: "all" | "sender"; packet: ServerPacket; moderator?: Moderator } | ProtocolError | undefined {
  const { storage, changes } = room;
  switch (entry.kind) {
    case "chat": {
      const earlier = storage.duplicateOf(entry.chat);
      if (earlier) return { to: "sender", packet: { type: "chat", ...earlier } };
      const { replyTo } = entry.chat;
      if (replyTo !== undefined && !changeable(room, replyTo)) return notFound(room, replyTo, "reply to");
      const message = storage.insert(entry.chat);
      if (entry.key !== undefined) room.keys.remember(entry.key, message.seq, message.ts);
      return { to: "all", packet: { type: "chat", ...message } };
    }
    case "edit": {
      const refusal = mayEdit(room, entry);
      if (refusal) return refusal;
      const { seq, text, ts } = entry;
      return { to: "all", packet: { type: "edited", seq, at: changes.edit(seq, text, ts), text, edited: ts } };
    }
    case "delete": {
      const { seq } = entry;
      const held = changeable(room, seq);
      if (!held) return notFound(room, seq, "delete");
      const byAuthor = entry.author !== undefined && held.author === entry.author;
      if (!byAuthor && !entry.moderator)
        return { code: "forbidden", message: "only its author or a moderator may delete a message" };
      const at = changes.delete(seq, byAuthor);
      if (byAuthor) return { to: "all", packet: { type: "deleted", seq, at, by: "author" } };
      return { to: "all", packet: { type: "deleted", seq, at }, moderator: entry.moderator };
    }
    case "react": {
      const { seq } = entry.change;
      if (!changeable(room, seq)) return notFound(room, seq, "react to");
      const max = room.limits.maxReactionsPerMessage;
      const outcome = changes.react(entry.change, max, batch.positions);
      if (outcome === "limit") {
        const message = `message ${seq} has ${max} different reactions, the most one may have: give one of those`;
        return { code: "reaction_limit", message };
      }
      const at = batch.positions.get(seq);
      if (outcome !== "applied" || at === undefined || batch.summaries.has(seq)) return undefined;
      // Its summary is filled in once the whole batch is written.
      const packet: Reactions = { type: "reactions", seq, at, reactions: [] };
      batch.summaries.set(seq, packet);
      return { to: "all", packet };
    }
  }
}

/** The message `seq` if the room holds it and it is not deleted: only such a message may change, or be replied to. */
function changeable(room: LogRoom, seq: number) {
  const held = room.changes.held(seq);
  return held && !held.deleted ? held : undefined;
}

/** Why an edit may not be made: not the author's, gone, or too late (limits.editWindowSeconds, 0: never). */
function mayEdit(room: LogRoom, { seq, author, ts }: Extract<LogEntry, { kind: "edit" }>): ProtocolError | undefined {
  const held = changeable(room, seq);
  if (!held) return notFound(room, seq, "edit");
  if (held.author !== author) return { code: "forbidden", message: "only its author may edit a message" };
  const window = room.limits.editWindowSeconds;
  if (window > 0 && ts - held.ts > window * 1000) {
    return { code: "edit_window_closed", message: `a message may be edited for ${window} s after it was sent` };
  }
  return undefined;
}

/** The refusal of a change to (or reply to) a message the room does not hold, saying why when it can. */
function notFound(room: LogRoom, seq: number, doing: string): ProtocolError {
  const held = room.changes.held(seq);
  const why = held?.deleted
    ? `message ${seq} was deleted`
    : room.storage.isPastRetention(seq)
      ? `message ${seq} is past the history the room retains`
      : `no message ${seq} in the room's history`;
  return { code: "not_found", message: `cannot ${doing} message ${seq}: ${why}` };
}
