// Replies: the quote a reply shows above its text (a button that jumps to the original), and the bar above the
// composer that says what the next message answers until it is sent or the reply is cancelled (× or Escape).

import type { ChatMessage, Quote } from "../shared/protocol";
import { QUOTE_CHARS } from "../shared/protocol";
import { el } from "./dom";
import { DELETED_QUOTE, quoteText } from "./message-view";

/** The quote in a reply: who and what it answers. Pressing it goes to the original. */
export function quoteButton(quote: Quote, jump: (seq: number) => void): HTMLButtonElement {
  const text = quoteText(quote);
  const button = el(
    "button",
    {
      className: quote.deleted ? "quote deleted" : "quote",
      attrs: {
        type: "button",
        "aria-label": `In reply to ${quote.name}: ${text}. Go to the original message.`,
        title: "Go to the original message",
        "data-focus": "quote",
        "data-reply-to": String(quote.seq),
      },
    },
    [
      el("span", { className: "quote-name", text: quote.name, attrs: { dir: "auto" } }),
      el("span", { className: "quote-text", text, attrs: { dir: "auto" } }),
    ],
  );
  button.addEventListener("click", () => jump(quote.seq));
  return button;
}

export interface ReplyBarElements {
  bar: HTMLElement;
  name: HTMLElement;
  text: HTMLElement;
  cancel: HTMLButtonElement;
}

/** Above the composer: the message the next one answers. */
export class ReplyBar {
  private target: number | undefined;

  constructor(
    private readonly ui: ReplyBarElements,
    private readonly cancelled: () => void,
  ) {
    ui.cancel.addEventListener("click", () => {
      this.clear();
      this.cancelled();
    });
  }

  /** The seq of the message the next chat answers, if any. */
  get replyTo(): number | undefined {
    return this.target;
  }

  set(message: ChatMessage): void {
    this.target = message.seq;
    this.ui.name.textContent = message.sender.name;
    this.ui.text.textContent = message.deleted ? DELETED_QUOTE : cut(message.text);
    this.ui.bar.hidden = false;
  }

  /** The original was deleted meanwhile: the reply may still go, quoting a deleted message. */
  originalDeleted(seq: number): void {
    if (seq === this.target) this.ui.text.textContent = DELETED_QUOTE;
  }

  /** False if there was no reply to clear. */
  clear(): boolean {
    if (this.target === undefined) return false;
    this.target = undefined;
    this.ui.bar.hidden = true;
    this.ui.name.textContent = "";
    this.ui.text.textContent = "";
    return true;
  }
}

/** As much of a text as a quote holds, cut at a whole character. */
function cut(text: string): string {
  const chars = [...text];
  return chars.length > QUOTE_CHARS ? `${chars.slice(0, QUOTE_CHARS).join("")}…` : text;
}
