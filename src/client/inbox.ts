// Messages from the room, handed on to the app once each and in their place (delivery-record.ts keeps what was
// delivered and which history is missing): a welcome's history, live chats, pages that fill a resume's gap, older
// pages. Our own among them confirm what we sent (send-queue.ts); once a resume's gap is filled, what we sent that
// never reached the room is known, and goes again.

import type { ChatMessage, ServerPacket } from "../shared/protocol";
import type { ConnectionEvent, MessageOrigin } from "./connection-events";
import type { DeliveryRecord } from "./delivery-record";
import type { SendQueue } from "./send-queue";

type Message = ChatMessage & { cid?: string };

export class Inbox {
  constructor(
    private readonly delivered: DeliveryRecord,
    private readonly sent: SendQueue,
    private readonly onEvent: (event: ConnectionEvent) => void,
  ) {}

  /**
   * A welcome's history, for our member `selfId`: what a resume missed (`continued`), which may leave a gap to fill
   * page by page; else the room's recent history, before which older pages may be asked for.
   */
  welcome(welcome: Extract<ServerPacket, { type: "welcome" }>, continued: boolean, selfId: number): void {
    if (continued) {
      this.delivered.resumeFrom(welcome.history, welcome.more);
      this.deliver(welcome.history, "live");
    } else {
      this.delivered.hasOlder = welcome.more;
      this.deliver(welcome.history, "recent");
      this.tellOlder();
    }
    if (!this.delivered.hasGap) this.sent.resendLost(selfId);
  }

  /** A chat as it happens. */
  chat(packet: Extract<ServerPacket, { type: "chat" }>): void {
    const { seq, ts, sender, text, cid } = packet as typeof packet & { cid?: string };
    this.deliver([{ seq, ts, sender, text, ...(cid !== undefined && { cid }) }], "live");
  }

  /** A history page we asked for, while our member id is `selfId`. */
  history(page: Extract<ServerPacket, { type: "history" }>, selfId: number | undefined): void {
    const answer = this.delivered.answer(page);
    if (answer?.kind === "older") {
      this.deliver(answer.messages, "older");
      this.tellOlder();
    } else if (answer?.kind === "gap") {
      this.deliver(answer.messages, "gap");
      if (answer.lost) this.onEvent({ type: "missing", ...answer.lost });
      // Only now is it known which chats sent before the drop never reached the room.
      if (!this.delivered.hasGap && selfId !== undefined) this.sent.resendLost(selfId);
    }
  }

  /** The user wants the page before the oldest message delivered; false if there is none to ask for. */
  wantOlder(): boolean {
    if (!this.delivered.wantOlder()) return false;
    this.tellOlder();
    return true;
  }

  /** Hands on the messages not delivered before, and marks our own as confirmed. */
  private deliver(messages: Message[], origin: MessageOrigin): void {
    const fresh = this.delivered.accept(messages);
    // Ours among them confirm our chats: the fresh ones, and (by its cid) the room's answer to a chat sent again that
    // it had stored already, whose seq was delivered before. A message seen before without a cid confirms nothing:
    // matched by text, it could take the place of another chat that says the same.
    for (const message of messages)
      if (message.cid !== undefined || fresh.includes(message)) this.sent.confirm(message);
    if (fresh.length > 0) this.onEvent({ type: "messages", messages: fresh, origin });
  }

  private tellOlder(): void {
    this.onEvent({ type: "older", more: this.delivered.hasOlder, loading: this.delivered.olderLoading });
  }
}
