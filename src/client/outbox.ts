// What goes to the room, and when: history requests that are due (a gap a resume left, or older pages the user
// asked for), then pages of the changes a resume's welcome left out, then pages of a large room's member list, then
// our state when it is due (own-state.ts), then what the user sent (send-queue.ts), each as fast as the room's rate
// limit allows. A request the room never answers (it refused it) is asked again. A live signal that is worth
// sending only now (typing) goes at once if the rate limit allows, or not at all (`sendNow`).

import { frameCost } from "../shared/codec";
import { DEFAULT_LIMITS, type Limits, type NativeClientPacket } from "../shared/protocol";
import type { ChangePages } from "./change-pages";
import type { ConnectionEvent } from "./connection-events";
import type { DeliveryRecord, HistoryKind } from "./delivery-record";
import type { MemberPages } from "./member-pages";
import type { Membership } from "./membership";
import type { OwnState } from "./own-state";
import type { SendQueue } from "./send-queue";
import type { SocketLike } from "./socket";
import { type Clock, NamedTimers } from "./timers";

export interface OutboxParts {
  clock: Clock;
  /** How long the room may take to answer a request before it is asked again. */
  answerTimeoutMs: number;
  membership: Membership;
  delivered: DeliveryRecord;
  changes: ChangePages;
  memberPages: MemberPages;
  ownState: OwnState;
  queue: SendQueue;
  /** Where frames go now: the socket, once the room welcomed us on it; none while not in the room. */
  socket(): SocketLike | undefined;
  onEvent(event: ConnectionEvent): void;
}

/** The requests the room answers with a page, billed by its size. */
type Answer = "history" | "changes" | "members";

export class Outbox {
  private readonly timers: NamedTimers<"drain" | Answer>;
  private reportedQueueSize = 0;

  constructor(private readonly parts: OutboxParts) {
    this.timers = new NamedTimers(parts.clock);
  }

  /** Sends what is waiting, as fast as the room's rate limit allows: history requests first, then the queue. */
  drain(): void {
    const { queue, clock } = this.parts;
    const { timers } = this;
    timers.clear("drain");
    for (let target = this.target(); target; target = this.target()) {
      const next = this.nextPacket();
      if (!next) {
        // Chats suspected refused are due when the pause ends, even with nothing else to send.
        const due = queue.suspectsDueIn(clock.now());
        if (due !== undefined) timers.start("drain", due, () => this.drain());
        break;
      }
      const frame = JSON.stringify(next.packet);
      const wait = queue.waitBeforeSending(clock.now(), this.costOf(frame));
      if (wait > 0) {
        timers.start("drain", wait, () => this.drain());
        break;
      }
      if (next.history) this.askHistory(next.history);
      else if (next.packet.type === "changes" || next.packet.type === "members") this.ask(next.packet.type);
      else if (next.packet.type === "state") this.parts.ownState.went(next.packet, clock.now(), this.limits);
      else queue.take(target.selfId);
      target.socket.send(frame);
    }
    if (queue.size !== this.reportedQueueSize) {
      this.reportedQueueSize = queue.size;
      this.parts.onEvent({ type: "queue", size: this.reportedQueueSize });
    }
  }

  /**
   * Sends `packet` now if in the room and the rate limit has a token for it (charged like any frame); false if it
   * could not go, and it is dropped.
   */
  sendNow(packet: NativeClientPacket): boolean {
    const target = this.target();
    if (!target) return false;
    const frame = JSON.stringify(packet);
    if (this.parts.queue.waitBeforeSending(this.parts.clock.now(), this.costOf(frame)) > 0) return false;
    target.socket.send(frame);
    return true;
  }

  /** An answer to our request came (`frame`): the room charges it to our rate limit by its size, as we must too. */
  answered(kind: Answer, frame: string): void {
    this.timers.clear(kind);
    this.parts.queue.bill(this.parts.clock.now(), this.costOf(frame));
  }

  /**
   * The socket is gone: nothing more goes on it, and requests asked on it will never be answered (the connection
   * has the records ask again after the rejoin).
   */
  stop(): void {
    this.timers.clear("drain", "history", "changes", "members");
  }

  /** The socket to send on and our member id on it, while in the room. */
  private target(): { socket: SocketLike; selfId: number } | undefined {
    const socket = this.parts.socket();
    const { self } = this.parts.membership;
    return socket && self ? { socket, selfId: self.id } : undefined;
  }

  /**
   * The packet to send next: a history request that is due, else a page of changes, else a page of members, else
   * the head of the queue.
   */
  private nextPacket(): { packet: NativeClientPacket; history?: HistoryKind } | undefined {
    const { delivered, changes, memberPages, queue, clock } = this.parts;
    const { limits } = this.parts.membership;
    const request = delivered.nextRequest();
    if (request) {
      return {
        packet: { type: "history", before: request.before, limit: limits?.historyPageMax },
        history: request.kind,
      };
    }
    const changed = changes.nextRequest(limits?.historyPageMax);
    if (changed) return { packet: changed };
    const members = memberPages.nextRequest(limits?.membersPageMax);
    if (members) return { packet: members };
    // Our state says nothing of messages: it need not wait for a gap to be filled.
    const state = this.parts.ownState.next(clock.now());
    if (state) return { packet: state };
    // Chats wait for what was missed (a gap, changes) to be in: only then is it known which earlier ones, and which
    // changes, must be sent again.
    if (delivered.hasGap || changes.pending) return undefined;
    const packet = queue.next(clock.now());
    return packet && { packet };
  }

  private get limits(): Limits {
    return this.parts.membership.limits ?? DEFAULT_LIMITS;
  }

  private costOf(frame: string): number {
    return frameCost(frame, this.limits.rateLimitBytesPerToken);
  }

  private askHistory(kind: HistoryKind): void {
    this.parts.delivered.requested(kind);
    // The room answers every history request unless it refused it (rate limit): then ask again.
    this.timers.start("history", this.parts.answerTimeoutMs, () => {
      this.parts.delivered.requestLost();
      this.drain();
    });
  }

  private ask(kind: "changes" | "members"): void {
    const pages = kind === "changes" ? this.parts.changes : this.parts.memberPages;
    pages.requested();
    // As with history: a refused request is never answered, so it is asked again.
    this.timers.start(kind, this.parts.answerTimeoutMs, () => {
      pages.lost();
      this.drain();
    });
  }
}
