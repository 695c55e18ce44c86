// The conversation: messages in sequence order, with quiet system lines among them. While the reader is at the
// bottom, the view stays pinned to the newest message, through new messages and through resizes (a phone turned,
// a window narrowed); scrolled up, nothing moves under them and a button offers the new messages instead. Getting
// near the top asks for older history.

import type { ChatMessage } from "../shared/protocol";
import type { MessageOrigin } from "./connection-events";
import { el } from "./dom";
import { type MessageRowOptions, MessageRows } from "./message-rows";
import { DELETED_TEXT, jumpStep } from "./message-view";

/** Within this many pixels of the bottom counts as "at the bottom": a fraction of a line is not scrolling up. */
const BOTTOM_SLACK = 48;
/** Older history is asked for this many pixels before the top, so it is usually there before the reader is. */
const TOP_PRELOAD = 400;
/** Messages from one sender this close together form one block. */
const CONTINUATION_MS = 5 * 60_000;
/** Screen readers hear each new message up to this many at once, and a count beyond. */
const ANNOUNCE_EACH = 3;
/** How long a message jumped to stays highlighted, and a word about a jump stays up. */
const HIGHLIGHT_MS = 2000;
const JUMP_STATUS_MS = 4000;

export interface MessageListElements {
  scroller: HTMLElement;
  list: HTMLOListElement;
  newMessages: HTMLButtonElement;
  loadOlder: HTMLButtonElement;
  historyStart: HTMLElement;
  announcer: HTMLElement;
  /** Says where a jump to an original message stands (looking for it in older history, or not there). */
  jumpStatus: HTMLElement;
}

/** What rows need (message-rows.ts), and a way to ask for older history: false if there is none to ask for. */
export type MessageListOptions = Omit<MessageRowOptions, "jump" | "announce"> & { wantOlder(): boolean | undefined };

export class MessageList {
  private unread = 0;
  private olderMore = false;
  private olderLoading = false;
  /**
   * Whether the reader was at the bottom as of the last scroll. A resize moves the bottom away without a scroll
   * event, so after one this says where the reader was, not `atBottom()`.
   */
  private pinned = true;
  /** The original message a jump is looking for in older history. */
  private seeking: number | undefined;
  private jumpTimer: ReturnType<typeof setTimeout> | undefined;
  readonly rows: MessageRows;

  constructor(
    private readonly ui: MessageListElements,
    private readonly options: MessageListOptions,
  ) {
    this.rows = new MessageRows(ui.list, {
      ...options,
      jump: (seq) => this.jumpTo(seq),
      announce: (text) => this.say([text]),
    });
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
      messages.map((message) => this.rows.render(message)),
      fromOthers.length,
    );
    // Whoever just sent a message wants to see it, wherever they had scrolled to.
    if (origin === "recent" || (isNew && fromOthers.length < messages.length)) this.scrollToBottom();
    this.announce(fromOthers);
    if (origin === "older") this.seek();
  }

  /** Message `message.seq` changed (edited, deleted, reactions, the quote it holds): its row shows it now. */
  update(message: ChatMessage): void {
    this.rows.update(message);
  }

  /**
   * Goes to message `seq` (the original of a reply): scrolls it into view and highlights it, after loading older
   * history until it is there; or says it is not available.
   */
  jumpTo(seq: number): void {
    this.seeking = seq;
    this.seek();
  }

  /** A system line (join, leave, rename…): at the newest end, or right after message `afterSeq`. */
  notice(text: string, afterSeq: number = Math.floor(this.lastKey())): void {
    // Between message afterSeq and the next one, behind the system lines already there.
    this.insert([el("li", { className: "notice", text, attrs: { "data-key": String(afterSeq + 0.5) } })], 0);
  }

  /** Message `seq` was deleted: its text goes from the page too. */
  markDeleted(seq: number): void {
    this.rows.markDeleted(seq);
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
    this.seek();
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
    this.say(
      messages.length > ANNOUNCE_EACH
        ? [`${messages.length} new messages`]
        : messages.map((message) => `${message.sender.name}: ${message.deleted ? DELETED_TEXT : message.text}`),
    );
  }

  private say(lines: string[]): void {
    const { announcer } = this.ui;
    announcer.append(...lines.map((line) => el("span", { text: line })));
    // Only additions are read out; old lines are dead weight.
    while (announcer.childElementCount > 10) announcer.firstElementChild?.remove();
  }

  /** The next step of the jump under way, if any (message-view.ts `jumpStep`). */
  private seek(): void {
    const target = this.seeking;
    if (target === undefined) return;
    const row = this.ui.list.querySelector<HTMLElement>(`li.message[data-seq="${target}"]`);
    const first = this.ui.list.querySelector<HTMLElement>("li.message");
    const oldestSeq = first ? Number(first.dataset.seq) : undefined;
    const view = { shown: row !== null, oldestSeq, more: this.olderMore, loading: this.olderLoading };
    switch (jumpStep(target, view)) {
      case "show":
        this.seeking = undefined;
        this.jumpStatus("");
        return this.highlight(row!);
      case "load":
        this.jumpStatus("Looking for the original message in older history…");
        if (!this.options.wantOlder() && !this.olderLoading) this.notAvailable();
        return;
      case "wait":
        return;
      case "unavailable":
        return this.notAvailable();
    }
  }

  private notAvailable(): void {
    this.seeking = undefined;
    this.jumpStatus("The original message is not available: the room no longer keeps it.");
  }

  private highlight(row: HTMLElement): void {
    row.scrollIntoView({ block: "center" });
    this.pinned = this.atBottom();
    row.tabIndex = -1;
    row.focus({ preventScroll: true });
    row.classList.add("highlight");
    // The row may have been built again meanwhile (message-rows.ts keeps the class): found by its seq.
    const selector = `li.message[data-seq="${row.dataset.seq}"]`;
    setTimeout(() => this.ui.list.querySelector(selector)?.classList.remove("highlight"), HIGHLIGHT_MS);
  }

  private jumpStatus(text: string): void {
    const { jumpStatus } = this.ui;
    clearTimeout(this.jumpTimer);
    jumpStatus.textContent = text;
    jumpStatus.hidden = text === "";
    if (text !== "") this.jumpTimer = setTimeout(() => this.jumpStatus(""), JUMP_STATUS_MS);
  }
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
