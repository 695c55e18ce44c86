// The room's live side, the part of a room connection (connection.ts) that the app calls for it: say that the user
// is typing, set the member's own state, page the whole member list; and what it reads: who is here (with their
// states), how many, how the room tells it (list or summary presence), and who is typing. What goes out is our typing
// signal (typing-signal.ts), our state (own-state.ts) and requests for pages of members (member-pages.ts); what comes
// in is kept by the member list (roster.ts) and the live signals (live-signals.ts). Rules `typing`, `typers`,
// `state`, `members`, `occupancy` and `presence-summary` of clients/spec.

import {
  type ChatMessage,
  DEFAULT_LIMITS,
  type Limits,
  type MemberState,
  type PresenceMode,
  type ProtocolError,
  type RosterMember,
  type Sender,
  type ServerPacket,
} from "../shared/protocol";
import type { PresencePacket } from "./connection-events";
import { LiveSignals } from "./live-signals";
import { MemberPages } from "./member-pages";
import type { Membership } from "./membership";
import { type ChatOptions, MessageActions } from "./message-actions";
import type { Outbox } from "./outbox";
import { OwnState } from "./own-state";
import { Roster } from "./roster";
import { stateRefusal } from "./state-check";
import type { Clock } from "./timers";
import { TypingSignal } from "./typing-signal";

export abstract class SignalActions extends MessageActions {
  protected readonly roster = new Roster();
  protected readonly memberPages = new MemberPages();
  private readonly typingSignal = new TypingSignal();
  protected readonly ownState: OwnState;
  private readonly live: LiveSignals;
  protected abstract override readonly membership: Membership;
  /**
   * What goes to the room (outbox.ts): `sendNow` puts a packet on the wire now if in the room and the rate limit
   * allows (false if it could not go), `drain` sends what is due (our state, when its interval allows).
   */
  protected abstract readonly outbox: Pick<Outbox, "sendNow" | "drain">;

  constructor(protected readonly clock: Clock) {
    super();
    this.ownState = new OwnState(clock, () => this.outbox.drain());
    const onEvent = (event: Parameters<typeof this.options.onEvent>[0]) => this.options.onEvent(event);
    const { roster } = this;
    const selfId = () => this.membership.self?.id;
    this.live = new LiveSignals({ clock, roster, selfId, limits: () => this.limits, onEvent });
  }

  /**
   * The room's members as last heard, in the order they joined (empty before the first welcome), each with its
   * `state` (absent when it has none) and `vouched`: the fields of it that its token set, the only ones to trust as
   * the game's (an avatar, a rank).
   */
  get members(): RosterMember[] {
    return this.roster.members;
  }

  /** How many members the room has, us included: the welcome's count, kept up to date by joins and leaves. */
  get memberCount(): number {
    return this.roster.count;
  }

  /**
   * How the room tells its presence (the `welcome` and `presence` events say each change): "list", every join and
   * leave, and `members` lists everyone; "summary", in a room past limits.presenceListMax, the count and the members
   * near us only (moderators, those who speak, us): `members` lists those, and `loadMembers` pages the whole list.
   */
  get presence(): PresenceMode {
    return this.roster.presence;
  }

  /**
   * Asks the room for a page of its whole member list, the page after the last one answered (`fromStart`: the first
   * again); the answer is the `membersPage` event, which is not merged into `members`. False if a page is on its way
   * or the last one said there were no more. It goes when the rate limit allows, once in the room; after a drop, it
   * is asked again.
   */
  loadMembers({ fromStart = false }: { fromStart?: boolean } = {}): boolean {
    if (!this.memberPages.load(fromStart)) return false;
    this.outbox.drain();
    return true;
  }

  /** The members typing now, in the order they started, never us (the `typing` event tells each change). */
  get typers(): RosterMember[] {
    return this.live.typing;
  }

  /** Our own state as last set (undefined if never): what the next join carries. */
  get state(): MemberState | undefined {
    return this.ownState.current;
  }

  /**
   * The user typed (`on`), or stopped: cleared the input (`typing(false)`). Call it on every keystroke: a start goes
   * at most once per limits.typingIntervalMs, and only now (while in the room, and the rate limit allows), never
   * later; a stop only if a start went recently. Sending a chat ends our typing by itself, with no stop.
   */
  typing(on = true): void {
    this.typingSignal.signal(on, this.clock.now(), this.limits, (packet) => this.outbox.sendNow(packet));
  }

  /**
   * Sets our state, the whole of it (`{}`: none): a JSON object for the game to show with our name (`status`: "away",
   * a level, a team). It goes at most once per limits.stateIntervalMs, the latest at the end of an interval; while
   * away, with the next join. Everyone sees it, us too, in the `state` event once the room has it. A state the room
   * would surely refuse (not an object, too deep, too large, or a field our token set changed) is told as an error
   * at once (`invalid_state`, `forbidden`, `for: "state"`), and does not become ours.
   */
  setState(state: MemberState): void {
    const self = this.membership.self && this.roster.get(this.membership.self.id);
    const error = stateRefusal(state, self, this.limits);
    if (error) return this.options.onEvent({ type: "error", error });
    this.ownState.set(state);
    this.outbox.drain();
  }

  /** The room's limits, as its last welcome gave them (the defaults before one). */
  protected get limits(): Limits {
    return this.membership.limits ?? DEFAULT_LIMITS;
  }

  /** Sends a chat (message-actions.ts); receivers stop showing us as typing when it arrives. */
  override sendChat(text: string, options?: ChatOptions): Promise<ChatMessage> {
    this.typingSignal.reset();
    return super.sendChat(text, options);
  }

  // -------------------------------------------------------------------------------------------------------------
  // What the connection hears, as it concerns the live side

  /** A welcome: the members, typers and count as of this join, on a connection that has said nothing yet. */
  protected welcomedLive(welcome: Extract<ServerPacket, { type: "welcome" }>): void {
    this.roster.reset(welcome.members, welcome.memberCount, welcome.id, welcome.presence ?? "list");
    this.typingSignal.reset();
    this.ownState.welcomed();
    this.live.welcome(welcome);
  }

  /** A join, leave, rename or presence packet, told to the app once the list took it. */
  protected heardPresence(packet: PresencePacket): void {
    if (packet.type === "rename") {
      this.membership.renamed(packet);
      // In summary presence a rename reaches everyone: of a member not listed it is no news to us.
      if (this.presence === "summary" && !this.roster.get(packet.id)) return;
    }
    const switched = packet.type === "presence" && packet.mode !== this.presence ? packet.mode : undefined;
    if (switched === "summary") this.memberPages.summary();
    if (switched === "list") this.memberPages.restartList();
    this.roster.apply(packet);
    this.live.presence(packet);
    this.options.onEvent({ type: "presence", packet });
    // Back in list presence: the whole list is asked for again.
    if (switched === "list") this.outbox.drain();
  }

  /** A page of members came: for the list (unless it was asked before summary began), or for the app. */
  protected heardMembersPage(packet: Extract<ServerPacket, { type: "members" }>): void {
    if (this.memberPages.received(packet) === "app") {
      return this.options.onEvent({ type: "membersPage", members: packet.members, more: packet.more });
    }
    if (this.presence === "summary") return;
    const added = this.roster.add(packet.members);
    this.options.onEvent({ type: "members", members: added });
  }

  protected heardSignals(packet: Extract<ServerPacket, { type: "signals" }>): void {
    this.live.signals(packet);
  }

  /** A chat from `sender`: it is not typing any more; in summary presence it is near, and listed. */
  protected heardChat(sender: Sender): void {
    this.live.chat(sender.id);
    const added = this.roster.spoke(sender);
    if (added) this.options.onEvent({ type: "members", members: [added] });
  }

  /**
   * The room refused our join before its welcome: if for the state it carried, the app is told (as a refusal of our
   * state), the state is dropped, and true says to join again at once without it.
   */
  protected joinRefusedForState(error: ProtocolError): boolean {
    if (!this.ownState.joinRefused(error)) return false;
    this.options.onEvent({ type: "error", error: { ...error, for: "state" } });
    return true;
  }

  /** The room refused something of ours: if it was our state, what goes instead. False if the app need not know. */
  protected refusedLive(error: ProtocolError): boolean {
    if (error.for === "state") this.ownState.refused(error, this.clock.now());
    // Typing signals are refused only by the room's flood control; the user has nothing to do about it.
    return error.for !== "typing";
  }
}
