// A moderator's ban, confirmed. The member menu asks the room whom the ban would remove (a preview bans nothing);
// this dialog names every one of them — anonymous members who share the banned address go too — and only on the
// moderator's yes does the ban go out, confirming exactly those. Should the room find more to remove by then
// (someone joined from that address), it answers with a new preview, and the dialog asks again.

import type { Member, ModerationPacket, ServerPacket } from "../shared/protocol";
import { el } from "./dom";
import { verifiedMark } from "./verified-mark";

export interface BanDialogElements {
  dialog: HTMLDialogElement;
  title: HTMLElement;
  summary: HTMLElement;
  list: HTMLUListElement;
  confirm: HTMLButtonElement;
  cancel: HTMLButtonElement;
}

/** A length of ban the menu offers: `minutes` undefined is until lifted; `length` completes "Ban X …?". */
export interface BanChoice {
  minutes?: number;
  length: string;
}

type BanPreview = Extract<ServerPacket, { type: "ban_preview" }>;

export class BanDialog {
  /** The length asked for, by the target's id, until the room's preview comes back. */
  private readonly asked = new Map<number, BanChoice>();
  /** The ban the open dialog would send. */
  private shown: Extract<ModerationPacket, { type: "ban"; confirm?: number[] }> | undefined;

  constructor(
    private readonly ui: BanDialogElements,
    private readonly send: (packet: ModerationPacket) => void,
  ) {
    ui.confirm.addEventListener("click", () => {
      if (this.shown) this.send(this.shown);
      this.close();
    });
    ui.cancel.addEventListener("click", () => this.close());
    ui.dialog.addEventListener("close", () => (this.shown = undefined));
  }

  /** The moderator chose to ban member `id`: first, whom would that remove? */
  ask(id: number, choice: BanChoice): void {
    this.asked.set(id, choice);
    this.send({ type: "ban", id, preview: true });
  }

  /** The room's answer to a preview, or to a ban it found more to remove for. */
  preview(packet: BanPreview): void {
    const { target, removes } = packet;
    const choice = "id" in target ? this.asked.get(target.id) : undefined;
    if (!("id" in target) || !choice) return;
    this.asked.delete(target.id);
    this.shown = {
      type: "ban",
      id: target.id,
      ...(choice.minutes === undefined ? {} : { minutes: choice.minutes }),
      confirm: removes.map((member) => member.id),
    };
    const { dialog, title, summary, list } = this.ui;
    title.textContent = `Ban ${target.name} ${choice.length}?`;
    summary.textContent =
      removes.length > 1
        ? `This removes ${removes.length} members: anonymous members who share the banned address go too.`
        : "This removes:";
    list.replaceChildren(
      ...removes.map((member: Member) =>
        el("li", {}, [
          el("span", { className: "member-name", text: member.name, attrs: { dir: "auto" } }),
          ...verifiedMark(member),
        ]),
      ),
    );
    if (!dialog.open) dialog.showModal();
    this.ui.cancel.focus();
  }

  private close(): void {
    this.shown = undefined;
    if (this.ui.dialog.open) this.ui.dialog.close();
  }
}
