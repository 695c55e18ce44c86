// A message's reactions under it: one button per reaction with its count, pressed (highlighted) when one of them
// is the reader's; pressing it adds the reader's or takes it back. Who reacted is its title, and part of its
// accessible name. The picker to add a new one is in the message's actions menu (message-actions.ts).

import type { Reaction } from "../shared/protocol";
import { el } from "./dom";
import { reactionLabel, reactorsText } from "./message-view";

export function reactionBar(
  reactions: Reaction[],
  mine: (reaction: string) => boolean,
  toggle: (reaction: string) => void,
): HTMLElement[] {
  if (reactions.length === 0) return [];
  return [
    el(
      "div",
      { className: "reactions", attrs: { role: "group", "aria-label": "Reactions" } },
      reactions.map((reaction) => {
        const pressed = mine(reaction.reaction);
        const button = el(
          "button",
          {
            className: "reaction quiet",
            attrs: {
              type: "button",
              "aria-pressed": String(pressed),
              "aria-label": reactionLabel(reaction, pressed),
              title: reactorsText(reaction),
              "data-focus": `reaction:${reaction.reaction}`,
              "data-reaction": reaction.reaction,
            },
          },
          [
            el("span", { className: "reaction-emoji", text: reaction.reaction }),
            el("span", { className: "reaction-count", text: String(reaction.count) }),
          ],
        );
        button.addEventListener("click", () => toggle(reaction.reaction));
        return button;
      }),
    ),
  ];
}
