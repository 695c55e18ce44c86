// Who is in the room, kept up to date from the welcome and the join, leave and rename packets. A member the room
// verified (its token's) carries a mark; for a moderator, each other member has a menu to kick or ban it.

import type { Member, ModerationPacket } from "../shared/protocol";
import { el } from "./dom";

/** The lengths a moderator may ban for from the menu; undefined: until lifted. */
const BANS: [label: string, minutes: number | undefined][] = [["Ban 10 minutes", 10], ["Ban 1 day", 24 * 60], ["Ban until lifted", undefined]];

export class MemberList {
  private readonly members = new Map<number, Member>();
  private selfId: number | undefined;

  /** `counts`: every element that shows how many are here. `moderate`: for a moderator, what its menu sends. */
  constructor(
    private readonly list: HTMLUListElement,
    private readonly counts: HTMLElement[],
    private readonly moderate?: (packet: ModerationPacket) => void,
  ) {}

  reset(members: Member[], selfId: number): void {
    this.members.clear();
    for (const member of members) this.members.set(member.id, member);
    this.selfId = selfId;
    this.render();
  }

  /** More of a large room's list, a page at a time: one that joined meanwhile may be known already. */
  add(members: Member[]): void {
    for (const member of members) this.members.set(member.id, member);
    this.render();
  }

  /** False if the member was known already (our own join echoes the welcome). */
  join(member: Member): boolean {
    const isNew = !this.members.has(member.id);
    this.members.set(member.id, member);
    this.render();
    return isNew;
  }

  leave(id: number): void {
    this.members.delete(id);
    this.render();
  }

  rename(member: Member): void {
    this.members.set(member.id, member);
    this.render();
  }

  private render(): void {
    const sorted = [...this.members.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
    this.list.replaceChildren(...sorted.map((member) => {
      const self = member.id === this.selfId;
      return el("li", { className: self ? "member self" : "member", attrs: { "data-id": String(member.id) } }, [
        el("span", { className: "member-name", text: member.name, attrs: { dir: "auto" } }),
        ...verifiedMark(member),
        ...(self ? [el("span", { className: "you", text: "(you)" })] : []),
        ...(!self && this.moderate ? [this.menu(member)] : []),
      ]);
    }));
    for (const count of this.counts) count.textContent = String(this.members.size);
  }

  private menu(member: Member): HTMLElement {
    const action = (label: string, packet: ModerationPacket) => {
      const button = el("button", { className: "quiet", text: label, attrs: { type: "button" } });
      button.addEventListener("click", () => this.moderate?.(packet));
      return button;
    };
    return el("details", { className: "moderate" }, [
      el("summary", { text: "⋯", attrs: { "aria-label": `Moderate ${member.name}`, title: "Moderate" } }),
      action("Kick", { type: "kick", id: member.id }),
      ...BANS.map(([label, minutes]) =>
        action(label, minutes === undefined ? { type: "ban", id: member.id } : { type: "ban", id: member.id, minutes })),
    ]);
  }
}

/**
 * The mark of a member the room verified. It is an element of its own, drawn from `verified`, never from the name:
 * an anonymous "Alice ✓" shows a check mark in its name's text, and no mark.
 */
export function verifiedMark(member: Member): HTMLElement[] {
  if (!member.verified) return [];
  const label = `verified user ${member.user ?? ""}`.trim();
  return [el("span", { className: "verified", text: "✓", attrs: { title: label, "aria-label": label, role: "img" } })];
}
