// What one object of a room (its hub, or one of its shards) has done since this instance of it started: counters in
// memory, plain integers, never stored (a chat must still cost one row). The admin API reads them
// (`GET /api/rooms/<name>/counters`), and with the ROOM_METRICS binding they go to Analytics Engine (analytics.ts).
// The notable events among what they count are also written as log lines (log.ts), by the same call: a refusal, a
// close, a moderation action, a shard placement, an upkeep failure, a wake-up.
//
// Counting must cost the room's hot path nothing it would notice: a frame in is two additions, a frame out one,
// and nothing is allocated per message. docs/operations.md says what each counter means.

import { errorText, logEvent, type Origin, packetLabel } from "./log";

/**
 * The longest gap between two events that counts as awake: an object with no event for this long is evicted from
 * memory or hibernates, and is not billed for the time until its next event (docs/operations.md, `awakeMs`).
 */
export const AWAKE_TAIL_MS = 10_000;

/** What `GET /api/rooms/<name>/counters` shows of one object, in this order. */
export interface Counters {
  wsMessagesIn: number;
  wsBytesIn: number;
  framesOut: number;
  messages: number;
  joins: number;
  leaves: number;
  connections: number;
  refusals: Record<string, number>;
  closes: Record<string, number>;
  rowsRead: number;
  rowsWritten: number;
  callsOut: number;
  callsIn: number;
  alarms: number;
  storageBytes: number;
  awakeMs: number;
}

/** Where the counters go besides the admin API: Analytics Engine (analytics.ts), when its binding is there. */
export interface PointWriter {
  /** Whether a busy object is due for its next point. */
  due(now: number): boolean;
  /** Writes what changed since the previous point. */
  write(counters: RoomCounters, now: number): void;
}

/** One object's counters as the admin API shows them: `hub`, or `shard-<n>`. */
export interface ObjectCounters {
  object: string;
  startedAt: number;
  counters: Counters;
}

export class RoomCounters implements Origin {
  /** WebSocket frames received (billed as requests, 20 to one). */
  wsMessagesIn = 0;
  wsBytesIn = 0;
  /** WebSocket frames sent to this object's own sockets. */
  framesOut = 0;
  /** Chats stored (a hub's only: shards store nothing). */
  messages = 0;
  joins = 0;
  /** Members gone, however they went (a hub's only: it decides every leave). */
  leaves = 0;
  /** Sockets this object accepted. */
  connections = 0;
  rowsRead = 0;
  rowsWritten = 0;
  /** Requests and RPC calls this object made: to its shards or its hub, the directory, the webhooks' backend. */
  callsOut = 0;
  /** Requests and RPC calls this object received; WebSocket frames are `wsMessagesIn`. */
  callsIn = 0;
  alarms = 0;
  awakeMs = 0;
  private readonly refusals = new Map<string, number>();
  private readonly closes = new Map<number, number>();
  private lastEventAt: number;

  constructor(
    readonly room: string,
    readonly object: string,
    readonly startedAt: number,
    private readonly points?: PointWriter,
  ) {
    this.lastEventAt = startedAt;
    logEvent("room.woke", this, {});
  }

  /** A WebSocket frame of `bytes` arrived. */
  frameIn(bytes: number, now: number): void {
    this.wsMessagesIn++;
    this.wsBytesIn += bytes;
    this.busy(now);
  }

  /** A request or an RPC call arrived (the counters' own read included). */
  callIn(now: number): void {
    this.callsIn++;
    this.busy(now);
  }

  /** The alarm rang: what went before is written to Analytics Engine now, whatever its age. */
  alarmRang(now: number): void {
    this.alarms++;
    this.busy(now);
    this.flush(now);
  }

  /** The runtime reported a socket closed, or broken. */
  socketGone(now: number): void {
    this.busy(now);
  }

  /** An error answered to a client: `code`, for a packet of type `packetType` (or "upgrade": an HTTP refusal). */
  refused(code: string, packetType: unknown, status?: number): void {
    this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
    logEvent("refusal", this, { code, for: packetLabel(packetType), ...(status !== undefined && { status }) });
  }

  /** A connection ended with `code`: counted by the object that ended it, or that held it if its client did. */
  closed(code: number): void {
    this.closes.set(code, (this.closes.get(code) ?? 0) + 1);
    logEvent("close", this, { code });
  }

  moderated(action: string, by: "moderator" | "admin"): void {
    logEvent("moderation", this, { action, by });
  }

  shardPlaced(shard: number): void {
    logEvent("shard.placed", this, { shard });
  }

  upkeepFailed(error: unknown): void {
    logEvent("upkeep.failed", this, { error: errorText(error) });
  }

  /** The counters now, with the size of the object's database (`storageBytes`, read by the caller). */
  read(storageBytes: number): ObjectCounters {
    return {
      object: this.object,
      startedAt: this.startedAt,
      counters: {
        wsMessagesIn: this.wsMessagesIn,
        wsBytesIn: this.wsBytesIn,
        framesOut: this.framesOut,
        messages: this.messages,
        joins: this.joins,
        leaves: this.leaves,
        connections: this.connections,
        refusals: Object.fromEntries(this.refusals),
        closes: Object.fromEntries(this.closes),
        rowsRead: this.rowsRead,
        rowsWritten: this.rowsWritten,
        callsOut: this.callsOut,
        callsIn: this.callsIn,
        alarms: this.alarms,
        storageBytes,
        awakeMs: this.awakeMs,
      },
    };
  }

  /** Totals of the refusals and closes, for Analytics Engine (analytics.ts). */
  get refusalCount(): number {
    return sum(this.refusals);
  }

  get closeCount(): number {
    return sum(this.closes);
  }

  /** Writes what changed since the previous data point, if there is a binding (and anything changed). */
  flush(now: number): void {
    this.points?.write(this, now);
  }

  /**
   * An event: the object was awake since the one before, up to AWAKE_TAIL_MS (after that long without one it was
   * idle, hibernating or evicted, and not billed). A busy object's changes go to Analytics Engine now and then.
   */
  private busy(now: number): void {
    const gap = now - this.lastEventAt;
    this.awakeMs += Math.min(gap, AWAKE_TAIL_MS);
    this.lastEventAt = now;
    if (this.points?.due(now)) this.flush(now);
  }
}

function sum(counts: Map<unknown, number>): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}
