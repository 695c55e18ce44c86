// Everyone in a room too large to list (summary presence), on request: "Show all members" asks the room for the
// first page of its whole list, "More members" for the next, while it has more. The pages are a snapshot the reader
// asked for, kept apart from the member list (which shows the members near us); names go in as text, never as HTML.

import type { PresenceMode, RosterMember } from "../shared/protocol";
import { el } from "./dom";

export interface MemberPagerElements {
  /** "Show all members": opens (and closes) the pages. */
  toggle: HTMLButtonElement;
  panel: HTMLElement;
  list: HTMLUListElement;
  more: HTMLButtonElement;
}

export class MemberPager {
  private open = false;

  /** `load`: asks the room for a page (the connection's `loadMembers`); false if it cannot now. */
  constructor(
    private readonly ui: MemberPagerElements,
    private readonly load: (fromStart: boolean) => boolean,
  ) {
    ui.toggle.addEventListener("click", () => (this.open ? this.close() : this.start()));
    ui.more.addEventListener("click", () => {
      if (this.load(false)) ui.more.disabled = true;
    });
  }

  /** Offered only in summary presence: in list presence the member list is everyone already. */
  presence(mode: PresenceMode): void {
    this.ui.toggle.hidden = mode !== "summary";
    if (mode !== "summary") this.close();
  }

  /** A page the room sent for us. */
  page(members: RosterMember[], more: boolean): void {
    if (!this.open) return;
    this.ui.list.append(
      ...members.map((member) =>
        el("li", { className: "member", attrs: { "data-id": String(member.id) } }, [
          el("span", { className: "member-name", text: member.name, attrs: { dir: "auto" } }),
        ]),
      ),
    );
    this.ui.more.hidden = !more;
    this.ui.more.disabled = false;
  }

  private start(): void {
    this.open = true;
    this.ui.list.replaceChildren();
    this.ui.panel.hidden = false;
    this.ui.more.hidden = true;
    this.ui.toggle.textContent = "Hide all members";
    this.ui.toggle.setAttribute("aria-expanded", "true");
    this.load(true);
  }

  private close(): void {
    this.open = false;
    this.ui.panel.hidden = true;
    this.ui.toggle.textContent = "Show all members";
    this.ui.toggle.setAttribute("aria-expanded", "false");
  }
}
