// The changes a resume's welcome had no room for (`moreChanged`): the current state of the messages that changed
// after our `since`, asked for with `changes` one page at a time, each after the position the last page covered
// (`through`), until the room has no more (docs/protocol.md, "Messages that change"). They survive a drop: the
// rejoin's `since` is past them, so they are asked for after it.

import type { NativeClientPacket } from "../shared/protocol";

type ChangesRequest = Extract<NativeClientPacket, { type: "changes" }>;

export class ChangePages {
  /** The changes after this position are still to be asked for; undefined when none are. */
  private after: number | undefined;
  private inFlight = false;

  /** True while changes are still to come. */
  get pending(): boolean {
    return this.after !== undefined;
  }

  /**
   * A welcome left out some of the changes after position `after`. Pages still due from an earlier welcome go on
   * where they were: they cover these too.
   */
  start(after: number): void {
    this.after ??= after;
  }

  /** The request to send next, if one is due and none is on its way; `limit`: a page's size. */
  nextRequest(limit: number | undefined): ChangesRequest | undefined {
    if (this.after === undefined || this.inFlight) return undefined;
    return { type: "changes", after: this.after, ...(limit !== undefined && { limit }) };
  }

  requested(): void {
    this.inFlight = true;
  }

  /** The request on its way will not be answered (refused, or its connection dropped): it is due again. */
  lost(): void {
    this.inFlight = false;
  }

  /** A page came; false if none was asked for. The next is asked for after the position it covered. */
  received(page: { through: number; more: boolean }): boolean {
    if (!this.inFlight) return false;
    this.inFlight = false;
    this.after = page.more ? page.through : undefined;
    return true;
  }

  /** The room's history started over. */
  reset(): void {
    this.after = undefined;
    this.inFlight = false;
  }
}
