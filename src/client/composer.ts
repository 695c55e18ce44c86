// Where messages are typed: Enter sends, Shift+Enter starts a new line. It knows the room's limits (a counter
// appears near the maximum, counting characters as the room does), checks a message before it goes, and shows
// the room's refusals long enough to read. A member the room removed cannot write, and is told why; so is a member a
// moderator muted, until the mute ends (its text stays in the box). In slow mode it shows how long until the next
// message may go, and keeps what is typed until then.

import type { Limits, ProtocolError } from "../shared/protocol";
import { countChars, validateText } from "../shared/text-rules";
import { refusedForGood } from "./refusal";
import { refusalLine } from "./refusal-lines";
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
  /** What the room's rules say now: a mute, or slow mode's wait. */
  rule: HTMLElement;
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
  /** Set while muted: nothing may be sent, and this says why and until when. */
  private held: string | undefined;
  /** Slow mode: no message goes before this time (ms), and the countdown says how long. */
  private waitUntil = 0;
  private waitTimer: ReturnType<typeof setInterval> | undefined;

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
    // A mute outlives a reconnect: the connection tells when it ends.
    this.ui.input.disabled = this.held !== undefined;
    this.update();
  }

  /**
   * A moderator muted us (`line` says until when), or the mute ended (undefined). The box is disabled until then,
   * keeping its text.
   */
  hold(line: string | undefined): void {
    this.held = line;
    this.ui.input.disabled = line !== undefined || this.removal !== undefined || this.limits === undefined;
    this.showRule();
    this.update();
  }

  /**
   * Slow mode: the next message may go at `at` (ms, this clock); until then the box says how long, and keeps it.
   * `undefined`: slow mode is off, nothing waits.
   */
  waitTill(at: number | undefined): void {
    this.waitUntil = at === undefined ? 0 : Math.max(this.waitUntil, at);
    clearInterval(this.waitTimer);
    this.waitTimer = setInterval(() => this.tick(), 250);
    this.tick();
  }

  /** A message the room refused for good: back in the box to change or send again, unless something new is typed. */
  restore(text: string): void {
    if (this.ui.input.value.trim() !== "") return;
    this.ui.input.value = text;
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
   * Shows a refusal. One for good says what did not happen (refusal-lines.ts for the room's rules: mute, slow mode,
   * blocked words). One with a retry time is the room's "not now": the connection sends the message again by
   * itself, so it says so, and clears itself once read.
   */
  showError(error: ProtocolError): void {
    this.clearError();
    const line = refusalLine(error);
    if (line !== undefined || refusedForGood(error)) {
      this.ui.error.textContent = line ?? asSentence(error.message);
      return;
    }
    const why = error.code === "rate_limited" ? "You are sending too fast." : "The room is busy.";
    this.ui.error.textContent = `${why} Your message waits and goes out by itself in a moment.`;
    this.errorTimer = setTimeout(() => this.clearError(), Math.max(error.retryAfterMs ?? 0, READABLE_MS));
  }

  focus(): void {
    this.ui.input.focus();
  }

  private submit(): void {
    if (!this.limits || this.removal || this.held !== undefined) return;
    // Slow mode: the text stays, and the countdown says when it may go.
    if (this.secondsLeft() > 0) return;
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
    send.disabled = count === 0 || over || this.held !== undefined || this.secondsLeft() > 0;
    input.setAttribute("aria-invalid", String(over));
  }

  /** Whole seconds until slow mode lets the next message go (0: it may go now). */
  private secondsLeft(): number {
    return Math.max(0, Math.ceil((this.waitUntil - Date.now()) / 1000));
  }

  private tick(): void {
    if (this.secondsLeft() === 0) {
      clearInterval(this.waitTimer);
      this.waitTimer = undefined;
    }
    this.showRule();
    this.update();
  }

  /** The mute, else slow mode's wait, else nothing. */
  private showRule(): void {
    const left = this.secondsLeft();
    this.ui.rule.textContent = this.held ?? (left > 0 ? `Slow mode: your next message can go in ${left} s.` : "");
  }

  private clearError(): void {
    clearTimeout(this.errorTimer);
    this.errorTimer = undefined;
    this.ui.error.textContent = "";
  }
}
