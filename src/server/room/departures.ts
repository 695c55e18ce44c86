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
import type { ShardSet } from "../shards/hub-side";
import type { Connection } from "../shards/remote-connection";
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
}

export class Departures {
  constructor(private readonly room: LeftRoom) {}

  /** A connection the runtime reports gone; its leave is announced if it had joined. Safe to call more than once. */
  async gone(socket: Connection): Promise<void> {
    const { sessions, charges, shards, outbox, upkeep } = this.room;
    const session = sessions.remove(socket);
    charges.dropConnection(socket);
    shards.dropConnection(socket);
    this.stopJoinCheckIfNoneLeft();
    if (!session) return;
    outbox.leave(memberOf(session), session);
    await upkeep.releaseIfEmpty();
  }

  /**
   * Closes a connection from the room's side: it stops being listed at once, and its leave is announced once, with
   * `leave` as its reason if a moderator removed it.
   */
  close(socket: Connection, code: CloseCode, reason: string, leave?: LeaveReason): void {
    const departed = this.closeUnannounced(socket, code, reason);
    if (!departed) return;
    this.room.outbox.leave(
      leave === undefined ? memberOf(departed) : { ...memberOf(departed), reason: leave },
      departed,
    );
    this.room.upkeep.releaseIfEmptyLater();
  }

  /**
   * Closes a connection and stops listing it at once, announcing nothing (the caller announces the leave, or nobody
   * is left to hear it); returns its member if it had joined. Its address counts it, and its shard holds it, until
   * the runtime reports it gone (`gone`).
   */
  closeUnannounced(socket: Connection, code: CloseCode, reason: string): JoinedSession | undefined {
    const departed = this.room.sessions.retire(socket);
    this.room.charges.dropConnection(socket);
    this.stopJoinCheckIfNoneLeft();
    socket.close(code, reason);
    return departed;
  }

  /** A pending join check would keep the room from hibernating: once nobody is left to join, it goes. */
  stopJoinCheckIfNoneLeft(): void {
    if (!this.room.sessions.anyUnjoined) this.room.liveness.noJoinsPending();
  }
}
