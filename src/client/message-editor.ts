// Editing a message in place: its text becomes a text box holding it. Enter saves (Shift+Enter starts a new line),
// Escape cancels, and so do the Save and Cancel buttons beside it. The text is checked as the composer checks a
// message before it goes.

import type { Limits } from "../shared/protocol";
import { validateText } from "../shared/text-rules";
import { el } from "./dom";
import { asSentence } from "./sentence";

export interface EditorActions {
  /** A valid new text, different from the old one. */
  save(text: string): void;
  cancel(): void;
}

export function messageEditor(text: string, limits: Limits, actions: EditorActions): HTMLElement {
  const input = el("textarea", {
    className: "editor-input",
    attrs: { "aria-label": "Edit message", "data-focus": "editor", rows: "1", dir: "auto" },
  });
  input.value = text;
  const error = el("p", { className: "field-error", attrs: { role: "alert" } });
  const button = (label: string, className: string, act: () => void) => {
    const element = el("button", { className, text: label, attrs: { type: "button" } });
    element.addEventListener("click", act);
    return element;
  };
  const save = () => {
    const checked = validateText(input.value, limits, "a message");
    if (!checked.ok) {
      error.textContent = asSentence(checked.error.message);
      return;
    }
    if (checked.value === text) actions.cancel();
    else actions.save(checked.value);
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      save();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      actions.cancel();
    }
  });
  const grow = () => {
    input.style.height = "auto";
    input.style.height = `${input.scrollHeight}px`;
  };
  input.addEventListener("input", () => {
    error.textContent = "";
    grow();
  });
  const editor = el("div", { className: "editor" }, [
    input,
    el("div", { className: "editor-actions" }, [
      el("span", { className: "editor-hint", text: "Enter to save, Escape to cancel" }),
      button("Cancel", "quiet", actions.cancel),
      button("Save", "save", save),
    ]),
    error,
  ]);
  // Once on the page: the box fits its text, and the caret waits at its end.
  requestAnimationFrame(() => {
    grow();
    input.setSelectionRange(input.value.length, input.value.length);
  });
  return editor;
}
