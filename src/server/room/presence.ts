// How the room tells its members who is here (docs/protocol.md, "Presence in large rooms"). Up to
// limits.presenceListMax members, list presence: every join and leave, in the outbox's batches of `join(s)` and
// `leave(s)`. Past it, summary presence: a `presence` packet at most every limits.presenceSummaryMs, with the count
// and the near members who came or went (near-members.ts). In a room of 100,000 a join told to everyone is 100,000
// frames, and a list that long is read by nobody. Back to list presence at floor(3/4 of the threshold) members, so
// that a room near the threshold does not switch back and forth.
//
// The outbox keeps the order: a switch is an announcement in its queue, decided when the join or leave that causes it
// is queued (so a newcomer's welcome says the mode it will hear in) and told when it is delivered; joins and leaves
// delivered after it are told as it says. The mode is stored (presence-store.ts), one write per switch.

import type { Departure, Limits, PresenceMode, RosterMember, ServerPacket } from "../../shared/protocol";
import { chunks } from "../connections/frame-fit";
import type { JoinedSession, RoomSocket } from "../connections/session";
import type { Sessions } from "../connections/sessions";
import type { PresenceStore } from "../storage/presence-store";
import { NearMembers } from "./near-members";

type PresencePacket = Extract<ServerPacket, { type: "presence" }>;

/** The mode a room in `mode` is in once it has `count` members. */
export function presenceModeFor(mode: PresenceMode, count: number, listMax: number): PresenceMode {
  if (mode === "list") return count > listMax ? "summary" : "list";
  return count <= Math.floor((listMax * 3) / 4) ? "list" : "summary";
}

export class Presence<Socket extends RoomSocket> {
  readonly near: NearMembers<Socket>;
  /** The mode joins and leaves delivered now are told in: the queued mode, once its switch is delivered. */
  private delivered: PresenceMode | undefined;
  /** Near members who came and went since the last `presence` packet. */
  private readonly joins = new Map<number, RosterMember>();
  private readonly leaves = new Map<number, Departure>();
  /**
   * The count the last `presence` packet told; unknown (so told at the first chance) when this instance started:
   * members may have gone with a hub that restarted, and a room back from eviction tells the count once again.
   */
  private toldCount: number | undefined;
  private lastToldAt = -Infinity;

  constructor(
    private readonly sessions: Sessions<Socket>,
    private readonly store: Pick<PresenceStore, "summarySince" | "save">,
    private readonly limits: Pick<Limits, "presenceListMax" | "presenceSummaryMs">,
  ) {
    this.near = new NearMembers(sessions, () => store.summarySince);
  }

  /** The mode as queued: what a newcomer's welcome says, and what joins and leaves queued now will be told in. */
  get mode(): PresenceMode {
    return this.store.summarySince === undefined ? "list" : "summary";
  }

  /** Whether joins and leaves delivered now are counted rather than announced one by one. */
  get summarized(): boolean {
    this.delivered ??= this.mode;
    return this.delivered === "summary";
  }

  private get count(): number {
    return this.sessions.joined().length;
  }

  /** The room's count changed: the mode it switches to, stored at once, or undefined if it stays. */
  recount(now: number): PresenceMode | undefined {
    const mode = this.mode;
    const next = presenceModeFor(mode, this.count, this.limits.presenceListMax);
    if (next === mode) return undefined;
    // Whatever is delivered before the switch is told in the mode it was queued in.
    this.delivered ??= mode;
    this.store.save(next === "summary" ? now : undefined);
    return next;
  }

  /**
   * The switch, as it is delivered: the packets everyone hears (several if its near list, or the near leaves it
   * carries, need more frames).
   */
  switched(mode: PresenceMode, budget: number, now: number): PresencePacket[] {
    this.delivered = mode;
    // Near members who left since the last packet (the one whose leave brought the room back among them) are told
    // with the way back: clients keep their list and add the pages that follow, which would never take them out.
    // Near joins need no telling: the pages list them.
    const leaves = [...this.leaves.values()];
    this.joins.clear();
    this.leaves.clear();
    const memberCount = this.count;
    this.toldCount = memberCount;
    this.lastToldAt = now;
    if (mode === "list") {
      const [first, ...rest] = chunks(leaves, budget);
      return [first, ...rest].map((run) => ({ type: "presence", mode, memberCount, ...(run && { leaves: run }) }));
    }
    // The first frame's `members` replaces each client's list; the rest of a long one comes as joins to it.
    const [first = [], ...rest] = chunks(this.near.listAndMark(this.store.summarySince ?? now), budget);
    return [
      { type: "presence", mode, memberCount, members: first },
      ...rest.map((joins): PresencePacket => ({ type: "presence", mode, memberCount, joins })),
    ];
  }

  /** Joins delivered in summary presence: near ones (moderators) are told with the next `presence` packet. */
  joined(joins: readonly { member: RosterMember; socket: Socket }[]): void {
    for (const { member, socket } of joins) {
      const session = this.sessions.get(socket);
      if (session?.joined && this.near.isNear(session)) this.joins.set(member.id, member);
    }
  }

  /** Leaves delivered in summary presence: those of near members (`near` holds their ids) are told. */
  left(members: readonly Departure[], near: ReadonlySet<number>): void {
    for (const member of members) {
      if (!near.has(member.id) || this.joins.delete(member.id)) continue;
      this.leaves.set(member.id, member);
    }
  }

  /** A leave as it is queued: whether clients may hold its member (unknown, for a member lost with a restart: yes). */
  leaving(session: JoinedSession | undefined): boolean {
    if (session) this.near.left(session.id);
    return session === undefined || this.near.isNear(session);
  }

  /**
   * The `presence` packets due now in summary presence (several if its near members need more frames), or how long
   * until they may go; none if nothing changed since the last.
   */
  due(budget: number, now: number): { packets: PresencePacket[] } | { waitMs: number } | undefined {
    if (!this.summarized) return undefined;
    const memberCount = this.count;
    if (memberCount === this.toldCount && this.joins.size === 0 && this.leaves.size === 0) return undefined;
    const waitMs = this.lastToldAt + this.limits.presenceSummaryMs - now;
    if (waitMs > 0) return { waitMs };
    const runs = [
      ...chunks([...this.joins.values()], budget).map((joins) => ({ joins })),
      ...chunks([...this.leaves.values()], budget).map((leaves) => ({ leaves })),
    ];
    this.joins.clear();
    this.leaves.clear();
    this.toldCount = memberCount;
    this.lastToldAt = now;
    const packet = { type: "presence", mode: "summary", memberCount } as const;
    return { packets: runs.length === 0 ? [packet] : runs.map((run) => ({ ...packet, ...run })) };
  }
}
