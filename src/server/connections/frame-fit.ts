// No frame the room sends is larger than its client takes: Godot 3's client, for one, drops a connection whose
// frame is over its inbound buffer (64 KiB by default), and a room's welcome of 50 long messages is more than that.
// Each connection has a frame limit (`frameLimit`); the lists that can grow past it are cut to fit, newest history
// and first members kept, with `more` set so that the client asks for the rest (`history`, `members`); and the
// batches of joins and leaves that everyone hears are split into frames that fit any client (`chunks`).
//
// Sizes are measured as sent: each item's JSON in UTF-8, plus the comma that separates it from the next.

import { frameBytes } from "../../shared/codec";
import type { ChatMessage, Limits, Member, ServerPacket } from "../../shared/protocol";
import { minServerFrameBytes } from "../../shared/validation";

type Welcome = Extract<ServerPacket, { type: "welcome" }>;

/** The largest frame the room sends a connection: what its join asked for, if less than the room's limit. */
export const frameLimit = (limits: Limits, session: { frameBytes?: number }): number =>
  Math.min(session.frameBytes ?? Infinity, limits.maxServerFrameBytes);

/** What a packet of joins or leaves may hold, so that it fits the smallest limit a client may ask for. */
export const batchBudget = (limits: Limits): number => minServerFrameBytes(limits) - PACKET_FIELDS_BYTES;

/** Room for a packet's own fields around its list (`{"type":"leaves","members":[]}`, and `more`), with margin. */
const PACKET_FIELDS_BYTES = 256;

/** Room for a `changes` page's own fields around its messages (`type`, `through`, `more`), with margin. */
export const CHANGES_FIELDS_BYTES = 128;

const sizeOf = (item: unknown): number => frameBytes(JSON.stringify(item)) + 1;

/**
 * The newest messages of `messages` (oldest first) that fit in `budget` bytes, oldest first; the newest always,
 * if `atLeastOne` (a page must hold one, or the client would ask for it forever: the frame floor leaves it room).
 */
function newestFitting(messages: ChatMessage[], budget: number, atLeastOne: boolean): ChatMessage[] {
  let used = 0;
  let from = messages.length;
  while (from > 0) {
    const size = sizeOf(messages[from - 1]);
    if (used + size > budget && !(atLeastOne && from === messages.length)) break;
    used += size;
    from--;
  }
  return messages.slice(from);
}

/** The first items of `items` (members, changed messages) that fit in `budget` bytes; the first always, if `atLeastOne`. */
function firstFitting<T>(items: T[], budget: number, atLeastOne: boolean): T[] {
  let used = 0;
  let taken = 0;
  for (; taken < items.length; taken++) {
    const size = sizeOf(items[taken]);
    if (used + size > budget && !(atLeastOne && taken === 0)) break;
    used += size;
  }
  return items.slice(0, taken);
}

const sizeOfAll = (items: unknown[]): number => items.reduce<number>((sum, item) => sum + sizeOf(item), 0);

/**
 * A welcome cut to `limit` bytes. History comes first, newest kept, but leaves the member list a quarter of the room
 * if it needs it, so that a welcome after long messages still shows who is here; then a resume's changed messages,
 * oldest change first (the client asks for the rest: `changes`); the members then take what is left. The newest
 * message is kept if it fits at all, which the frame floor makes sure of for a welcome with no members.
 */
export function fitWelcome(welcome: Welcome, limit: number): Welcome {
  const empty = { ...welcome, history: [], members: [], ...(welcome.changed && { changed: [] }) };
  const budget = limit - frameBytes(JSON.stringify(empty));
  const reserve = Math.min(sizeOfAll(welcome.members), Math.floor(budget / 4));
  let history = newestFitting(welcome.history, budget - reserve, false);
  if (history.length === 0 && welcome.history.length > 0) history = newestFitting(welcome.history, budget, false);
  let left = budget - sizeOfAll(history);
  const fitted: Welcome = { ...welcome, history, more: welcome.more || history.length < welcome.history.length };
  if (welcome.changed) {
    const changed = firstFitting(welcome.changed, left - reserve, false);
    fitted.changed = changed;
    fitted.moreChanged = welcome.moreChanged || changed.length < welcome.changed.length;
    left -= sizeOfAll(changed);
  }
  const members = firstFitting(welcome.members, left, false);
  return { ...fitted, members, moreMembers: welcome.moreMembers || members.length < welcome.members.length };
}

/** A page of history cut to `limit` bytes: the newest messages kept, `more` set if older ones were cut. */
export function fitHistory(
  page: { messages: ChatMessage[]; more: boolean },
  limit: number,
): Extract<ServerPacket, { type: "history" }> {
  const budget = limit - frameBytes(JSON.stringify({ type: "history", messages: [], more: false }));
  const messages = newestFitting(page.messages, budget, true);
  return { type: "history", messages, more: page.more || messages.length < page.messages.length };
}

/** A page of members cut to `limit` bytes: the first kept, `more` set if later ones were cut. */
export function fitMembers(
  page: { members: Member[]; more: boolean },
  limit: number,
): Extract<ServerPacket, { type: "members" }> {
  const budget = limit - frameBytes(JSON.stringify({ type: "members", members: [], more: false }));
  const members = firstFitting(page.members, budget, true);
  return { type: "members", members, more: page.more || members.length < page.members.length };
}

/** `items` in order, split into runs that each fit in `budget` bytes (one item at least per run). */
export function chunks<T>(items: T[], budget: number): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  let used = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (run.length > 0 && used + size > budget) {
      runs.push(run);
      run = [];
      used = 0;
    }
    run.push(item);
    used += size;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
