// What the user sends to the room: queued while the room is out of reach, paced to the room's rate limit so that
// a backlog is not refused in a burst, and remembered until the room's echo confirms it, so that a chat lost with
// a dropped connection is sent again.

import type { ChatMessage, Limits, NativeClientPacket } from "../shared/protocol";
import { TokenBucket } from "../shared/token-bucket";

export type Outgoing = Extract<NativeClientPacket, { type: "chat" | "rename" }>;

export class SendQueue {
  private readonly waiting: Outgoing[] = [];
  /** Chats handed to a socket whose echo has not come back. */
  private unconfirmed: { senderId: number; text: string; sentBeforeRefusal?: boolean }[] = [];
  private bucket: TokenBucket | undefined;
  private pausedUntil = 0;

  get size(): number {
    return this.waiting.length;
  }

  /** The packet to send next, if any. */
  get next(): Outgoing | undefined {
    return this.waiting[0];
  }

  push(packet: Outgoing): void {
    this.waiting.push(packet);
  }

  /** A join carries the newest name: renames still waiting have nothing left to do. */
  dropRenames(): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) if (this.waiting[i]!.type === "rename") this.waiting.splice(i, 1);
  }

  /** Paces sending to a room's limits, as its welcome gives them. */
  paceTo(limits: Limits, now: number): void {
    // One token short of the room's burst, for frames the network bunches up on the way.
    this.bucket = new TokenBucket(Math.max(1, limits.rateLimitBurst - 1), limits.rateLimitPerSecond, now);
  }

  /** The room refused a packet and said when to try again: nothing goes before then. */
  pauseUntil(at: number): void {
    this.pausedUntil = at;
  }

  /** 0 if a frame (of the queue or not) costing `cost` may go now, and it is charged for; otherwise how long to wait. */
  waitBeforeSending(now: number, cost: number): number {
    if (this.pausedUntil > now) return this.pausedUntil - now;
    return this.bucket?.take(now, cost) ?? 0;
  }

  /** The room charged us for an answer (a history page) by its size, as we must too. */
  bill(now: number, cost: number): void {
    this.bucket?.bill(now, cost);
  }

  /** Takes the next packet off the queue to send it; a chat is remembered until the room confirms it. */
  take(senderId: number): Outgoing | undefined {
    const packet = this.waiting.shift();
    if (packet?.type === "chat") this.unconfirmed.push({ senderId, text: packet.text });
    return packet;
  }

  /** A message came back from the room: if it is one of ours, it arrived. */
  confirm(message: ChatMessage): void {
    const index = this.unconfirmed.findIndex((sent) => sent.senderId === message.sender.id && sent.text === message.text);
    if (index !== -1) this.unconfirmed.splice(index, 1);
  }

  /**
   * The room refused something: it answers only the first refusal of a second and does not say which packet, and
   * packets in flight meanwhile may have been refused unanswered. So every chat not yet confirmed is suspect. The
   * room echoes a chat it took within milliseconds; `resendRefused`, called well after, sends the suspects that are
   * still unconfirmed again, ahead of anything queued since.
   */
  suspectRefused(): void {
    for (const sent of this.unconfirmed) sent.sentBeforeRefusal = true;
  }

  resendRefused(): void {
    const refused = this.unconfirmed.filter((sent) => sent.sentBeforeRefusal);
    this.unconfirmed = this.unconfirmed.filter((sent) => !sent.sentBeforeRefusal);
    this.waiting.unshift(...refused.map((sent): Outgoing => ({ type: "chat", text: sent.text })));
  }

  /**
   * Chats sent on an earlier connection (`senderId` is the current one's) that the room never confirmed are lost:
   * they go out again, ahead of anything queued since. Call once a resume has delivered everything missed.
   */
  resendLost(senderId: number): void {
    const lost = this.unconfirmed.filter((sent) => sent.senderId !== senderId);
    this.unconfirmed = this.unconfirmed.filter((sent) => sent.senderId === senderId);
    this.waiting.unshift(...lost.map((sent): Outgoing => ({ type: "chat", text: sent.text })));
  }
}
