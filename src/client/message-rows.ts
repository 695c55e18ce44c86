// One message's row, and what the reader does to it: who and when, the quote it answers, its text (or the editor,
// or the undo window of its delete), its game data, its reactions, its "edited" mark, and its actions menu. A row
// is built from the message's current state and built again, in place, whenever that state changes (an edit, a
// delete, reactions) or the reader's own doings on it do (editing, deleting): what the reader was in the middle
// of survives that (focus, an open menu, a half-typed edit, an open disclosure). Everything is text, never markup.

import type { ChatMessage, Limits, Sender } from "../shared/protocol";
import { el } from "./dom";
import { gameData } from "./game-data";
import { messageEditor } from "./message-editor";
import { messageMenu } from "./message-menu";
import { deletingNote, editedMark, meta, moderatorDelete } from "./message-parts";
import { messageNodes } from "./message-text";
import { DELETED_TEXT, mayEdit, reactionStep, UNDO_MS } from "./message-view";
import { PendingDeletes } from "./pending-deletes";
import { reactionBar } from "./reaction-bar";
import { quoteButton } from "./reply-quote";
import { type Clock, systemClock } from "./timers";

export interface MessageRowOptions {
  isOwn(sender: Sender): boolean;
  /** The reader's name now: mentions of it are marked. */
  selfName(): string | undefined;
  limits(): Limits;
  /** Whether the reader may act on messages now (joined, not removed); without, rows have no actions menu. */
  canAct(): boolean;
  reactedByMe(seq: number, reaction: string): boolean;
  react(seq: number, reaction: string): void;
  unreact(seq: number, reaction: string): void;
  reply(message: ChatMessage): void;
  edit(seq: number, text: string): void;
  /** Sends the delete of the reader's own message `seq`, once its undo window closed. */
  deleteOwn(seq: number): void;
  /** For a moderator: deletes anyone's message `seq` (after the same undo window). */
  deleteAny?(seq: number): void;
  jump(seq: number): void;
  /** Something the reader asked for that the page refuses by itself, as a sentence. */
  refuse(reason: string): void;
  announce(text: string): void;
}

export class MessageRows {
  /** The state of every message rendered, as last heard. */
  private readonly messages = new Map<number, ChatMessage>();
  /** Messages being edited. */
  private readonly editing = new Set<number>();
  /** Edits sent, until the room's `edited` comes back: the new text, shown meanwhile. */
  private readonly saving = new Map<number, string>();
  private readonly deletes: PendingDeletes;

  constructor(
    private readonly list: HTMLOListElement,
    private readonly options: MessageRowOptions,
    clock: Clock = systemClock,
  ) {
    this.deletes = new PendingDeletes(clock, UNDO_MS, {
      send: (seq) => this.sendDelete(seq),
      changed: (seq) => this.refresh(seq),
    });
  }

  render(message: ChatMessage): HTMLLIElement {
    this.messages.set(message.seq, message);
    const { seq } = message;
    if (message.deleted) {
      this.editing.delete(seq);
      this.deletes.done(seq);
    }
    // The edit the room confirmed, or one newer that is still on its way.
    if (this.saving.get(seq) === message.text) this.saving.delete(seq);
    const own = this.options.isOwn(message.sender);
    const deleting = this.deletes.state(seq);
    const system = message.sender.system === true;
    const className = [
      "message",
      own && "own",
      system && "system",
      message.deleted && "deleted",
      deleting && "deleting",
    ];
    const attrs = {
      "data-key": String(seq),
      "data-seq": String(seq),
      // The room's voice speaks under several names (id 0 for all): each is a sender of its own.
      "data-sender": system ? `system:${message.sender.name}` : String(message.sender.id),
      "data-ts": String(message.ts),
    };
    const acts = !message.deleted && deleting === undefined && this.options.canAct();
    const { deleteAny } = this.options;
    return el("li", { className: className.filter(Boolean).join(" "), attrs }, [
      meta(message, own),
      ...(message.replyTo ? [quoteButton(message.replyTo, (target) => this.options.jump(target))] : []),
      this.body(message, deleting),
      ...(deleting ? [] : gameData(message.data)),
      ...this.foot(message),
      ...(acts ? [this.actions(message, own)] : []),
      // Outside the meta line, which a continued message hides from the eye.
      ...(acts && deleteAny && !own ? [moderatorDelete(() => this.deletes.start(seq))] : []),
    ]);
  }

  /** Builds message `message.seq`'s row again from its new state, if it is on the page. */
  update(message: ChatMessage): void {
    this.messages.set(message.seq, message);
    this.refresh(message.seq);
  }

  /** Message `seq` was deleted: shown as a tombstone from now on. */
  markDeleted(seq: number): void {
    const message = this.messages.get(seq);
    if (!message || message.deleted) return;
    const { ts, sender } = message;
    this.update({ seq, ts, sender, text: "", deleted: true });
  }

  /** Starts editing the reader's newest message that may be edited; false if there is none. */
  editLast(): boolean {
    const own = [...this.list.querySelectorAll<HTMLElement>("li.message.own:not(.deleted)")].reverse();
    for (const item of own) {
      const message = this.messages.get(Number(item.dataset.seq));
      if (message && this.mayEdit(message)) {
        this.startEdit(message.seq);
        return true;
      }
    }
    return false;
  }

  /** The room refused something: what waited for its answer is shown as it is again. */
  refused(): void {
    const seqs = [...this.saving.keys()];
    this.saving.clear();
    for (const seq of seqs) this.refresh(seq);
    this.deletes.refused();
  }

  /** The page is going away: deletes still in their undo window go now. */
  flush(): void {
    this.deletes.flush();
  }

  // -------------------------------------------------------------------------------------------------------------

  private body(message: ChatMessage, deleting: "undoable" | "sent" | undefined): HTMLElement {
    const { seq } = message;
    if (message.deleted) return el("p", { className: "text", text: DELETED_TEXT });
    if (deleting) return deletingNote(deleting, () => this.undo(seq));
    if (this.editing.has(seq)) {
      return messageEditor(this.saving.get(seq) ?? message.text, this.options.limits(), {
        save: (text) => this.saveEdit(seq, text),
        cancel: () => this.stopEdit(seq),
      });
    }
    const text = this.saving.get(seq) ?? message.text;
    return el("p", { className: "text", attrs: { dir: "auto" } }, messageNodes(text, this.options.selfName()));
  }

  private foot(message: ChatMessage): HTMLElement[] {
    if (message.deleted || this.deletes.state(message.seq)) return [];
    const { seq } = message;
    const reactions = reactionBar(
      message.reactions ?? [],
      (reaction) => this.options.reactedByMe(seq, reaction),
      (reaction) => this.react(seq, reaction),
    );
    const mark = editedMark(message, this.saving.has(seq));
    if (reactions.length === 0 && mark.length === 0) return [];
    return [el("div", { className: "message-foot" }, [...reactions, ...mark])];
  }

  private actions(message: ChatMessage, own: boolean): HTMLElement {
    const { seq } = message;
    return messageMenu({
      sender: message.sender.name,
      react: (reaction) => this.react(seq, reaction),
      reply: () => this.options.reply(this.messages.get(seq) ?? message),
      ...(this.mayEdit(message) && { edit: () => this.startEdit(seq) }),
      ...(own && { remove: () => this.deletes.start(seq) }),
    });
  }

  private react(seq: number, reaction: string): void {
    const message = this.messages.get(seq);
    if (!message || message.deleted) return;
    const mine = this.options.reactedByMe(seq, reaction);
    const step = reactionStep(message, reaction, mine, this.options.limits());
    if ("refused" in step) return this.options.refuse(step.refused);
    if (step.send === "react") this.options.react(seq, reaction);
    else this.options.unreact(seq, reaction);
  }

  private mayEdit(message: ChatMessage): boolean {
    return mayEdit(message, this.options.isOwn(message.sender), this.options.limits(), Date.now());
  }

  private startEdit(seq: number): void {
    this.editing.add(seq);
    this.refresh(seq);
    this.row(seq)?.querySelector<HTMLElement>(".editor-input")?.focus();
  }

  private stopEdit(seq: number): void {
    this.editing.delete(seq);
    this.refresh(seq);
    this.focusIn(seq, "actions");
  }

  private saveEdit(seq: number, text: string): void {
    this.editing.delete(seq);
    this.saving.set(seq, text);
    this.options.edit(seq, text);
    this.refresh(seq);
    this.focusIn(seq, "actions");
  }

  private undo(seq: number): void {
    if (!this.deletes.undo(seq)) return;
    this.options.announce("Delete undone.");
    this.focusIn(seq, "actions");
  }

  private sendDelete(seq: number): void {
    const message = this.messages.get(seq);
    if (!message || message.deleted) return;
    if (this.options.isOwn(message.sender)) this.options.deleteOwn(seq);
    else this.options.deleteAny?.(seq);
  }

  private row(seq: number): HTMLElement | null {
    return this.list.querySelector<HTMLElement>(`li.message[data-seq="${seq}"]`);
  }

  private focusIn(seq: number, key: string): void {
    this.row(seq)?.querySelector<HTMLElement>(`[data-focus="${key}"]`)?.focus();
  }

  /** Builds a row again in place, keeping what the reader was in the middle of. */
  private refresh(seq: number): void {
    const old = this.row(seq);
    const message = this.messages.get(seq);
    if (!old || !message) return;
    const wasDeleting = old.classList.contains("deleting");
    const focused = old.contains(document.activeElement) ? document.activeElement : null;
    const focusKey = focused instanceof HTMLElement ? focused.dataset.focus : undefined;
    const caret = focused instanceof HTMLTextAreaElement || focused instanceof HTMLInputElement ? focused : undefined;
    const selection = caret && ([caret.selectionStart, caret.selectionEnd] as const);
    const next = this.render(message);
    for (const kept of ["continued", "highlight"]) next.classList.toggle(kept, old.classList.contains(kept));
    if (old.hasAttribute("tabindex")) next.setAttribute("tabindex", old.getAttribute("tabindex")!);
    // What the reader is using is moved over as it is: an open menu, an editor with its half-typed text.
    for (const selector of [".actions.open", ".editor"]) {
      const live = old.querySelector(selector);
      const fresh = next.querySelector(selector.replace(".open", ""));
      if (live && fresh) fresh.replaceWith(live);
    }
    const details = old.querySelector("details.game-data");
    if (details instanceof HTMLDetailsElement && details.open)
      next.querySelector("details.game-data")?.setAttribute("open", "");
    old.replaceWith(next);
    if (focused instanceof HTMLElement && next.contains(focused)) {
      // A focused element moved over (in an open menu, the editor) lost its focus on the way: it gets it back.
      focused.focus({ preventScroll: true });
      if (caret && selection) caret.setSelectionRange(selection[0], selection[1]);
    } else if (focused) {
      const again = focusKey && next.querySelector<HTMLElement>(`[data-focus="${CSS.escape(focusKey)}"]`);
      const near = again || next.querySelector<HTMLElement>('[data-focus="actions"], [data-focus="undo"]');
      // Nothing like it is left (the message went): the row itself keeps the reader's place.
      if (!near) next.tabIndex = -1;
      (near || next).focus();
    }
    const nowDeleting = next.classList.contains("deleting");
    if (!wasDeleting && nowDeleting && this.deletes.state(seq) === "undoable") {
      this.options.announce(`Message deleted. Undo within ${UNDO_MS / 1000} seconds.`);
      next.querySelector<HTMLElement>('[data-focus="undo"]')?.focus();
    }
  }
}
