// Messages from the room, handed on to the app once each and in their place (delivery-record.ts keeps what was
// delivered and which history is missing): a welcome's history, live chats, pages that fill a resume's gap, older
// pages. Our own among them confirm what we sent (send-queue.ts); once a resume's gap is filled, and the changes it
// missed are in (change-pages.ts), what we sent that never reached the room is known, and goes again. The changes
// to messages (live, in a resume's welcome, in `changes` pages) are applied to the messages held (message-model.ts).

import type { ChatMessage, ProtocolError, ServerPacket } from "../shared/protocol";
import type { ChangePages } from "./change-pages";
import type { ChatPromises } from "./chat-promises";
import type { ConnectionEvent, MessageOrigin } from "./connection-events";
import type { DeliveryRecord } from "./delivery-record";
import { type Changed, type ChangePacket, canonical, type MessageModel } from "./message-model";
import { refusedForGood } from "./refusal";
import type { SendQueue } from "./send-queue";

type Message = ChatMessage & { cid?: string };

export interface InboxParts {
  delivered: DeliveryRecord;
  changes: ChangePages;
  model: MessageModel;
  sent: SendQueue;
  /** The promises of our chats, settled by their echoes and refusals. */
  chats: ChatPromises;
  onEvent(event: ConnectionEvent): void;
}

export class Inbox {
  /** The welcome's lastSeq, until all it covers is in (its gap filled, the changes it left out paged in). */
  private welcomeNewest: number | undefined;

  constructor(private readonly parts: InboxParts) {}

  /**
   * A welcome's history, for our member `selfId`: what a resume missed (`continued`), which may leave a gap to fill
   * page by page, and the messages held that changed meanwhile; else the room's recent history, before which older
   * pages may be asked for.
   */
  welcome(welcome: Extract<ServerPacket, { type: "welcome" }>, continued: boolean, selfId: number): void {
    const { delivered, changes } = this.parts;
    const since = delivered.newestPosition;
    if (continued) {
      delivered.resumeFrom(welcome.history, welcome.more);
      this.deliver(welcome.history, "live");
      this.replace(welcome.changed ?? []);
      // The welcome says no `through`: the pages start after our since again, and what they repeat changes nothing.
      if (welcome.moreChanged) changes.start(since);
    } else {
      delivered.hasOlder = welcome.more;
      this.deliver(welcome.history, "recent");
      this.tellOlder();
    }
    this.welcomeNewest = welcome.lastSeq;
    this.caughtUp(selfId);
  }

  /** A chat as it happens. */
  chat(packet: Extract<ServerPacket, { type: "chat" }>): void {
    this.deliver([canonical(packet)], "live");
  }

  /** A change to a message, at its position in the room's log. */
  change(packet: ChangePacket): void {
    this.parts.delivered.passed(packet.at);
    this.parts.sent.settled(packet);
    if (packet.type === "deleted") this.parts.onEvent({ type: "deleted", seq: packet.seq });
    this.tell(this.parts.model.apply(packet));
  }

  /** A page of the changes a resume's welcome left out. */
  changes(page: Extract<ServerPacket, { type: "changes" }>, selfId: number | undefined): void {
    this.parts.changes.received(page);
    this.replace(page.messages);
    if (selfId !== undefined) this.caughtUp(selfId);
  }

  /** A history page we asked for, while our member id is `selfId`. */
  history(page: Extract<ServerPacket, { type: "history" }>, selfId: number | undefined): void {
    const answer = this.parts.delivered.answer(page);
    if (answer?.kind === "older") {
      this.deliver(answer.messages, "older");
      this.tellOlder();
    } else if (answer?.kind === "gap") {
      this.deliver(answer.messages, "gap");
      if (answer.lost) this.parts.onEvent({ type: "missing", ...answer.lost });
      if (selfId !== undefined) this.caughtUp(selfId);
    }
  }

  /**
   * The room refused something of ours: for now (with `retryAfterMs`), it goes again when the wait is over, with
   * what was sent after it; for good (refusal.ts), it is not sent again, a reaction it refused is not ours, and a
   * chat's promise rejects. But the room's own failure (`internal_error`) refuses nothing: what it answered stays
   * unconfirmed, and goes again after a drop.
   */
  refused(error: ProtocolError, now: number): void {
    const { sent, model, chats } = this.parts;
    if (!refusedForGood(error)) return sent.refusal(now, error.retryAfterMs!, error.cid);
    if (error.code === "internal_error") return;
    const packet = sent.dismissed(error.for, error.cid);
    if (packet?.type === "react") model.reacted(packet.seq, packet.reaction, false);
    if (packet?.type === "chat") chats.refused(packet.cid, error);
  }

  /** The user wants the page before the oldest message delivered; false if there is none to ask for. */
  wantOlder(): boolean {
    if (!this.parts.delivered.wantOlder()) return false;
    this.tellOlder();
    return true;
  }

  /** The room's history started over. */
  reset(): void {
    this.parts.delivered.reset();
    this.parts.changes.reset();
    this.parts.model.reset();
    this.welcomeNewest = undefined;
  }

  /**
   * Once a resume's gap is filled and the changes it missed are in, the welcome's lastSeq is where the next resume
   * starts from, and which of the chats sent before the drop never reached the room is known: they go again.
   */
  private caughtUp(selfId: number): void {
    const { delivered, changes, sent } = this.parts;
    if (delivered.hasGap || changes.pending) return;
    if (this.welcomeNewest !== undefined) delivered.passed(this.welcomeNewest);
    this.welcomeNewest = undefined;
    sent.resendLost(selfId);
  }

  /** Messages in their current state: applied to those held; ours among them are confirmed. */
  private replace(messages: ChatMessage[]): void {
    for (const message of messages) this.parts.sent.settled(message);
    this.tell(this.parts.model.replace(messages));
  }

  /**
   * Hands on the messages not delivered before, and marks our own as confirmed. One delivered before is its
   * current state.
   */
  private deliver(given: Message[], origin: MessageOrigin): void {
    const { delivered, sent, model } = this.parts;
    const messages = given.map(canonical);
    const fresh = delivered.accept(messages);
    // Ours among them confirm our chats: the fresh ones, and (by its cid) the room's answer to a chat sent again that
    // it had stored already, whose seq was delivered before. A message seen before without a cid confirms nothing:
    // matched by text, it could take the place of another chat that says the same.
    for (const message of messages) {
      if (message.cid === undefined && !fresh.includes(message)) continue;
      const cid = sent.confirm(message);
      if (cid !== undefined) this.parts.chats.stored(cid, message);
    }
    model.add(fresh);
    this.tell(model.replace(messages.filter((message) => !fresh.includes(message))));
    if (fresh.length > 0) this.parts.onEvent({ type: "messages", messages: fresh, origin });
  }

  private tell(changed: Changed[]): void {
    for (const { message, change } of changed) this.parts.onEvent({ type: "changed", message, change });
  }

  private tellOlder(): void {
    const { delivered } = this.parts;
    this.parts.onEvent({ type: "older", more: delivered.hasOlder, loading: delivered.olderLoading });
  }
}
