// Our own member state (rule `state`, clients/spec): what the app last set, and what the room has of it. A state is
// a whole (the room replaces it, never merges), so only the latest matters: a change within stateIntervalMs of the
// last one sent waits for the interval's end and goes then, the latest of what was set meanwhile; nothing is queued.
// Every join carries the state, so a change made offline goes with the next join and never as a packet after it.
// The room does not answer a state it took; it answers one it refused, and then we know what it still has.

import type { Limits, MemberState, NativeClientPacket, ProtocolError } from "../shared/protocol";
import { refusedForGood } from "./refusal";
import { type Clock, NamedTimers } from "./timers";

type StatePacket = Extract<NativeClientPacket, { type: "state" }>;

const same = (a: MemberState | undefined, b: MemberState | undefined) => JSON.stringify(a) === JSON.stringify(b);

export class OwnState {
  /** What the app set last; undefined: never set (joins then carry none, and the room keeps what it has). */
  private wanted: MemberState | undefined;
  /** What this socket's join carried. */
  private carried: MemberState | undefined;
  /** What the room has, or will have once the packet on its way arrives. */
  private sent: MemberState | undefined;
  /** What the room had before that packet: what it still has if the packet is refused. */
  private held: MemberState | undefined;
  /** No state packet goes before this time: the interval since the last, or the wait a refusal asked for. */
  private notBefore = 0;
  private readonly timers: NamedTimers<"due">;

  /** `wake`: a state is due now (the outbox sends what is due). */
  constructor(
    clock: Clock,
    private readonly wake: () => void,
  ) {
    this.timers = new NamedTimers(clock);
  }

  get current(): MemberState | undefined {
    return this.wanted;
  }

  set(state: MemberState): void {
    this.wanted = state;
  }

  /** What a new socket's join carries: the state, once one was set (`{}` too: it clears what a resume would keep). */
  joining(): { state?: MemberState } {
    this.carried = this.wanted;
    return this.wanted === undefined ? {} : { state: this.wanted };
  }

  /** The room welcomed our join: it has what the join carried (a change made since goes as a packet). */
  welcomed(): void {
    this.sent = this.held = this.carried;
  }

  /** The packet to send now, if the state changed since the room last heard it and the interval allows. */
  next(now: number): StatePacket | undefined {
    if (this.wanted === undefined || same(this.wanted, this.sent)) return undefined;
    if (now < this.notBefore) {
      this.timers.start("due", this.notBefore - now, this.wake);
      return undefined;
    }
    return { type: "state", state: this.wanted };
  }

  /** The packet went: the next may go an interval later. */
  went(packet: StatePacket, now: number, limits: Limits): void {
    this.held = this.sent;
    this.sent = packet.state;
    this.notBefore = now + limits.stateIntervalMs;
  }

  /**
   * The room refused a join (before its welcome): true if it was for the state the join carried, which is dropped
   * then, as if never set (the next join, at once, goes without it; a resume keeps what the room held of ours).
   */
  joinRefused(error: ProtocolError): boolean {
    const forState = error.code === "invalid_state" || error.code === "forbidden";
    if (!forState || this.carried === undefined || (error.for !== undefined && error.for !== "join")) return false;
    this.wanted = this.carried = this.sent = this.held = undefined;
    return true;
  }

  /**
   * The room refused our last state. For now (`rate_limited`, with when to retry): the latest goes again then. For
   * good (`invalid_state`, `forbidden`, `muted`: refusal.ts): it is not sent again, and unless the app set a newer one meanwhile, our
   * state is again what the room kept, which later joins carry.
   */
  refused(error: ProtocolError, now: number): void {
    if (!refusedForGood(error)) this.notBefore = now + error.retryAfterMs!;
    else if (same(this.wanted, this.sent)) this.wanted = this.held;
    this.sent = this.held;
    this.wake();
  }
}
