// Asks for a name: before the first join (it cannot be skipped), to rename, or again when the room refused one
// (then with the refused name still typed, to edit, and a free one to take with a click).

import type { Limits } from "../shared/protocol";
import { validateName } from "../shared/text-rules";
import { el } from "./dom";
import { asSentence } from "./sentence";

export interface NameDialogElements {
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  title: HTMLElement;
  input: HTMLInputElement;
  error: HTMLElement;
  /** Holds the button that takes a suggested name. */
  suggestion: HTMLElement;
  submit: HTMLButtonElement;
  cancel: HTMLButtonElement;
}

export interface NameRequest {
  /** "join" may not be cancelled: there is no chatting without a name. */
  mode: "join" | "rename";
  current: string;
  limits: Limits;
  /** Why the previous name was refused. */
  error?: string;
  /** A name the room would take instead. */
  suggestion?: string;
}

export class NameDialog {
  private request: NameRequest | undefined;
  private answer: ((name: string | undefined) => void) | undefined;

  constructor(private readonly ui: NameDialogElements) {
    ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    ui.cancel.addEventListener("click", () => this.finish(undefined));
    ui.dialog.addEventListener("cancel", (event) => {
      // Escape: fine for a rename, not for the first join.
      event.preventDefault();
      if (this.request?.mode === "rename") this.finish(undefined);
    });
  }

  /** The chosen name, already checked against the limits; undefined if the user cancelled a rename. */
  ask(request: NameRequest): Promise<string | undefined> {
    this.request = request;
    const { dialog, title, input, error, submit, cancel } = this.ui;
    title.textContent = request.mode === "join" ? "Join" : "Change your name in";
    submit.textContent = request.mode === "join" ? "Join" : "Rename";
    cancel.hidden = request.mode === "join";
    input.value = request.current;
    input.maxLength = request.limits.maxNameChars;
    error.textContent = request.error ?? "";
    input.setAttribute("aria-invalid", String(request.error !== undefined));
    this.suggest(request.suggestion);
    if (!dialog.open) dialog.showModal();
    input.select();
    return new Promise((resolve) => (this.answer = resolve));
  }

  private suggest(name: string | undefined): void {
    const { suggestion, input } = this.ui;
    suggestion.hidden = name === undefined;
    if (name === undefined) return suggestion.replaceChildren();
    const take = el("button", { className: "quiet", text: `Use ${name}`, attrs: { type: "button" } });
    take.addEventListener("click", () => {
      input.value = name;
      input.setAttribute("aria-invalid", "false");
      input.focus();
    });
    suggestion.replaceChildren(take);
  }

  private submit(): void {
    if (!this.request) return;
    const checked = validateName(this.ui.input.value, this.request.limits);
    if (!checked.ok) {
      this.ui.error.textContent = asSentence(checked.error.message);
      this.ui.input.setAttribute("aria-invalid", "true");
      this.ui.input.focus();
      return;
    }
    this.finish(checked.value);
  }

  private finish(name: string | undefined): void {
    this.ui.dialog.close();
    this.request = undefined;
    this.answer?.(name);
    this.answer = undefined;
  }
}
