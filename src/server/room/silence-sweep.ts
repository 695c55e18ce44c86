// Members whose clients stopped answering leave when the room next wakes, for whatever reason: a frame, a join, a
// close, a shard's report, a post or an admin call, its alarm. They are swept before that event is handled, so what
// anyone sees next already tells of their leave, and the room needs no timer for it: an idle room with members
// sleeps (and costs nothing) until something happens in it. A member silent in an idle room stays listed until then,
// which nobody can tell apart from its leaving then (docs/cost.md, "An idle room").
//
// A sweep looks at every member, so the room sweeps at most once per half silence limit: a silent member leaves at
// the first event after one to one and a half limits of silence. A hub also asks each shard with members which
// connections it still holds and which are silent (`ShardSet.checkIn`): a call it waits for, with every other event
// held back meanwhile (`blockConcurrencyWhile`), so that nothing overtakes the leaves it finds.

import { CLOSE_TIMEOUT } from "../../shared/close-codes";
import type { Liveness } from "../connections/liveness";
import type { Sessions } from "../connections/sessions";
import type { ShardSet } from "../shards/hub-side";
import type { Connection } from "../shards/remote-connection";
import type { Departures } from "./departures";

/** What a sweep looks at and acts on. */
export interface SweptRoom {
  silenceMs: number;
  sessions: Sessions<Connection>;
  liveness: Liveness<Connection>;
  shards: ShardSet;
  departures: Departures;
  /** Holds every other event back until `work` is done (the runtime's `blockConcurrencyWhile`). */
  holdEvents(work: () => Promise<void>): Promise<void>;
}

export class SilenceSweep {
  private lastAt = -Infinity;

  constructor(private readonly room: SweptRoom) {}

  /**
   * Before an event: a sweep, if the last was half a silence limit ago or more (the first event of the object's life
   * always sweeps: it may have slept for hours). A promise only when a hub waits to hear from its shards.
   */
  beforeEvent(now: number): Promise<void> | undefined {
    if (now < this.lastAt + this.room.silenceMs / 2) return undefined;
    return this.sweep(now);
  }

  /** Closes the members silent for longer than the silence limit (4008), here and on the shards, and announces their leaves. */
  sweep(now: number): Promise<void> | undefined {
    this.lastAt = now;
    const { liveness, sessions, shards, departures } = this.room;
    this.closeSilent(
      liveness.silent(
        sessions.joinedHere().map(([socket]) => socket),
        now,
      ),
    );
    if (!shards.hasMembers) return undefined;
    return this.room.holdEvents(async () => {
      const onShards = await shards.checkIn();
      // A shard that no longer holds a member's socket crashed, or lost its close: the member is gone.
      for (const connection of onShards.gone) await departures.gone(connection);
      this.closeSilent(onShards.silent);
    });
  }

  private closeSilent(silent: readonly Connection[]): void {
    const reason = `silent for more than ${this.room.silenceMs / 1000} s`;
    for (const socket of silent) this.room.departures.close(socket, CLOSE_TIMEOUT, reason);
  }
}
