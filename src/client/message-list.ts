// The conversation: messages in sequence order, with quiet system lines among them. While the reader is at the
// bottom, the view stays pinned to the newest message, through new messages and through resizes (a phone turned,
// a window narrowed); scrolled up, nothing moves under them and a button offers the new messages instead. Getting
// near the top asks for older history.

import type { ChatMessage, Member } from "../shared/protocol";
import type { MessageOrigin } from "./connection-events";
import { el } from "./dom";
import { messageNodes } from "./message-text";
import { fullTime, shortTime } from "./time-format";
import { verifiedMark } from "./verified-mark";

/** Within this many pixels of the bottom counts as "at the bottom": a fraction of a line is not scrolling up. */
const BOTTOM_SLACK = 48;
/** Older history is asked for this many pixels before the top, so it is usually there before the reader is. */
const TOP_PRELOAD = 400;
/** Messages from one sender this close together form one block. */
const CONTINUATION_MS = 5 * 60_000;
/** Screen readers hear each new message up to this many at once, and a count beyond. */
const ANNOUNCE_EACH = 3;

export interface MessageListElements {
  scroller: HTMLElement;
  list: HTMLOListElement;
  newMessages: HTMLButtonElement;
  loadOlder: HTMLButtonElement;
  historyStart: HTMLElement;
  announcer: HTMLElement;
}

export interface MessageListOptions {
  isOwn(sender: Member): boolean;
  /** The reader's name now: mentions of it are marked. */
  selfName(): string | undefined;
  wantOlder(): void;
  /** For a moderator: each message gets a button that asks to delete it. */
  deleteMessage?(seq: number): void;
}

const DELETED_TEXT = "message deleted";

export class MessageList {
  private unread = 0;
  private olderMore = false;
  private olderLoading = false;
  /**
   * Whether the reader was at the bottom as of the last scroll. A resize moves the bottom away without a scroll
   * event, so after one this says where the reader was, not `atBottom()`.
   */
  private pinned = true;

  constructor(
    private readonly ui: MessageListElements,
    private readonly options: MessageListOptions,
  ) {
    ui.scroller.addEventListener("scroll", () => this.onScroll(), { passive: true });
    // The scroller resizes with the window; the content reflows with it (or as fonts load).
    const resized = new ResizeObserver(() => this.pinned && this.scrollToBottom());
    resized.observe(ui.scroller);
    resized.observe(ui.list);
    ui.newMessages.addEventListener("click", () => {
      this.scrollToBottom();
      ui.scroller.focus();
    });
    ui.loadOlder.addEventListener("click", () => options.wantOlder());
  }

  add(messages: ChatMessage[], origin: MessageOrigin): void {
    const isNew = origin === "live" || origin === "gap";
    const fromOthers = isNew ? messages.filter((message) => !this.options.isOwn(message.sender)) : [];
    this.insert(
      messages.map((message) => this.render(message)),
      fromOthers.length,
    );
    // Whoever just sent a message wants to see it, wherever they had scrolled to.
    if (origin === "recent" || (isNew && fromOthers.length < messages.length)) this.scrollToBottom();
    this.announce(fromOthers);
  }

  /** A system line (join, leave, rename…): at the newest end, or right after message `afterSeq`. */
  notice(text: string, afterSeq: number = Math.floor(this.lastKey())): void {
    // Between message afterSeq and the next one, behind the system lines already there.
    this.insert([el("li", { className: "notice", text, attrs: { "data-key": String(afterSeq + 0.5) } })], 0);
  }

  /** A moderator deleted message `seq`: its text goes from the page too. */
  markDeleted(seq: number): void {
    const item = this.ui.list.querySelector<HTMLElement>(`li.message[data-seq="${seq}"]`);
    if (!item) return;
    item.classList.add("deleted");
    item.querySelector(".text")?.replaceChildren(DELETED_TEXT);
    item.querySelector(".delete")?.remove();
  }

  /** Marks where messages are missing for good: right after `afterSeq`. */
  missing(afterSeq: number): void {
    this.notice("Some messages sent while you were away are no longer kept by the room.", afterSeq);
  }

  clear(): void {
    this.ui.list.replaceChildren();
    this.unread = 0;
    this.showUnread();
  }

  setOlder(more: boolean, loading: boolean): void {
    this.olderMore = more;
    this.olderLoading = loading;
    const { loadOlder, historyStart, scroller } = this.ui;
    loadOlder.hidden = !more;
    loadOlder.disabled = loading;
    loadOlder.textContent = loading ? "Loading older messages…" : "Load older messages";
    historyStart.hidden = more;
    // Until the messages fill the view there is nothing to scroll, so no scroll would ever ask for more.
    if (more && !loading && scroller.scrollHeight <= scroller.clientHeight) this.options.wantOlder();
  }

  scrollToBottom(): void {
    this.ui.scroller.scrollTop = this.ui.scroller.scrollHeight;
    this.pinned = true;
    this.unread = 0;
    this.showUnread();
  }

  // -------------------------------------------------------------------------------------------------------------

  /** `unread`: how many of the items are news to a reader scrolled up. */
  private insert(items: HTMLLIElement[], unread: number): void {
    const { list, scroller } = this.ui;
    const pinned = this.atBottom();
    // Whatever the reader looks at stays where it is on screen, wherever the new items go.
    const anchor = pinned ? undefined : this.topVisible();
    const anchorTop = anchor?.getBoundingClientRect().top ?? 0;

    const first = list.firstElementChild as HTMLElement | null;
    if (first && items.every((item) => keyOf(item) < keyOf(first))) {
      list.prepend(...items); // a page of older history: one move instead of a search per message
    } else {
      for (const item of items) this.place(item);
    }

    for (const item of items) {
      markContinuation(item);
      markContinuation(item.nextElementSibling);
    }

    if (pinned) {
      this.scrollToBottom();
      return;
    }
    if (anchor) scroller.scrollTop += anchor.getBoundingClientRect().top - anchorTop;
    if (unread > 0) {
      this.unread += unread;
      this.showUnread();
    }
  }

  /** Puts an item after the last one whose key is not greater: newest messages land at the end at once. */
  private place(item: HTMLLIElement): void {
    const key = keyOf(item);
    let before = this.ui.list.lastElementChild as HTMLElement | null;
    while (before && keyOf(before) > key) before = before.previousElementSibling as HTMLElement | null;
    if (before) before.after(item);
    else this.ui.list.prepend(item);
  }

  private onScroll(): void {
    this.pinned = this.atBottom();
    if (this.unread > 0 && this.atBottom()) {
      this.unread = 0;
      this.showUnread();
    }
    if (this.olderMore && !this.olderLoading && this.ui.scroller.scrollTop < TOP_PRELOAD) this.options.wantOlder();
  }

  private atBottom(): boolean {
    const { scrollHeight, scrollTop, clientHeight } = this.ui.scroller;
    return scrollHeight - scrollTop - clientHeight <= BOTTOM_SLACK;
  }

  private topVisible(): HTMLElement | undefined {
    const top = this.ui.scroller.getBoundingClientRect().top;
    for (const item of this.ui.list.children) {
      if (item.getBoundingClientRect().bottom > top) return item as HTMLElement;
    }
    return undefined;
  }

  private lastKey(): number {
    const last = this.ui.list.lastElementChild as HTMLElement | null;
    return last ? keyOf(last) : 0;
  }

  private showUnread(): void {
    const { newMessages } = this.ui;
    newMessages.hidden = this.unread === 0;
    newMessages.textContent = `${this.unread} new message${this.unread === 1 ? "" : "s"} ↓`;
  }

  private announce(messages: ChatMessage[]): void {
    if (messages.length === 0) return;
    const lines =
      messages.length > ANNOUNCE_EACH
        ? [`${messages.length} new messages`]
        : messages.map((message) => `${message.sender.name}: ${message.deleted ? DELETED_TEXT : message.text}`);
    const { announcer } = this.ui;
    announcer.append(...lines.map((line) => el("span", { text: line })));
    // Only additions are read out; old lines are dead weight.
    while (announcer.childElementCount > 10) announcer.firstElementChild?.remove();
  }

  private render(message: ChatMessage): HTMLLIElement {
    const own = this.options.isOwn(message.sender);
    const { deleteMessage } = this.options;
    const meta = el("div", { className: "meta" }, [
      // dir="auto" isolates what members wrote: a right-to-left name or text cannot reorder the line around it.
      el("span", { className: "sender", text: message.sender.name, attrs: { dir: "auto" } }),
      ...verifiedMark(message.sender),
      ...(own ? [el("span", { className: "you", text: "(you)" })] : []),
      el("time", {
        text: shortTime(message.ts),
        attrs: { datetime: new Date(message.ts).toISOString(), title: fullTime(message.ts) },
      }),
    ]);
    const seq = String(message.seq);
    const attrs = {
      "data-key": seq,
      "data-seq": seq,
      "data-sender": String(message.sender.id),
      "data-ts": String(message.ts),
    };
    const className = ["message", ...(own ? ["own"] : []), ...(message.deleted ? ["deleted"] : [])].join(" ");
    return el("li", { className, attrs }, [
      meta,
      el(
        "p",
        { className: "text", attrs: { dir: "auto" } },
        message.deleted ? [new Text(DELETED_TEXT)] : messageNodes(message.text, this.options.selfName()),
      ),
      // Outside the meta line, which a continued message hides from the eye.
      ...(deleteMessage && !message.deleted ? [deleteButton(() => deleteMessage(message.seq))] : []),
    ]);
  }
}

function deleteButton(onClick: () => void): HTMLButtonElement {
  const button = el("button", {
    className: "delete quiet",
    text: "Delete",
    attrs: { type: "button", title: "Delete this message for everyone" },
  });
  button.addEventListener("click", onClick);
  return button;
}

/** Messages sort by sequence number; a system line sorts right after the newest message it followed. */
function keyOf(item: HTMLElement): number {
  return Number(item.dataset.key);
}

/** A message right after another from the same sender, soon after, is shown without repeating who and when. */
function markContinuation(item: Element | null): void {
  if (!(item instanceof HTMLElement) || !item.classList.contains("message")) return;
  const previous = item.previousElementSibling;
  const continues =
    previous instanceof HTMLElement &&
    previous.classList.contains("message") &&
    previous.dataset.sender === item.dataset.sender &&
    Number(item.dataset.ts) - Number(previous.dataset.ts) < CONTINUATION_MS;
  item.classList.toggle("continued", continues);
}
