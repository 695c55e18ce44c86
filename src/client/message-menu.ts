// A message's actions menu: a small button on each message (reachable with Tab, opened with Enter or a click)
// that opens a menu of what the reader may do to it: react (a handful of emoji, or one typed), reply, and for the
// reader's own message edit and delete. Escape, or leaving the menu, closes it and puts focus back on its button.

import { isReaction, REACTION_RULE } from "../shared/message-changes";
import { el } from "./dom";
import { QUICK_REACTIONS } from "./message-view";

export interface MessageMenuChoices {
  /** Who sent it, for the button's accessible name. */
  sender: string;
  react(reaction: string): void;
  reply(): void;
  /** Present when the reader may edit it. */
  edit?: () => void;
  /** Present when the reader may delete it (its own). */
  remove?: () => void;
}

/** The one menu open on the page, if any: opening another closes it. */
let openMenu: { close(refocus: boolean): void } | undefined;

export function messageMenu(choices: MessageMenuChoices): HTMLElement {
  const toggle = el("button", {
    className: "actions-toggle quiet",
    text: "⋯",
    attrs: {
      type: "button",
      "aria-label": `Actions for the message from ${choices.sender}`,
      "aria-haspopup": "true",
      "aria-expanded": "false",
      title: "React, reply…",
      "data-focus": "actions",
    },
  });
  const other = el("input", {
    className: "reaction-other",
    attrs: { "aria-label": "Another emoji: type it and press Enter", placeholder: "🙂…", size: "4" },
  });
  const otherError = el("p", { className: "field-error", attrs: { role: "alert" } });
  const menu = el("div", { className: "actions-menu", attrs: { role: "group", "aria-label": "Message actions" } }, [
    el("div", { className: "reaction-picker", attrs: { role: "group", "aria-label": "React" } }, [
      ...QUICK_REACTIONS.map((reaction) =>
        item(reaction, () => choices.react(reaction), { "aria-label": `React with ${reaction}`, class: "pick" }),
      ),
      other,
    ]),
    otherError,
    item("Reply", choices.reply),
    ...(choices.edit ? [item("Edit", choices.edit)] : []),
    ...(choices.remove ? [item("Delete", choices.remove, { class: "danger" })] : []),
  ]);
  menu.hidden = true;
  const root = el("div", { className: "actions" }, [toggle, menu]);

  const handle = {
    close(refocus: boolean) {
      menu.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      root.classList.remove("open", "up");
      if (openMenu === handle) openMenu = undefined;
      if (refocus) toggle.focus();
    },
  };
  const open = () => {
    if (openMenu !== handle) openMenu?.close(false);
    openMenu = handle;
    menu.hidden = false;
    root.classList.add("open");
    toggle.setAttribute("aria-expanded", "true");
    otherError.textContent = "";
    // Near the bottom of the conversation the menu opens upward, where there is room for it.
    root.classList.remove("up");
    const scroller = root.closest(".scroller")?.getBoundingClientRect();
    const box = menu.getBoundingClientRect();
    if (scroller && box.bottom > scroller.bottom && box.top - scroller.top > box.height * 1.2) root.classList.add("up");
    menu.scrollIntoView({ block: "nearest" });
    menu.querySelector<HTMLElement>("button")?.focus({ preventScroll: true });
  };
  toggle.addEventListener("click", () => (menu.hidden ? open() : handle.close(true)));
  root.addEventListener("keydown", (event) => {
    if (menu.hidden) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      handle.close(true);
      return;
    }
    // Arrows move through the menu as Tab does (left and right stay with the caret in the text box).
    const step = { ArrowDown: 1, ArrowUp: -1, ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (step === undefined || (event.target === other && (event.key === "ArrowLeft" || event.key === "ArrowRight")))
      return;
    const items = [...menu.querySelectorAll<HTMLElement>("button, input")];
    const at = items.indexOf(event.target as HTMLElement);
    if (at < 0) return;
    event.preventDefault();
    items[(at + step + items.length) % items.length]?.focus();
  });
  // Focus that leaves the menu (Tab past its end, a click elsewhere) closes it.
  // Looked at once the focus has settled: a row built again moves its open menu over, which blurs it for a moment.
  root.addEventListener("focusout", () => {
    setTimeout(() => {
      if (!menu.hidden && !root.contains(document.activeElement)) handle.close(false);
    });
  });
  other.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing) return;
    event.preventDefault();
    const reaction = other.value.trim();
    if (reaction === "") return;
    if (!isReaction(reaction)) {
      otherError.textContent = `Not one emoji: ${REACTION_RULE}.`;
      return;
    }
    handle.close(true);
    choices.react(reaction);
  });

  function item(label: string, act: () => void, attrs: Record<string, string> = {}): HTMLButtonElement {
    const { class: extra, ...rest } = attrs;
    const button = el("button", {
      className: extra ? `quiet ${extra}` : "quiet",
      text: label,
      attrs: { type: "button", ...rest },
    });
    button.addEventListener("click", () => {
      // The choice is made: the menu folds, and focus goes back to its button unless the action moves it.
      handle.close(true);
      act();
    });
    return button;
  }
  return root;
}
