// Who is in the room, kept up to date from the welcome and the join, leave and rename packets, and each member's
// status as its state changes; with the room's count. In a room too large to list (summary presence) the list holds
// the members near us (moderators, those who spoke, us), and says so; everyone is a page away (member-pager.ts). A member the room verified (its token's) carries a mark; for a moderator, each
// other member has a menu to kick, ban or mute it, and to lift a mute this page made (the room's answer says whom
// it refuses: what an unmute takes). While offline nothing keeps it up to date, so it says so until the next
// welcome brings the list afresh.

import type { Member, PresenceMode, RosterMember, ServerPacket } from "../shared/protocol";
import type { BanChoice } from "./ban-dialog";
import { el } from "./dom";
import { statusText } from "./live-text";
import type { ModeratorPacket } from "./moderation-actions";
import { verifiedMark } from "./verified-mark";

/** The lengths a moderator may ban for from the menu. */
const BANS: [label: string, choice: BanChoice][] = [
  ["Ban 10 minutes", { minutes: 10, length: "for 10 minutes" }],
  ["Ban 1 day", { minutes: 24 * 60, length: "for 1 day" }],
  ["Ban until lifted", { length: "until the ban is lifted" }],
];

/** The lengths a moderator may mute for from the menu (minutes; none: until lifted). */
const MUTES: [label: string, minutes: number | undefined][] = [
  ["Mute 10 minutes", 10],
  ["Mute 1 hour", 60],
  ["Mute until lifted", undefined],
];

/** What a moderator's menu does: sends a kick or a mute, and asks to ban (which is confirmed first, ban-dialog.ts). */
export interface Moderation {
  send(packet: ModeratorPacket): void;
  ban(id: number, choice: BanChoice): void;
}

export interface MemberListElements {
  /** The panel: `data-stale` on it says whether the list is out of date. */
  panel: HTMLElement;
  list: HTMLUListElement;
  /** Every element that shows how many are here. */
  counts: HTMLElement[];
  /** Says the list is out of date; hidden while it is not. */
  staleNote: HTMLElement;
  /** Says the list holds the members near us (summary presence); hidden in list presence. */
  nearNote: HTMLElement;
}

export class MemberList {
  private readonly members = new Map<number, RosterMember>();
  private readonly list: HTMLUListElement;
  private selfId: number | undefined;
  /** How many the room has, as the connection counts them (more than the list holds, in summary presence). */
  private total = 0;
  /** The members this page muted, by id: the user the room's answer named, which an unmute takes. */
  private readonly mutedUsers = new Map<number, string>();

  /** `moderate`: for a moderator, what its menu does. */
  constructor(
    private readonly ui: MemberListElements,
    private readonly moderate?: Moderation,
  ) {
    this.list = ui.list;
    this.setStale(false);
  }

  /** The welcome's list: the whole truth as of now. */
  reset(members: RosterMember[], selfId: number): void {
    this.selfId = selfId;
    this.setStale(false);
    this.replace(members);
  }

  /** The list as the connection has it now (a switch to summary presence brings the near members). */
  replace(members: RosterMember[]): void {
    this.members.clear();
    for (const member of members) this.members.set(member.id, member);
    this.render();
  }

  /** The room's count, and how it tells its presence. */
  setCount(count: number, presence: PresenceMode): void {
    this.total = count;
    this.ui.nearNote.hidden = presence !== "summary";
    this.showCount();
  }

  /** Offline: joins and leaves go unheard, so the list may be wrong until the next `reset`. */
  setStale(stale: boolean): void {
    // Before the first welcome there is no list to be out of date.
    const shown = stale && this.selfId !== undefined;
    this.ui.panel.dataset.stale = String(shown);
    this.ui.staleNote.hidden = !shown;
  }

  /** More of a large room's list, a page at a time: one that joined meanwhile may be known already. */
  add(members: RosterMember[]): void {
    for (const member of members) this.members.set(member.id, member);
    this.render();
  }

  /** False if the member was known already (our own join echoes the welcome). */
  join(member: RosterMember): boolean {
    const isNew = !this.members.has(member.id);
    this.members.set(member.id, member);
    this.render();
    return isNew;
  }

  leave(id: number): void {
    this.members.delete(id);
    this.render();
  }

  /** A new name keeps the member's state. */
  rename(member: Member): void {
    const known = this.members.get(member.id);
    this.members.set(member.id, known ? { ...known, name: member.name } : member);
    this.render();
  }

  /** A member's new state (the connection's `state` event): it is the whole member as the connection has it. */
  update(member: RosterMember): void {
    if (!this.members.has(member.id)) return;
    this.members.set(member.id, member);
    this.render();
  }

  /** The room's answer to our mute or unmute: the member shows as muted, with Unmute in its menu, or no longer. */
  mutedAnswer(packet: Extract<ServerPacket, { type: "muted" | "unmuted" }>): void {
    if (packet.type === "muted" && packet.id !== undefined) this.mutedUsers.set(packet.id, packet.user);
    if (packet.type === "unmuted") {
      for (const [id, user] of this.mutedUsers) if (user === packet.user) this.mutedUsers.delete(id);
    }
    this.render();
  }

  private render(): void {
    const sorted = [...this.members.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
    this.list.replaceChildren(
      ...sorted.map((member) => {
        const self = member.id === this.selfId;
        const status = statusText(member);
        return el("li", { className: self ? "member self" : "member", attrs: { "data-id": String(member.id) } }, [
          el("span", { className: "member-name", text: member.name, attrs: { dir: "auto" } }),
          ...verifiedMark(member),
          ...(self ? [el("span", { className: "you", text: "(you)" })] : []),
          ...(this.mutedUsers.has(member.id) ? [el("span", { className: "muted-mark", text: "(muted)" })] : []),
          // What the member says of itself, as text; the whole of it on hover, should it have been cut.
          ...(status === undefined
            ? []
            : [
                el("span", {
                  className: "member-status",
                  text: status,
                  attrs: { dir: "auto", title: fullStatus(member) },
                }),
              ]),
          ...(!self && this.moderate ? [this.menu(member)] : []),
        ]);
      }),
    );
    this.showCount();
  }

  private showCount(): void {
    for (const count of this.ui.counts) count.textContent = this.total.toLocaleString();
  }

  private menu(member: Member): HTMLElement {
    const action = (label: string, act: () => void) => {
      const button = el("button", { className: "quiet", text: label, attrs: { type: "button" } });
      button.addEventListener("click", () => {
        // The choice is made: the menu folds, whatever comes of it (a ban asks for confirmation first).
        menu.open = false;
        act();
      });
      return button;
    };
    const menu = el("details", { className: "moderate" }, [
      el("summary", { text: "⋯", attrs: { "aria-label": `Moderate ${member.name}`, title: "Moderate" } }),
      action("Kick", () => this.moderate?.send({ type: "kick", id: member.id })),
      ...BANS.map(([label, choice]) => action(label, () => this.moderate?.ban(member.id, choice))),
      ...this.muteActions(member, action),
    ]);
    return menu;
  }

  /** Mute for a while, or lift the mute this page made. */
  private muteActions(member: Member, action: (label: string, act: () => void) => HTMLButtonElement): HTMLElement[] {
    const user = this.mutedUsers.get(member.id);
    if (user !== undefined) return [action("Unmute", () => this.moderate?.send({ type: "unmute", user }))];
    return MUTES.map(([label, minutes]) =>
      action(label, () => this.moderate?.send({ type: "mute", id: member.id, ...(minutes && { minutes }) })),
    );
  }
}

/** A member's status whole, for the hover of one cut short. */
const fullStatus = (member: RosterMember): string => String(member.state?.status ?? "").trim();
