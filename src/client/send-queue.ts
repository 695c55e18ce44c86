// What the user sends to the room: queued while the room is out of reach, paced to the room's rate limit so that
// a backlog is not refused in a burst, and remembered until the room's echo confirms it, so that a chat lost with
// a dropped connection, or refused, is sent again, in the order the user typed (the rules: clients/spec).
//
// Every chat carries a client id (chat-id.ts): the room's echo and its refusals name it, and a chat sent again is
// not posted twice. A room that ignores cids (an older server) is matched by sender and text instead.
//
// Edits, deletions and reactions of the user's go the same way, in order with its chats (rule "changes"). An edit
// carries a cid, as a chat does, which refusals name. Each is confirmed by the room's change to its message (the
// edit's text, the deletion, new reactions), or by the echo of a chat of ours sent after it (the room takes a
// connection's packets in order); sent again, none does harm (the same text, a reaction given twice is one).

import type { ChatMessage, ClientPacketType, GameData, Limits, NativeClientPacket } from "../shared/protocol";
import { TokenBucket } from "../shared/token-bucket";
import { newChatId } from "./chat-id";
import { CLIENT_CONSTANTS } from "./constants";
import type { ChangePacket } from "./message-model";

export type OutgoingChat = { type: "chat"; text: string; cid: string; replyTo?: number; data?: GameData };
export type OutgoingEdit = { type: "edit"; seq: number; text: string; cid: string };
/** A change to a message: tracked like a chat until the room confirms it. */
export type OutgoingChange = OutgoingEdit | Extract<NativeClientPacket, { type: "delete" | "react" | "unreact" }>;
export type Outgoing = OutgoingChat | OutgoingChange | Extract<NativeClientPacket, { type: "rename" }>;
/** What the user asks to send: a chat or an edit gets its cid when queued. */
export type Request =
  | Omit<OutgoingChat, "cid">
  | Omit<OutgoingEdit, "cid">
  | Exclude<Outgoing, { type: "chat" } | { type: "edit" }>;

/** How many tokens short of the room's burst we keep, for frames the network bunches up on the way. */
export const BURST_MARGIN = CLIENT_CONSTANTS.burstMargin;

/** How long after an unattributed refusal a chat the room has not echoed counts as refused: echoes take ms. */
export const REFUSAL_CHECK_MS = CLIENT_CONSTANTS.refusalCheckMs;

interface Sent {
  packet: OutgoingChat | OutgoingChange;
  /** The connection (our member id then) that sent it. */
  senderId: number;
  /** Sent before a refusal that named no chat: refused, unless its echo comes back before the check. */
  suspect?: boolean;
}

export class SendQueue {
  private waiting: Outgoing[] = [];
  /** Chats and changes handed to a socket that the room has not confirmed, in the order they were sent. */
  private unconfirmed: Sent[] = [];
  private bucket: TokenBucket | undefined;
  private pausedUntil = 0;

  get size(): number {
    return this.waiting.length;
  }

  /** The packet to send next, if any, as of `now`: suspects of a refusal whose check is due go first. */
  next(now: number): Outgoing | undefined {
    if (now >= this.pausedUntil && this.unconfirmed.some((sent) => sent.suspect)) {
      this.requeue(this.unconfirmed.filter((sent) => sent.suspect));
    }
    return this.waiting[0];
  }

  /** Queues a chat or an edit (with a new cid), a deletion, a reaction or a rename; the packet as queued. */
  push(request: Request): Outgoing {
    const packet = request.type === "chat" || request.type === "edit" ? { ...request, cid: newChatId() } : request;
    this.waiting.push(packet);
    return packet;
  }

  /** A join carries the newest name: renames still waiting have nothing left to do. */
  dropRenames(): void {
    this.waiting = this.waiting.filter((packet) => packet.type !== "rename");
  }

  /** Paces sending to a room's limits, as its welcome gives them: a new connection, a full bucket, no pause. */
  paceTo(limits: Limits, now: number): void {
    this.pausedUntil = 0;
    this.bucket = new TokenBucket(Math.max(1, limits.rateLimitBurst - BURST_MARGIN), limits.rateLimitPerSecond, now);
  }

  /** The room refused a packet and said when to try again: nothing goes before then. */
  pauseUntil(at: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, at);
  }

  /**
   * The room refused something with `retryAfterMs`, naming our chat `cid` or none: nothing goes before then, and
   * what was refused goes again, in order. A refusal that names no chat of ours (an older room, or a refused
   * history request in whose second chats may have been dropped unanswered) makes every unconfirmed chat suspect.
   */
  refusal(now: number, retryAfterMs: number, cid: string | undefined): void {
    this.pauseUntil(now + retryAfterMs);
    if (cid === undefined || !this.refused(cid)) this.suspectAll(now, retryAfterMs);
  }

  /** 0 if a frame (of the queue or not) costing `cost` may go now, and it is charged for; otherwise how long to wait. */
  waitBeforeSending(now: number, cost: number): number {
    if (this.pausedUntil > now) return this.pausedUntil - now;
    return this.bucket?.take(now, cost) ?? 0;
  }

  /** The room charged us for an answer (a history or members page) by its size, as we must too. */
  bill(now: number, cost: number): void {
    this.bucket?.bill(now, cost);
  }

  /** Takes the next packet off the queue to send it; a chat or a change is remembered until the room confirms it. */
  take(senderId: number): Outgoing | undefined {
    const packet = this.waiting.shift();
    if (packet && packet.type !== "rename") this.unconfirmed.push({ packet, senderId });
    return packet;
  }

  /**
   * A message came back from the room: if it is one of ours, it arrived, and is never sent again; nor are the
   * changes we sent before it, which the room has taken in order. The cid of our chat it settles, if it has one.
   */
  confirm(message: ChatMessage & { cid?: string }): string | undefined {
    const { cid } = message;
    const ours = ({ packet, senderId }: Sent) =>
      packet.type === "chat" &&
      (cid !== undefined ? packet.cid === cid : senderId === message.sender.id && packet.text.trim() === message.text);
    const index = this.unconfirmed.findIndex(ours);
    const matched = this.unconfirmed[index]?.packet;
    if (index !== -1) {
      this.unconfirmed = this.unconfirmed.filter(
        ({ packet }, at) => at > index || (at < index && packet.type === "chat"),
      );
    }
    // A resend already queued again whose first copy made it after all (a room without cids cannot tell).
    if (cid !== undefined) this.waiting = this.waiting.filter((packet) => packet.type !== "chat" || packet.cid !== cid);
    return cid ?? (matched?.type === "chat" ? matched.cid : undefined);
  }

  /**
   * The room changed message `seq` (`change`: a live change, or the message's state on a resume): ours that did so
   * arrived. A deletion settles every change of ours to it, an edit ours with its text (sent or queued again), new
   * reactions the reactions we sent to it.
   */
  settled(change: ChangePacket | ChatMessage): void {
    const deleted = "type" in change ? change.type === "deleted" : change.deleted === true;
    const text = "type" in change ? (change.type === "edited" ? change.text : undefined) : change.text;
    const reactions = "type" in change && change.type === "reactions";
    const done = (packet: Outgoing) =>
      packet.type !== "chat" &&
      packet.type !== "rename" &&
      packet.seq === change.seq &&
      (deleted || (packet.type === "edit" ? packet.text.trim() === text : reactions && packet.type !== "delete"));
    this.unconfirmed = this.unconfirmed.filter(({ packet }) => !done(packet));
    // Reactions queued are the user's new ones: only those sent are settled.
    if (!reactions) this.waiting = this.waiting.filter((packet) => !done(packet));
  }

  /**
   * The room refused for good (an error without retryAfterMs) the packet of type `type` that `cid` names, or without
   * a cid the oldest change of that type it has not confirmed: it is not sent again. The packet, if one was ours.
   */
  dismissed(type: ClientPacketType | undefined, cid: string | undefined): Outgoing | undefined {
    const index = this.unconfirmed.findIndex(({ packet }) =>
      cid !== undefined ? "cid" in packet && packet.cid === cid : packet.type === type && packet.type !== "chat",
    );
    if (index === -1) return undefined;
    return this.unconfirmed.splice(index, 1)[0]!.packet;
  }

  /**
   * The room refused the chat `cid` (rate_limited, room_busy), and answers only the first refusal of a second:
   * the chats sent after it may have been dropped unanswered. They all go again, in order, when the pause is over;
   * one the room took after all is not stored twice (same cid) and comes back as its echo. False if not ours.
   */
  refused(cid: string): boolean {
    const index = this.unconfirmed.findIndex(({ packet }) => "cid" in packet && packet.cid === cid);
    if (index === -1) return false;
    this.requeue(this.unconfirmed.slice(index));
    return true;
  }

  /**
   * The room refused something without saying which (a room without cids): every chat not yet confirmed is
   * suspect. The room echoes a chat it took within milliseconds, so the suspects still unconfirmed once the pause
   * (at least REFUSAL_CHECK_MS) is over go again, ahead of anything typed since, which waits for them.
   */
  suspectAll(now: number, retryAfterMs: number): void {
    if (this.unconfirmed.length === 0) return;
    for (const sent of this.unconfirmed) sent.suspect = true;
    this.pauseUntil(now + Math.max(retryAfterMs, REFUSAL_CHECK_MS));
  }

  /**
   * Chats sent on an earlier connection (`senderId` is the current one's) that the room never confirmed are lost:
   * they go out again, ahead of anything queued since. Call once a resume has delivered everything missed.
   */
  resendLost(senderId: number): void {
    this.requeue(this.unconfirmed.filter((sent) => sent.senderId !== senderId));
  }

  /** How long until chats suspected refused are due to go again, if any are waiting for that. */
  suspectsDueIn(now: number): number | undefined {
    if (this.pausedUntil <= now || !this.unconfirmed.some((sent) => sent.suspect)) return undefined;
    return this.pausedUntil - now;
  }

  /** Puts what was sent before back at the head of the queue, in the order it was sent, with its cids. */
  private requeue(sent: Sent[]): void {
    this.unconfirmed = this.unconfirmed.filter((entry) => !sent.includes(entry));
    this.waiting.unshift(...sent.map(({ packet }) => packet));
  }
}
