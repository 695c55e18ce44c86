// Who is in the room, kept up to date from the welcome and the join, leave and rename packets.

import type { Member } from "../shared/protocol";
import { el } from "./dom";

export class MemberList {
  private readonly members = new Map<number, string>();
  private selfId: number | undefined;

  /** `counts`: every element that shows how many are here. */
  constructor(private readonly list: HTMLUListElement, private readonly counts: HTMLElement[]) {}

  reset(members: Member[], selfId: number): void {
    this.members.clear();
    for (const member of members) this.members.set(member.id, member.name);
    this.selfId = selfId;
    this.render();
  }

  /** False if the member was known already (our own join echoes the welcome). */
  join(member: Member): boolean {
    const isNew = !this.members.has(member.id);
    this.members.set(member.id, member.name);
    this.render();
    return isNew;
  }

  leave(id: number): void {
    this.members.delete(id);
    this.render();
  }

  rename(member: Member): void {
    this.members.set(member.id, member.name);
    this.render();
  }

  private render(): void {
    const sorted = [...this.members].sort(([idA, a], [idB, b]) => a.localeCompare(b) || idA - idB);
    this.list.replaceChildren(...sorted.map(([id, name]) => {
      const self = id === this.selfId;
      return el("li", { className: self ? "member self" : "member" }, [
        el("span", { className: "member-name", text: name, attrs: { dir: "auto" } }),
        ...(self ? [el("span", { className: "you", text: "(you)" })] : []),
      ]);
    }));
    for (const count of this.counts) count.textContent = String(this.members.size);
  }
}
