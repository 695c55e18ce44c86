// The mark beside a name that the game's backend vouches for (a verified member: its token named it), shown
// wherever a member is named: the member list, the messages and the ban dialog.
import type { Sender } from "../shared/protocol";
import { el } from "./dom";

/**
 * The mark of a member the room verified. It is an element of its own, drawn from `verified`, never from the name:
 * an anonymous "Alice ✓" shows a check mark in its name's text, and no mark.
 */
export function verifiedMark(member: Sender): HTMLElement[] {
  if (!member.verified) return [];
  const label = `verified user ${member.user ?? ""}`.trim();
  return [el("span", { className: "verified", text: "✓", attrs: { title: label, "aria-label": label, role: "img" } })];
}
