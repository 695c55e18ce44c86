// The messages a connection delivered, by seq, each in its current state (the rules: clients/spec, "changes"): a
// change the room announces (an edit, a deletion, a message's new reactions) or reports on a resume (a welcome's
// `changed`, a `changes` page) is applied to the message it names if the connection holds it, and told as a
// `changed` event. A change to a message never delivered is dropped: should that message be delivered later, it
// comes in its current state. When a message is deleted, every reply held quotes it as deleted, as the room's own
// copies do; an edit changes no quote (a quote is the original as it was when the reply was sent).

import type { ChatMessage, Quote, Reaction, Sender, ServerPacket } from "../shared/protocol";

/** What changed a message: a live packet of that type, or its whole state in a resume ("state"). */
export type MessageChange = "edited" | "deleted" | "reactions" | "state";

/** The room's live packets that change a message. */
export type ChangePacket = Extract<ServerPacket, { type: "edited" | "deleted" | "reactions" }>;

export interface Changed {
  message: ChatMessage;
  change: MessageChange;
}

export class MessageModel {
  private readonly held = new Map<number, ChatMessage>();
  /** The seqs of the replies held, by the seq of the message each quotes. */
  private readonly replies = new Map<number, Set<number>>();
  /** "seq reaction" of the reactions this connection gave and did not take back. */
  private readonly ownReactions = new Set<string>();

  get messages(): ReadonlyMap<number, ChatMessage> {
    return this.held;
  }

  /** Forgets everything: the room's history started over. */
  reset(): void {
    this.held.clear();
    this.replies.clear();
    this.ownReactions.clear();
  }

  /** Messages delivered for the first time: held from now on, as given (canonical, below). */
  add(messages: ChatMessage[]): void {
    for (const message of messages) this.hold(message);
  }

  /** A live change: the message's new state if the connection holds it, and the replies it changed. */
  apply(packet: ChangePacket): Changed[] {
    const current = this.held.get(packet.seq);
    const changed: Changed[] = [];
    if (current && !current.deleted) {
      const next =
        packet.type === "edited"
          ? { ...current, text: packet.text, edited: packet.edited }
          : packet.type === "reactions"
            ? { ...current, reactions: packet.reactions }
            : { ...current, text: "", deleted: true };
      changed.push({ message: this.hold(canonical(next as ChatMessage)), change: packet.type });
    }
    if (packet.type === "deleted") changed.push(...this.deleted(packet.seq));
    return changed;
  }

  /**
   * Messages in their current state (a welcome's `changed`, a `changes` page, one delivered again): those held
   * whose state differs replace it; a deleted one, held or not, empties the quotes of the replies held.
   */
  replace(messages: ChatMessage[]): Changed[] {
    const changed: Changed[] = [];
    for (const given of messages) {
      const message = canonical(given);
      const current = this.held.get(message.seq);
      if (current && JSON.stringify(current) !== JSON.stringify(message)) {
        changed.push({ message: this.hold(message), change: "state" });
      }
      if (message.deleted) changed.push(...this.deleted(message.seq));
    }
    return changed;
  }

  /** Our own reaction `reaction` to message `seq` was sent (`on`), taken back, or refused. */
  reacted(seq: number, reaction: string, on: boolean): void {
    if (on) this.ownReactions.add(`${seq} ${reaction}`);
    else this.ownReactions.delete(`${seq} ${reaction}`);
  }

  reactedByMe(seq: number, reaction: string): boolean {
    return this.ownReactions.has(`${seq} ${reaction}`);
  }

  private hold(message: ChatMessage): ChatMessage {
    this.held.set(message.seq, message);
    if (message.replyTo) {
      const replies = this.replies.get(message.replyTo.seq) ?? new Set<number>();
      this.replies.set(message.replyTo.seq, replies.add(message.seq));
    }
    return message;
  }

  /** Message `seq` is deleted: the replies held that quote it quote it as deleted. */
  private deleted(seq: number): Changed[] {
    for (const key of this.ownReactions) if (key.startsWith(`${seq} `)) this.ownReactions.delete(key);
    const changed: Changed[] = [];
    for (const replySeq of this.replies.get(seq) ?? []) {
      const reply = this.held.get(replySeq);
      if (!reply?.replyTo || reply.deleted || reply.replyTo.deleted) continue;
      const replyTo: Quote = { seq, name: reply.replyTo.name, text: "", deleted: true };
      changed.push({ message: this.hold({ ...reply, replyTo }), change: "state" });
    }
    this.replies.delete(seq);
    return changed;
  }
}

/**
 * A message with its fields in the room's order (storage/message-rows.ts), so that every reader's copy of a message
 * is the same, byte for byte, however it came (live, in a page, changed here): a tombstone keeps its place and
 * sender, and loses the rest.
 */
export function canonical(message: ChatMessage & { type?: string }): ChatMessage {
  const { seq, ts, cid } = message;
  const sender = senderOf(message.sender);
  if (message.deleted) {
    const tombstone: ChatMessage = { seq, ts, sender, text: "", deleted: true };
    if (cid !== undefined) tombstone.cid = cid;
    return tombstone;
  }
  const copy: ChatMessage = { seq, ts, sender, text: message.text };
  if (cid !== undefined) copy.cid = cid;
  if (message.edited !== undefined) copy.edited = message.edited;
  if (message.replyTo !== undefined) copy.replyTo = quoteOf(message.replyTo);
  if (message.data !== undefined) copy.data = message.data;
  if (message.reactions !== undefined && message.reactions.length > 0) {
    copy.reactions = message.reactions.map(({ reaction, count, by }): Reaction => ({ reaction, count, by }));
  }
  return copy;
}

function senderOf(member: Sender): Sender {
  const { id, name } = member;
  if (member.system) return { id: 0, name, system: true };
  if (member.verified) return { id, name, user: member.user, verified: true };
  return member.guest ? { id, name, guest: true } : { id, name };
}

function quoteOf(quote: Quote): Quote {
  const { seq, name } = quote;
  return quote.deleted ? { seq, name, text: "", deleted: true } : { seq, name, text: quote.text };
}
