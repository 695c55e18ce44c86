// How a connection leaves the room, whichever way it goes: the runtime reports it gone (its client closed it, or its
// connection broke), or the room closes it (a kick, a ban, a timeout, a flood, an expired token, a replacement, the
// room's deletion). Either way it stops being listed at once, its leave is announced once, and a room that has no
// member left lets its storage go (upkeep.ts).

import type { CloseCode } from "../../shared/close-codes";
import type { LeaveReason } from "../../shared/protocol";
import type { Liveness } from "../connections/liveness";
import { type JoinedSession, memberOf } from "../connections/session";
import type { Sessions } from "../connections/sessions";
import type { Charges } from "../limits/charges";
import type { RoomCounters } from "../observability/room-counters";
import { type Connection, RemoteConnection, type ShardSet } from "../shards/hub-side";
import type { Outbox } from "./outbox";

/** What a departure changes: who is listed, who is charged, who is timed, what is announced and kept. */
export interface LeftRoom {
  sessions: Sessions<Connection>;
  charges: Charges<Connection>;
  shards: ShardSet;
  liveness: Liveness<Connection>;
  outbox: Outbox<Connection>;
  /** upkeep.ts, which imports this module. */
  upkeep: { releaseIfEmpty(): Promise<boolean>; releaseIfEmptyLater(): void };
  /** Leaves, and closes of the room's own sockets (a shard counts its own: shards/shard.ts). */
  counters: RoomCounters;
}

export class Departures {
  constructor(private readonly room: LeftRoom) {}

  /**
   * A connection the runtime reports gone; its leave is announced if it had joined. Safe to call more than once.
   * `code`: how its client ended it, for a socket of the room's own (a shard's tells its shard's counters).
   */
  async gone(socket: Connection, code?: number): Promise<void> {
    const { sessions, charges, shards, outbox, upkeep, counters } = this.room;
    // One the room did not close itself: its client ended it.
    if (code !== undefined && sessions.get(socket)) counters.closed(code);
    const session = sessions.remove(socket);
    charges.dropConnection(socket);
    shards.dropConnection(socket);
    this.stopJoinCheckIfNoneLeft();
    if (!session) return;
    this.left();
    outbox.leave(memberOf(session));
    await upkeep.releaseIfEmpty();
  }

  /**
   * Closes a connection from the room's side: it stops being listed at once, and its leave is announced once, with
   * `leave` as its reason if a moderator removed it.
   */
  close(socket: Connection, code: CloseCode, reason: string, leave?: LeaveReason): void {
    const departed = this.closeUnannounced(socket, code, reason);
    if (!departed) return;
    this.room.outbox.leave(leave === undefined ? memberOf(departed) : { ...memberOf(departed), reason: leave });
    this.room.upkeep.releaseIfEmptyLater();
  }

  /**
   * Closes a connection and stops listing it at once, announcing nothing (the caller announces the leave, or nobody
   * is left to hear it); returns its member if it had joined. Its address counts it, and its shard holds it, until
   * the runtime reports it gone (`gone`).
   */
  closeUnannounced(socket: Connection, code: CloseCode, reason: string): JoinedSession | undefined {
    const { sessions, counters } = this.room;
    // Counted once, by the object that holds the socket: a shard counts the closes it carries out.
    if (!(socket instanceof RemoteConnection) && sessions.get(socket)) counters.closed(code);
    const departed = sessions.retire(socket);
    if (departed) this.left();
    this.room.charges.dropConnection(socket);
    this.stopJoinCheckIfNoneLeft();
    socket.close(code, reason);
    return departed;
  }

  /** A member left: counted; the last one's going writes the room's data point (observability/analytics.ts). */
  private left(): void {
    const { sessions, counters } = this.room;
    counters.leaves++;
    if (sessions.joined().length === 0) counters.flush(Date.now());
  }

  /** A pending join check would keep the room from hibernating: once nobody is left to join, it goes. */
  stopJoinCheckIfNoneLeft(): void {
    if (!this.room.sessions.anyUnjoined) this.room.liveness.noJoinsPending();
  }
}
