// A moderator's controls for the room's own settings (docs/protocol.md, `settings`): slow mode, whether the room is
// listed in the directory, and its title there. Each change goes to the room at once, as a kick or a ban does from
// the member list; what the controls show is what the room last said (its welcome, then every `settings` packet),
// so a change another moderator made shows here too, and a refused one is put back.

import type { RoomSettings, SettingsChange } from "../shared/protocol";
import { validateTitle } from "../shared/room-settings";
import { byId } from "./dom";
import { asSentence } from "./sentence";

/** The slow modes offered, in seconds; one the room has that is not among them is offered too. */
const SLOW_MODES = [0, 5, 10, 30, 60, 300];

export interface SettingsElements {
  form: HTMLFormElement;
  slowMode: HTMLSelectElement;
  listed: HTMLInputElement;
  title: HTMLInputElement;
  error: HTMLElement;
}

export class SettingsControls {
  private settings: RoomSettings | undefined;

  constructor(
    private readonly ui: SettingsElements,
    private readonly send: (change: SettingsChange) => void,
  ) {
    ui.slowMode.addEventListener("change", () => this.change({ slowModeSeconds: Number(ui.slowMode.value) }));
    ui.listed.addEventListener("change", () => this.change({ listed: ui.listed.checked }));
    ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.changeTitle();
    });
    ui.title.addEventListener("input", () => this.showError(""));
  }

  /** The room's settings, as it told them: the controls show them, and a moderator may change them from here. */
  show(settings: RoomSettings): void {
    this.settings = settings;
    const { form, slowMode, listed, title } = this.ui;
    form.hidden = false;
    const seconds = String(settings.slowModeSeconds);
    if (![...slowMode.options].some((option) => option.value === seconds))
      slowMode.add(new Option(slowModeLabel(settings.slowModeSeconds), seconds));
    slowMode.value = seconds;
    listed.checked = settings.listed;
    if (document.activeElement !== title) title.value = settings.title ?? "";
  }

  /** The room refused a change (its answer names `settings`): the controls go back to what it has. */
  refused(message: string): void {
    this.showError(asSentence(message));
    if (this.settings) this.show(this.settings);
  }

  private changeTitle(): void {
    const checked = validateTitle(this.ui.title.value);
    if (!checked.ok) return this.showError(asSentence(checked.error.message));
    if (checked.value !== this.settings?.title) this.change({ title: checked.value });
  }

  private change(change: SettingsChange): void {
    this.showError("");
    this.send(change);
  }

  private showError(text: string): void {
    this.ui.error.textContent = text;
    this.ui.title.setAttribute("aria-invalid", String(text !== ""));
  }
}

/** How a slow mode is offered: "Off", "10 s", "5 min". */
export function slowModeLabel(seconds: number): string {
  if (seconds === 0) return "Off";
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

/** The page's controls (index.html, `#room-settings`), which send each change with `send`. */
export function moderatorSettingsControls(send: (change: SettingsChange) => void): SettingsControls {
  const slowMode = byId<HTMLSelectElement>("slow-mode");
  slowMode.append(...SLOW_MODES.map((seconds) => new Option(slowModeLabel(seconds), String(seconds))));
  const form = byId<HTMLFormElement>("room-settings");
  const [listed, title, error] = [
    byId<HTMLInputElement>("room-listed"),
    byId<HTMLInputElement>("room-title"),
    byId("room-settings-error"),
  ];
  return new SettingsControls({ form, slowMode, listed, title, error }, send);
}
