// The rest of a large room's member list. A welcome lists the room's first `membersPageMax` members; when the room
// has more (`memberCount`), the connection asks for them a page at a time (`members`, after the last id it has),
// paced like everything it sends. Joins and leaves meanwhile arrive as presence as usual: a member may then be
// in a page and in a join both, which the list takes as one (by id).

import type { Member, NativeClientPacket, ServerPacket } from "../shared/protocol";

export class MemberPages {
  /** The id of the last member listed so far. */
  private after = 0;
  private wanted = false;
  private asked = false;

  /** A welcome came: wants the members after those it lists, if it does not list them all. */
  start(welcome: Extract<ServerPacket, { type: "welcome" }>): void {
    this.after = welcome.members.at(-1)?.id ?? 0;
    this.wanted = welcome.members.length < welcome.memberCount;
    this.asked = false;
  }

  /** The request to send next, if a page is wanted and none is on its way. */
  nextRequest(limit: number | undefined): NativeClientPacket | undefined {
    if (!this.wanted || this.asked) return undefined;
    return limit === undefined ? { type: "members", after: this.after } : { type: "members", after: this.after, limit };
  }

  requested(): void {
    this.asked = true;
  }

  /** A page came: the members it adds. */
  received(page: Extract<ServerPacket, { type: "members" }>): Member[] {
    this.after = page.members.at(-1)?.id ?? this.after;
    this.wanted = page.more;
    this.asked = false;
    return page.members;
  }

  /** The request was refused (rate limit) or its connection dropped: ask again. A rejoin starts over anyway. */
  lost(): void {
    this.asked = false;
  }
}
