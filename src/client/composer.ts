// Where messages are typed: Enter sends, Shift+Enter starts a new line. It knows the room's limits (a counter
// appears near the maximum, counting characters as the room does), checks a message before it goes, and shows
// the room's refusals long enough to read. A member the room removed cannot write, and is told why.

import type { Limits, ProtocolError } from "../shared/protocol";
import { countChars, validateText } from "../shared/text-rules";
import type { Removal } from "./removal";
import { asSentence } from "./sentence";

/** The counter shows from this share of the maximum on: far from the limit it is noise. */
const COUNTER_FROM = 0.8;
/**
 * A refusal the room lifts by itself (too fast, busy) stays at least this long: the room's wait is often a third
 * of a second, too short to read, and the message waits, pending, meanwhile.
 */
const READABLE_MS = 6000;

/** Why a removed member's composer is disabled, and what (if anything) brings it back. */
const REMOVED: Record<Removal["kind"], string> = {
  kicked: "A moderator removed you from the room. Rejoin to write again.",
  banned: "A moderator banned you from the room. You cannot write here.",
  room_deleted: "The room was deleted. Rejoin to write again.",
  token_expired: "Your sign-in expired. Open the room again from where you signed in to write again.",
  replaced: "You went on in another tab or device. Rejoin to write here again.",
};

export interface ComposerElements {
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
  send: HTMLButtonElement;
  counter: HTMLElement;
  error: HTMLElement;
  queue: HTMLElement;
}

/** Keys the composer hands on: each handler says whether it did something with the key. */
export interface ComposerKeys {
  /** Escape: e.g. cancels the reply being written. */
  escape?(): boolean;
  /** Arrow up in an empty composer: e.g. edits the reader's last message. */
  upWhenEmpty?(): boolean;
}

export class Composer {
  private limits: Limits | undefined;
  private online = false;
  /** Set while removed: the composer stays disabled and says why, until the room lets us back in. */
  private removal: Removal | undefined;
  private errorTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ui: ComposerElements,
    private readonly sendText: (text: string) => void,
    keys: ComposerKeys = {},
  ) {
    ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    ui.input.addEventListener("keydown", (event) => {
      // While an input method composes (e.g. Japanese), Enter confirms the composition, not the message.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      } else if (event.key === "Escape" && keys.escape?.()) {
        event.preventDefault();
      } else if (event.key === "ArrowUp" && ui.input.value === "" && keys.upWhenEmpty?.()) {
        event.preventDefault();
      }
    });
    ui.input.addEventListener("input", () => this.update());
  }

  /** The room's limits arrived: typing may begin. */
  enable(limits: Limits): void {
    this.limits = limits;
    this.removal = undefined;
    this.ui.input.disabled = false;
    this.update();
  }

  /** The room removed us: nothing typed here could reach it, so nothing may be typed. */
  disableFor(removal: Removal): void {
    this.removal = removal;
    this.ui.input.disabled = true;
    this.ui.send.disabled = true;
    this.ui.queue.textContent = REMOVED[removal.kind];
  }

  setOnline(online: boolean, queued: number): void {
    this.online = online;
    this.showQueue(queued);
  }

  showQueue(size: number): void {
    if (this.removal) return;
    const messages = `${size} message${size === 1 ? "" : "s"}`;
    this.ui.queue.textContent =
      size === 0 ? "" : this.online ? `Sending ${messages}…` : `${messages} will be sent when reconnected`;
  }

  /**
   * Shows a refusal. One with a retry time is the room's "not now": the connection sends the message again by
   * itself, so it says so, and clears itself once read.
   */
  showError(error: ProtocolError): void {
    this.clearError();
    if (error.retryAfterMs === undefined) {
      this.ui.error.textContent = asSentence(error.message);
      return;
    }
    const why = error.code === "rate_limited" ? "You are sending too fast." : "The room is busy.";
    this.ui.error.textContent = `${why} Your message waits and goes out by itself in a moment.`;
    this.errorTimer = setTimeout(() => this.clearError(), Math.max(error.retryAfterMs, READABLE_MS));
  }

  focus(): void {
    this.ui.input.focus();
  }

  private submit(): void {
    if (!this.limits || this.removal) return;
    const checked = validateText(this.ui.input.value, this.limits, "a message");
    if (!checked.ok) {
      // An empty message is not an error worth a word.
      if (this.ui.input.value.trim() !== "") this.showError(checked.error);
      return;
    }
    this.sendText(checked.value);
    this.ui.input.value = "";
    // A "not now" from the room stays until read: the next message waits behind the refused one anyway.
    if (this.errorTimer === undefined) this.clearError();
    this.update();
  }

  private update(): void {
    const { input, send, counter } = this.ui;
    // Grow with the text, up to the height the stylesheet allows.
    input.style.height = "auto";
    input.style.height = `${input.scrollHeight}px`;
    if (!this.limits) return;
    const max = this.limits.maxMessageChars;
    const count = countChars(input.value.trim());
    const over = count > max;
    counter.textContent = count >= max * COUNTER_FROM ? `${count.toLocaleString()} / ${max.toLocaleString()}` : "";
    counter.classList.toggle("over", over);
    send.disabled = count === 0 || over;
    input.setAttribute("aria-invalid", String(over));
  }

  private clearError(): void {
    clearTimeout(this.errorTimer);
    this.errorTimer = undefined;
    this.ui.error.textContent = "";
  }
}
