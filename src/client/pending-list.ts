// Messages the user sent that the room has not echoed yet, shown where they will appear (after the conversation),
// marked pending, until their echo arrives: then the echo takes their place as the real message, and the pending
// copy goes. Typed offline, refused for going too fast, or on their way: all wait here alike.
//
// The seam with the connection: a pending message is confirmed by the `messages` event that brings its echo.
// Today an echo is recognized as the connection's send queue recognizes it (send-queue.ts `confirm`): one of our
// own memberships sent it, with the same text, oldest first. Once chats carry a client id (`cid`), `confirm`
// matches on that instead, and nothing else here changes.

import type { ChatMessage, Sender } from "../shared/protocol";
import { el } from "./dom";

/** What a pending message says of itself, by the connection's state. */
export type PendingState = "sending" | "waiting" | "stopped";

const LABELS: Record<PendingState, string> = {
  sending: "Sending…",
  waiting: "Not sent yet: it goes out when the connection is back",
  stopped: "Not sent",
};

export class PendingList {
  private state: PendingState = "waiting";

  /** `sentHere`: whether a sender is one of this page's own memberships (not another tab of the same user). */
  constructor(
    private readonly list: HTMLOListElement,
    private readonly sentHere: (sender: Sender) => boolean,
  ) {}

  add(text: string): void {
    const item = el("li", { className: "message own pending", attrs: { "aria-label": `Pending: ${text}` } }, [
      el("div", { className: "meta" }, [el("span", { className: "pending-state", text: LABELS[this.state] })]),
      el("p", { className: "text", text, attrs: { dir: "auto" } }),
    ]);
    item.dataset.text = text;
    this.list.append(item);
  }

  /** Messages arrived: each echo of ours retires the oldest pending message it answers. */
  confirm(messages: ChatMessage[]): void {
    for (const message of messages) {
      if (!this.sentHere(message.sender)) continue;
      const items = this.list.querySelectorAll<HTMLElement>("li.pending");
      const match = [...items].find((item) => item.dataset.text === message.text);
      match?.remove();
    }
  }

  /** The room refused a chat of ours for good: its pending copy goes (its text is back in the box). */
  refused(text: string): void {
    [...this.list.querySelectorAll<HTMLElement>("li.pending")].find((item) => item.dataset.text === text)?.remove();
  }

  setState(state: PendingState): void {
    this.state = state;
    for (const label of this.list.querySelectorAll(".pending-state")) label.textContent = LABELS[state];
  }
}
