// Who is in the room, as the connection has heard it: the welcome's members, the pages of a large room's list that
// follow it (member-pages.ts), then joins, leaves and renames, and each member's state as the room's signals change
// it. Kept by id, in the order they joined; a member heard of twice (in a page and in a join, or our own join after
// the welcome listed us) is one member.
//
// It counts the room too (rule `occupancy`, clients/spec): the welcome's memberCount, which a large room's list does
// not reach until its pages are in, then one more per join and one fewer per leave. Our own join, which the room
// tells us after the welcome, was counted in it already.

import type { MemberState, RosterMember } from "../shared/protocol";
import type { PresencePacket } from "./connection-events";

export class Roster {
  private readonly byId = new Map<number, RosterMember>();
  private selfId: number | undefined;
  private counted = 0;

  /** Everyone known, in the order they joined. */
  get members(): RosterMember[] {
    return [...this.byId.values()];
  }

  /** How many members the room has, us included (0 before the first welcome). */
  get count(): number {
    return this.counted;
  }

  get(id: number): RosterMember | undefined {
    return this.byId.get(id);
  }

  /** A welcome starts the list over: it is the room as of this join. */
  reset(members: RosterMember[], memberCount: number, selfId: number): void {
    this.byId.clear();
    this.selfId = selfId;
    this.counted = memberCount;
    this.add(members);
  }

  add(members: RosterMember[]): void {
    for (const member of members) if (!this.byId.has(member.id)) this.byId.set(member.id, member);
  }

  /** Applies a join, leave or rename. */
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
      case "rename": {
        // A rename keeps the member's place in the list, and its state.
        const known = this.byId.get(packet.id);
        if (known) this.byId.set(packet.id, { ...known, name: packet.name });
      }
    }
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
}

/** The member a join packet carries, without its `type`. */
function memberOf({ type: _type, ...member }: Extract<PresencePacket, { type: "join" }>): RosterMember {
  return member;
}
