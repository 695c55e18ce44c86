// What a connection has delivered to the page, so that every message is delivered exactly once and in the right
// place across drops, resumes and history pages: the sequence numbers seen, the oldest of them (where a page of older
// history starts from), the newest position in the room's log seen (where a resume starts from: a message's seq or
// a change's `at`, docs/protocol.md), the holes a resume left, and which page of history to ask for next to fill a
// hole or to show older messages.

import type { ChatMessage } from "../shared/protocol";

/** Messages with `after` < seq < `before` are missing from what was delivered. */
export interface Gap {
  after: number;
  before: number;
}

/** Why a page of history is asked for: to fill the newest gap, or to show what precedes the oldest message. */
export type HistoryKind = "gap" | "older";

export type HistoryAnswer =
  | { kind: "older"; messages: ChatMessage[] }
  /** `lost`: the part of the gap that the room no longer keeps. */
  | { kind: "gap"; messages: ChatMessage[]; lost?: Gap };

export class DeliveryRecord {
  private readonly seen = new Set<number>();
  private newest = 0;
  private oldest: number | undefined;
  /** Holes left by resumes that missed more than one page, newest last; filled one history page at a time. */
  private readonly gaps: Gap[] = [];
  /** Whether the room holds messages older than the oldest delivered. */
  hasOlder = false;
  /** The page before the oldest message is wanted, and not asked for yet. */
  private olderWanted = false;
  private inFlight: HistoryKind | undefined;

  /**
   * The newest position seen in the room's log: a message delivered, a change applied, or a welcome's `lastSeq`
   * once all it covers is in. A resume asks for what came after it. 0 before any.
   */
  get newestPosition(): number {
    return this.newest;
  }

  /** A change at position `at` was heard, or everything up to it is in. */
  passed(at: number): void {
    this.newest = Math.max(this.newest, at);
  }

  /** True while a resume's hole is not filled yet. */
  get hasGap(): boolean {
    return this.gaps.length > 0;
  }

  /** Whether older messages are wanted or on their way. */
  get olderLoading(): boolean {
    return this.olderWanted || this.inFlight === "older";
  }

  /** Forgets everything: the room's history started over. */
  reset(): void {
    this.seen.clear();
    this.newest = 0;
    this.oldest = undefined;
    this.gaps.length = 0;
  }

  /** Records messages as delivered; returns those never delivered before, in the order given. */
  accept(messages: ChatMessage[]): ChatMessage[] {
    const fresh = messages.filter((message) => !this.seen.has(message.seq));
    for (const { seq } of fresh) {
      this.seen.add(seq);
      this.newest = Math.max(this.newest, seq);
      this.oldest = Math.min(this.oldest ?? seq, seq);
    }
    return fresh;
  }

  /**
   * A resume's welcome brought `history`, the newest page of what was missed. If more was missed than the page
   * holds, the rest lies between what we had and the page: a gap to fill. Call before accepting the page.
   */
  resumeFrom(history: ChatMessage[], more: boolean): void {
    const first = history[0];
    if (more && first) this.gaps.push({ after: this.newest, before: first.seq });
  }

  /** The user wants the page before the oldest message. False if there is none, or it is asked for already. */
  wantOlder(): boolean {
    if (!this.hasOlder || this.olderLoading) return false;
    this.olderWanted = true;
    return true;
  }

  /** The history page to ask for next, if one is due and none is on its way: gaps first. */
  nextRequest(): { kind: HistoryKind; before: number } | undefined {
    if (this.inFlight !== undefined) return undefined;
    const gap = this.gaps[this.gaps.length - 1];
    if (gap) return { kind: "gap", before: gap.before };
    if (this.olderWanted && this.oldest !== undefined) return { kind: "older", before: this.oldest };
    return undefined;
  }

  requested(kind: HistoryKind): void {
    this.inFlight = kind;
    if (kind === "older") this.olderWanted = false;
  }

  /** The request on its way will not be answered (refused, or its connection dropped): it is due again. */
  requestLost(): void {
    if (this.inFlight === "older") this.olderWanted = true;
    this.inFlight = undefined;
  }

  /** Takes the page that answers the request in flight: what of it is to be delivered, and where. */
  answer(page: { messages: ChatMessage[]; more: boolean }): HistoryAnswer | undefined {
    const kind = this.inFlight;
    this.inFlight = undefined;
    if (kind === "older") {
      this.hasOlder = page.more;
      return { kind, messages: page.messages };
    }
    const gap = this.gaps[this.gaps.length - 1];
    if (kind !== "gap" || !gap) return undefined;
    const messages = page.messages.filter((message) => message.seq > gap.after);
    const lowest = page.messages[0]?.seq;
    if (lowest !== undefined && lowest <= gap.after + 1) {
      this.gaps.pop();
    } else if (!page.more) {
      // The room has pruned the rest.
      this.gaps.pop();
      return { kind, messages, lost: { after: gap.after, before: lowest ?? gap.before } };
    } else if (lowest !== undefined) {
      gap.before = lowest;
    }
    return { kind, messages };
  }
}
