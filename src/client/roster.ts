// Who is in the room, as the connection has heard it: the welcome's members, the pages of a large room's list that
// follow it (member-pages.ts), then joins, leaves and renames. Kept by id, in the order they joined; a member heard
// of twice (in a page and in a join, or our own join after the welcome listed us) is one member.

import type { Member } from "../shared/protocol";
import type { PresencePacket } from "./connection-events";

export class Roster {
  private readonly byId = new Map<number, Member>();

  /** Everyone known, in the order they joined. */
  get members(): Member[] {
    return [...this.byId.values()];
  }

  /** A welcome starts the list over: it is the room as of this join. */
  reset(members: Member[]): void {
    this.byId.clear();
    this.add(members);
  }

  add(members: Member[]): void {
    for (const member of members) if (!this.byId.has(member.id)) this.byId.set(member.id, member);
  }

  /** Applies a join, leave or rename. */
  apply(packet: PresencePacket): void {
    switch (packet.type) {
      case "join":
        return this.add([memberOf(packet)]);
      case "joins":
        return this.add(packet.members);
      case "leave":
        return void this.byId.delete(packet.id);
      case "leaves":
        for (const member of packet.members) this.byId.delete(member.id);
        return;
      case "rename": {
        // A rename keeps the member's place in the list.
        const known = this.byId.get(packet.id);
        if (known) this.byId.set(packet.id, { ...known, name: packet.name });
      }
    }
  }
}

/** The member a join packet carries, without its `type`. */
function memberOf({ type: _type, ...member }: Extract<PresencePacket, { type: "join" }>): Member {
  return member;
}
