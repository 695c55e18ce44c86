// A reader's model of a room's messages, kept as docs/protocol.md ("Messages that change") tells a client to keep it:
// every message it was given, by seq, in its current state, and its resume cursor (the newest position seen). Two
// readers that saw the same room end with the same model, byte for byte, whichever way they learnt it: live, from a
// resume's welcome, from pages of changes.

import type { Packet } from "./client";

type Message = Record<string, unknown> & { seq: number };

/** The order a model writes a message's fields in, so that two models compare as JSON whatever they applied. */
const FIELDS = ["seq", "ts", "sender", "cid", "text", "deleted", "edited", "replyTo", "data", "reactions"];

export class MessageModel {
  readonly messages = new Map<number, Message>();
  /** The newest position seen: a chat's seq, a change's `at`, a whole welcome's lastSeq. */
  cursor = 0;

  /** Applies every packet of `packets` (a client's received list, from `from` on); returns where it stopped. */
  applyAll(packets: Packet[], from = 0): number {
    for (const packet of packets.slice(from)) this.apply(packet);
    return packets.length;
  }

  apply(packet: Packet): void {
    switch (packet.type) {
      case "welcome":
        for (const message of packet.history as Message[]) this.put(message);
        this.putHeld(packet.changed as Message[] | undefined);
        if (!packet.more && !packet.moreChanged) this.cursor = Math.max(this.cursor, packet.lastSeq as number);
        return;
      case "history":
        for (const message of packet.messages as Message[]) this.put(message);
        return;
      case "changes":
        this.putHeld(packet.messages as Message[]);
        return;
      case "chat": {
        const { type: _type, ...message } = packet as Packet & Message;
        this.put(message);
        this.seen(message.seq);
        return;
      }
      case "edited": {
        const message = this.messages.get(packet.seq as number);
        if (message) this.put({ ...message, text: packet.text, edited: packet.edited });
        this.seen(packet.at as number);
        return;
      }
      case "reactions": {
        const message = this.messages.get(packet.seq as number);
        const reactions = packet.reactions as unknown[];
        if (message) {
          const { reactions: _old, ...rest } = message;
          this.put(reactions.length > 0 ? { ...rest, reactions } : rest);
        }
        this.seen(packet.at as number);
        return;
      }
      case "deleted": {
        const seq = packet.seq as number;
        const message = this.messages.get(seq);
        if (message) {
          const { ts, sender, cid } = message;
          this.put({ seq, ts, sender, text: "", deleted: true, ...(cid !== undefined && { cid }) });
        }
        this.originalDeleted(seq);
        this.seen(packet.at as number);
        return;
      }
    }
  }

  /** The messages, oldest first, as one string to compare. */
  toJSON(): string {
    return JSON.stringify([...this.messages.values()].sort((a, b) => a.seq - b.seq));
  }

  private put(message: Message): void {
    const ordered: Message = { seq: message.seq };
    for (const field of FIELDS) if (message[field] !== undefined) ordered[field] = message[field];
    this.messages.set(message.seq, ordered);
    // A message that arrives deleted (a resume's changed state) deletes the quotes of the replies held.
    if (message.deleted) this.originalDeleted(message.seq);
  }

  /** The state now of messages the reader holds; one it never had stays unknown to it. */
  private putHeld(messages: Message[] | undefined): void {
    for (const message of messages ?? []) if (this.messages.has(message.seq)) this.put(message);
  }

  /** Message `seq` was deleted: every reply held quotes it as deleted (docs: replies keep the original's name). */
  private originalDeleted(seq: number): void {
    for (const message of this.messages.values()) {
      const quote = message.replyTo as { seq: number; name: string; deleted?: true } | undefined;
      if (quote?.seq === seq && !quote.deleted) {
        message.replyTo = { seq, name: quote.name, text: "", deleted: true };
      }
    }
  }

  private seen(position: number): void {
    this.cursor = Math.max(this.cursor, position);
  }
}
