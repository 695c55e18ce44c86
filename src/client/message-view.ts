// What the page decides about a message that may change, with no DOM: whether its author may still edit it, what
// pressing a reaction does, how reactors, quotes and game data read, and the next step of a jump to an original.
// The views (message-row.ts and the modules it uses) put these into elements, always as text.

import { isReaction, REACTION_RULE } from "../shared/message-changes";
import type { ChatMessage, GameData, Limits, Quote, Reaction } from "../shared/protocol";

/** The picker's reactions: a handful everyone knows. Any other emoji may be typed. */
export const QUICK_REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🎉"] as const;

/** How long a deleted message can be taken back before the delete goes out. */
export const UNDO_MS = 5000;

/** What the reader sees instead of a deleted message, and of a quote of one. */
export const DELETED_TEXT = "message deleted";
export const DELETED_QUOTE = "deleted message";

/** Whether `message`, sent by the reader (`own`), may still be edited now. */
export function mayEdit(message: ChatMessage, own: boolean, limits: Pick<Limits, "editWindowSeconds">, now: number) {
  if (!own || message.deleted) return false;
  return limits.editWindowSeconds <= 0 || now < message.ts + limits.editWindowSeconds * 1000;
}

export type ReactionStep = { send: "react" | "unreact" } | { refused: string };

/**
 * What pressing `reaction` on `message` does: takes back the reader's own, adds one, or is refused here (no such
 * reaction, or a new one past the room's cap) before the room would refuse it.
 */
export function reactionStep(
  message: ChatMessage,
  reaction: string,
  mine: boolean,
  limits: Pick<Limits, "maxReactionsPerMessage">,
): ReactionStep {
  if (mine) return { send: "unreact" };
  if (!isReaction(reaction)) return { refused: `${capitalized(REACTION_RULE)}.` };
  const given = message.reactions ?? [];
  if (!given.some((r) => r.reaction === reaction) && given.length >= limits.maxReactionsPerMessage) {
    return {
      refused: `This message has ${given.length} different reactions, the most a message may have: add to one of them.`,
    };
  }
  return { send: "react" };
}

/** Who gave a reaction, as a title: the names the room sent (the first few), and how many more. */
export function reactorsText(reaction: Reaction): string {
  const others = reaction.count - reaction.by.length;
  const names = reaction.by.join(", ");
  if (others <= 0) return names;
  return names === "" ? `${others} ${others === 1 ? "person" : "people"}` : `${names} and ${others} more`;
}

/** A reaction button's accessible name: what it is, how many, by whom, and what pressing it does. */
export function reactionLabel(reaction: Reaction, mine: boolean): string {
  const who = reactorsText(reaction);
  const action = mine ? "Press to take yours back." : "Press to add yours.";
  return `${reaction.reaction}: ${reaction.count}${who ? `, by ${who}` : ""}. ${action}`;
}

/** A quote's text as shown: the original's words, or that it was deleted. */
export const quoteText = (quote: Quote): string => (quote.deleted ? DELETED_QUOTE : quote.text);

/** A message's game data as a reader sees it: the JSON, indented. Shown as text, never as markup. */
export const dataText = (data: GameData): string => JSON.stringify(data, null, 2);

/** What the list holds now, as a jump to message `target` sees it. */
export interface JumpView {
  /** Whether the target's row is on the page. */
  shown: boolean;
  /** The oldest message on the page, if any. */
  oldestSeq: number | undefined;
  /** Whether the room has older history than what is on the page, and whether a page of it is on its way. */
  more: boolean;
  loading: boolean;
}

/** The next step of a jump to `target`: show it, ask for older history, wait for the page asked, or give up. */
export function jumpStep(target: number, view: JumpView): "show" | "load" | "wait" | "unavailable" {
  if (view.shown) return "show";
  // A message newer than the oldest shown would be shown if the room still held it.
  if (view.oldestSeq !== undefined && target > view.oldestSeq) return "unavailable";
  if (view.loading) return "wait";
  return view.more ? "load" : "unavailable";
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
