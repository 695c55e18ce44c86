// The room's live side on the page, but for the member list's statuses (member-list.ts): how many are here, in the
// top bar; who is typing, under the messages; the control that sets our own status; and the composer's keystrokes,
// which tell the room we are typing (the connection sends one signal in typingIntervalMs at most, so every
// keystroke may say so).

import type { RosterMember } from "../shared/protocol";
import { STATUS_CHARS, statusText, typingSentence } from "./live-text";

export interface LiveViewElements {
  /** "12 here". */
  hereCount: HTMLElement;
  typingLine: HTMLElement;
  statusForm: HTMLFormElement;
  statusInput: HTMLInputElement;
  composerInput: HTMLTextAreaElement;
}

export interface LiveActions {
  /** The user typed (true) or cleared the composer (false). */
  typing(on: boolean): void;
  /** The user set its status ("": none). */
  setStatus(status: string): void;
}

export class LiveView {
  constructor(
    private readonly ui: LiveViewElements,
    actions: LiveActions,
  ) {
    ui.statusInput.maxLength = STATUS_CHARS;
    ui.composerInput.addEventListener("input", () => actions.typing(ui.composerInput.value.trim() !== ""));
    // A status is set when the user is done with it (Enter, or leaving the field), not at every keystroke.
    const setStatus = () => actions.setStatus(ui.statusInput.value.trim());
    ui.statusForm.addEventListener("submit", (event) => {
      event.preventDefault();
      setStatus();
    });
    ui.statusInput.addEventListener("change", setStatus);
  }

  /** In the room: the status may be set; it shows ours as the room has it (after a reload, none). */
  welcome(self: RosterMember | undefined): void {
    this.ui.statusInput.disabled = false;
    if (self && document.activeElement !== this.ui.statusInput) this.ui.statusInput.value = statusText(self) ?? "";
  }

  count(members: number): void {
    this.ui.hereCount.textContent = `${members.toLocaleString()} here`;
  }

  typers(typers: RosterMember[]): void {
    this.ui.typingLine.textContent = typingSentence(typers.map((member) => member.name));
  }
}
