// The small parts of a message's row (message-rows.ts): who and when, the "edited" mark, what a message being
// deleted shows instead of its text, and a moderator's Delete. All text, never markup.

import type { ChatMessage } from "../shared/protocol";
import { el } from "./dom";
import { fullTime, shortTime } from "./time-format";
import { verifiedMark } from "./verified-mark";

/**
 * Who sent it and when; "(you)" on the reader's own. A message the game's backend posted (its sender `system`)
 * is the room's own voice: its name in the system style, with a mark no member's name can give itself.
 */
export function meta(message: ChatMessage, own: boolean): HTMLElement {
  const system = message.sender.system === true;
  return el("div", { className: "meta" }, [
    // dir="auto" isolates what members wrote: a right-to-left name or text cannot reorder the line around it.
    el("span", {
      className: system ? "sender system-sender" : "sender",
      text: message.sender.name,
      attrs: { dir: "auto" },
    }),
    ...(system ? [systemMark()] : verifiedMark(message.sender)),
    ...(own ? [el("span", { className: "you", text: "(you)" })] : []),
    el("time", {
      text: shortTime(message.ts),
      attrs: { datetime: new Date(message.ts).toISOString(), title: fullTime(message.ts) },
    }),
  ]);
}

/** The mark of the room's own voice, drawn from `sender.system`, never from the name. */
const systemMark = (): HTMLElement =>
  el("span", {
    className: "system-mark",
    text: "system",
    attrs: { title: "Posted by the room itself (the game's server), not by a member" },
  });

/** In place of a message being deleted: its undo button while the window is open, then that it goes. */
export function deletingNote(state: "undoable" | "sent", undo: () => void): HTMLElement {
  if (state === "sent") return el("p", { className: "text", text: "Deleting…" });
  const button = el("button", {
    className: "undo quiet",
    text: "Undo",
    attrs: { type: "button", "aria-label": "Undo delete", "data-focus": "undo" },
  });
  button.addEventListener("click", undo);
  button.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      undo();
    }
  });
  return el("p", { className: "text" }, [new Text("Deleted — "), button]);
}

export function moderatorDelete(onClick: () => void): HTMLButtonElement {
  const button = el("button", {
    className: "delete quiet",
    text: "Delete",
    attrs: { type: "button", title: "Delete this message for everyone", "data-focus": "moderator-delete" },
  });
  button.addEventListener("click", onClick);
  return button;
}

/** "(edited)", with the edit's time as its title; or that an edit of the reader's is on its way. */
export function editedMark(message: ChatMessage, saving: boolean): HTMLElement[] {
  if (saving) return [el("span", { className: "edited saving", text: "saving edit…" })];
  if (message.deleted || message.edited === undefined) return [];
  const title = `Edited ${fullTime(message.edited)}`;
  return [el("span", { className: "edited", text: "(edited)", attrs: { title } })];
}
