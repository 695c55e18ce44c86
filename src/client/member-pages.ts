// Pages of the room's member list, asked for with `members` (after an id, in the order they joined), paced like
// everything the connection sends, one at a time. Two readers ask for them:
// - the list (roster.ts) in list presence: a welcome lists the room's first `membersPageMax` members, and while the
//   room has more (`memberCount`) the rest come a page at a time; back in list presence after summary, the whole
//   list comes again from the start. Joins and leaves meanwhile arrive as presence as usual: a member may then be
//   in a page and in a join both, which the list takes as one (by id). In summary presence the list pages nothing.
// - the app (`loadMembers`): in either presence, the page after the last it was answered, told to it and never
//   merged into the list (in summary nothing would take a paged member out again). The list's pages go first.

import type { NativeClientPacket, ServerPacket } from "../shared/protocol";

/** Who a page is for. */
export type PageReader = "list" | "app";

/** A reader's place in the list: the id of the last member it was answered, and whether it wants the next page. */
interface Cursor {
  after: number;
  wanted: boolean;
}

export class MemberPages {
  private readonly list: Cursor = { after: 0, wanted: false };
  private readonly app: Cursor = { after: 0, wanted: false };
  /** Whether the app's last page said the room has no more. */
  private appAtEnd = false;
  /** The reader of the page on its way, if one is. */
  private asked: PageReader | undefined;
  /** Whether the list pages at all: not in summary presence. */
  private listPages = true;
  /** The list asked to start over while one of its pages was on its way: that page moves the cursor no more. */
  private listRestarted = false;

  /** A welcome came: the list wants the members after those it lists, if it does not list them all (list presence). */
  start(welcome: Extract<ServerPacket, { type: "welcome" }>): void {
    this.list.after = welcome.members.at(-1)?.id ?? 0;
    this.list.wanted = welcome.members.length < welcome.memberCount;
    this.listPages = welcome.presence !== "summary";
    this.asked = undefined;
    this.listRestarted = false;
  }

  /** The room is in summary presence now: the list pages nothing, and a page of it on its way will be dropped. */
  summary(): void {
    this.listPages = false;
  }

  /** The room is back in list presence: the list is paged again, whole, from the start. */
  restartList(): void {
    this.list.after = 0;
    this.list.wanted = true;
    this.listPages = true;
    this.listRestarted = this.asked === "list";
  }

  /**
   * The app asks for the next page (`fromStart`: the first again); false if one is on its way, or wanted, or the
   * last said there is no more.
   */
  load(fromStart: boolean): boolean {
    if (this.app.wanted || this.asked === "app" || (this.appAtEnd && !fromStart)) return false;
    if (fromStart) this.app.after = 0;
    this.app.wanted = true;
    return true;
  }

  /** The request to send next, if a page is wanted and none is on its way: the list's first. */
  nextRequest(limit: number | undefined): NativeClientPacket | undefined {
    const cursor = this.nextReader();
    if (!cursor) return undefined;
    const { after } = this[cursor];
    return limit === undefined ? { type: "members", after } : { type: "members", after, limit };
  }

  requested(): void {
    this.asked = this.nextReader();
  }

  /** A page came: who it is for (the list's when none was asked: it is the list's paging that asks by itself). */
  received(page: Extract<ServerPacket, { type: "members" }>): PageReader {
    const reader = this.asked ?? "list";
    this.asked = undefined;
    const cursor = this[reader];
    if (reader === "list" && this.listRestarted) {
      this.listRestarted = false;
      return reader;
    }
    cursor.after = page.members.at(-1)?.id ?? cursor.after;
    cursor.wanted = reader === "list" ? page.more : false;
    if (reader === "app") this.appAtEnd = !page.more;
    return reader;
  }

  /** The request was refused (rate limit) or its connection dropped: ask again (the app's after a rejoin too). */
  lost(): void {
    this.asked = undefined;
    this.listRestarted = false;
  }

  private nextReader(): PageReader | undefined {
    if (this.asked) return undefined;
    if (this.listPages && this.list.wanted) return "list";
    return this.app.wanted ? "app" : undefined;
  }
}
