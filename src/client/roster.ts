// Who is in the room, as the connection has heard it: the welcome's members, the pages of a large room's list that
// follow it (member-pages.ts), then joins, leaves and renames, and each member's state as the room's signals change
// it. Kept by id, in the order they joined (the order of their ids: a member heard of late, a page's after a join,
// takes its place); a member heard of twice (in a page and in a join, or our own join after the welcome listed us)
// is one member.
//
// It counts the room too (rule `occupancy`, clients/spec): the welcome's memberCount, which a large room's list does
// not reach until its pages are in, then one more per join and one fewer per leave. Our own join, which the room
// tells us after the welcome, was counted in it already.
//
// A room past its presenceListMax tells presence in summary (rule `presence-summary`): then the list holds only the
// members near us (the welcome's, or a switch's; moderators who join; members who speak) and the count is the
// room's, as each `presence` packet says it.

import type { MemberState, PresenceMode, RosterMember, Sender } from "../shared/protocol";
import type { PresencePacket } from "./connection-events";

export class Roster {
  private byId = new Map<number, RosterMember>();
  private selfId: number | undefined;
  private counted = 0;
  private mode: PresenceMode = "list";

  /** Everyone known, in the order they joined. */
  get members(): RosterMember[] {
    return [...this.byId.values()];
  }

  /** How many members the room has, us included (0 before the first welcome). */
  get count(): number {
    return this.counted;
  }

  /** How the room tells its presence: every member ("list"), or a count and the near members ("summary"). */
  get presence(): PresenceMode {
    return this.mode;
  }

  get(id: number): RosterMember | undefined {
    return this.byId.get(id);
  }

  /** A welcome starts the list over: it is the room as of this join. */
  reset(members: RosterMember[], memberCount: number, selfId: number, presence: PresenceMode): void {
    this.byId.clear();
    this.selfId = selfId;
    this.counted = memberCount;
    this.mode = presence;
    this.add(members);
  }

  /** Adds the members not listed yet, each at its place by id; those it added. */
  add(members: RosterMember[]): RosterMember[] {
    const added = members.filter((member) => !this.byId.has(member.id));
    let lastId = [...this.byId.keys()].at(-1) ?? 0;
    let inOrder = true;
    for (const member of added) {
      inOrder &&= member.id > lastId;
      lastId = Math.max(lastId, member.id);
      this.byId.set(member.id, member);
    }
    // Joins and the pages after the last id come in order; a page of earlier ids (the list paged again from the
    // start, a speaker heard of in summary) is sorted in.
    if (!inOrder) this.byId = new Map([...this.byId].sort(([a], [b]) => a - b));
    return added;
  }

  /** Applies a join, leave, rename or presence packet. */
  apply(packet: PresencePacket): void {
    switch (packet.type) {
      case "join":
        return this.joined([memberOf(packet)]);
      case "joins":
        return this.joined(packet.members);
      case "leave":
        return this.left([packet.id]);
      case "leaves":
        return this.left(packet.members.map((member) => member.id));
      case "presence":
        return this.summarized(packet);
      case "rename": {
        // A rename keeps the member's place in the list, and its state.
        const known = this.byId.get(packet.id);
        if (known) this.byId.set(packet.id, { ...known, name: packet.name });
      }
    }
  }

  /**
   * In summary presence, the sender of a chat heard live is near: listed if it was not (the room tells its leave).
   * The member added, if it was; never the room's own voice.
   */
  spoke(sender: Sender): RosterMember | undefined {
    if (this.mode !== "summary" || sender.system) return undefined;
    return this.add([sender])[0];
  }

  /** A member's whole new state (`{}`: none); the member as it is now, or undefined if it is not known. */
  setState(id: number, state: MemberState): RosterMember | undefined {
    const known = this.byId.get(id);
    if (!known) return undefined;
    // The list says no state by leaving it out, as the room does; what the token vouched for stays vouched.
    const { state: _old, ...rest } = known;
    const member: RosterMember = Object.keys(state).length > 0 ? { ...rest, state } : rest;
    this.byId.set(id, member);
    return member;
  }

  private joined(members: RosterMember[]): void {
    this.counted += members.filter((member) => member.id !== this.selfId).length;
    this.add(members);
  }

  private left(ids: number[]): void {
    this.counted -= ids.length;
    for (const id of ids) this.byId.delete(id);
  }

  /**
   * A `presence` packet: the room's mode and count now. A switch to summary brings the near members, which replace
   * the list (we stay: we are near ourselves); then the near members who came and went, none of them counted (the
   * count is the packet's). Back in list presence the list stays until its pages come (member-pages.ts).
   */
  private summarized(packet: Extract<PresencePacket, { type: "presence" }>): void {
    this.mode = packet.mode;
    this.counted = packet.memberCount;
    if (packet.members) {
      const self = this.selfId === undefined ? undefined : this.byId.get(this.selfId);
      this.byId.clear();
      this.add(self ? [...packet.members, self] : packet.members);
    }
    this.add(packet.joins ?? []);
    for (const { id } of packet.leaves ?? []) this.byId.delete(id);
  }
}

/** The member a join packet carries, without its `type`. */
function memberOf({ type: _type, ...member }: Extract<PresencePacket, { type: "join" }>): RosterMember {
  return member;
}
