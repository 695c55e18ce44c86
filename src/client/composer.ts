// Where messages are typed: Enter sends, Shift+Enter starts a new line. It knows the room's limits (a counter
// appears near the maximum, counting characters as the room does), checks a message before it goes, and shows
// the room's refusals, with how long to wait when the room says so.

import type { Limits, ProtocolError } from "../shared/protocol";
import { countChars, validateText } from "../shared/validation";
import { asSentence } from "./sentence";

/** The counter shows from this share of the maximum on: far from the limit it is noise. */
const COUNTER_FROM = 0.8;

export interface ComposerElements {
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
  send: HTMLButtonElement;
  counter: HTMLElement;
  error: HTMLElement;
  queue: HTMLElement;
}

export class Composer {
  private limits: Limits | undefined;
  private online = false;
  private errorTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly ui: ComposerElements, private readonly sendText: (text: string) => void) {
    ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    ui.input.addEventListener("keydown", (event) => {
      // While an input method composes (e.g. Japanese), Enter confirms the composition, not the message.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    ui.input.addEventListener("input", () => this.update());
  }

  /** The room's limits arrived: typing may begin. */
  enable(limits: Limits): void {
    this.limits = limits;
    this.ui.input.disabled = false;
    this.update();
  }

  setOnline(online: boolean, queued: number): void {
    this.online = online;
    this.showQueue(queued);
  }

  showQueue(size: number): void {
    const messages = `${size} message${size === 1 ? "" : "s"}`;
    this.ui.queue.textContent = size === 0 ? "" : this.online ? `Sending ${messages}…` : `${messages} will be sent when reconnected`;
  }

  /** Shows a refusal; one with a retry time counts down and then clears itself. */
  showError(error: ProtocolError): void {
    clearInterval(this.errorTimer);
    this.errorTimer = undefined;
    const text = error.code === "rate_limited" ? "You are sending too fast." : asSentence(error.message);
    if (error.retryAfterMs === undefined) {
      this.ui.error.textContent = text;
      return;
    }
    const until = Date.now() + error.retryAfterMs;
    const tick = () => {
      const left = until - Date.now();
      if (left <= 0) return this.clearError();
      this.ui.error.textContent = `${text} Try again in ${(left / 1000).toFixed(1)} s.`;
    };
    tick();
    this.errorTimer = setInterval(tick, 100);
  }

  focus(): void {
    this.ui.input.focus();
  }

  private submit(): void {
    if (!this.limits) return;
    const checked = validateText(this.ui.input.value, this.limits, "a message");
    if (!checked.ok) {
      // An empty message is not an error worth a word.
      if (this.ui.input.value.trim() !== "") this.showError(checked.error);
      return;
    }
    this.sendText(checked.value);
    this.ui.input.value = "";
    this.clearError();
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
    clearInterval(this.errorTimer);
    this.errorTimer = undefined;
    this.ui.error.textContent = "";
  }
}
