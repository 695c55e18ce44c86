// A connection a shard holds, as the hub sees it (`RemoteConnection`), and the hub's link to one shard (`ShardLink`):
// the counts of what it holds, and the one ordered stream of items the hub sends it (docs/scaling.md). To the room's
// own code a shard's connection is a socket like its own: sending to it, closing it and saving its session become
// items for its shard.

import type { CloseCode } from "../../shared/close-codes";
import type { Attachment, JoinedSession, RoomSocket } from "../connections/session";
import type { RoomCounters } from "../observability/room-counters";
import { Courier } from "./courier";
import type { RoomShard } from "./shard";
import type { Delivery, Item } from "./wire";

/** A member's connection, as a room sees it: a socket of the room's own, or one a shard holds. */
export type Connection = WebSocket | RemoteConnection;

/** A connection a shard holds, as the hub sees it. */
export class RemoteConnection implements RoomSocket {
  private attachment: Attachment | undefined;
  private open = true;
  /** Whether it is a member kept in the hub's storage rather than its memory (far-members.ts). */
  private listed = false;
  /** When the hub last used it: one idle for long is let go of, its session being its shard's and in storage. */
  usedAt = 0;

  constructor(
    private readonly link: ShardLink,
    readonly conn: string,
    attachment: Attachment | undefined,
    /** Whether its shard holds its socket yet: a connection being placed gets its first session with its routing. */
    private placed: boolean,
  ) {
    this.attachment = attachment;
  }

  get shard(): number {
    return this.link.shard;
  }

  get readyState(): number {
    return this.open ? WebSocket.OPEN : WebSocket.CLOSED;
  }

  send(frame: string): void {
    this.link.push({ kind: "send", conn: this.conn, frame });
  }

  close(code: CloseCode, reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.link.push({ kind: "close", conn: this.conn, code, reason });
  }

  serializeAttachment(attachment: Attachment): void {
    // A retirement needs no item: the close that follows it retires the socket on the shard.
    if (this.placed && !("retired" in attachment)) this.link.push({ kind: "attach", conn: this.conn, attachment });
    this.attachment = attachment;
  }

  deserializeAttachment(): Attachment | undefined {
    return this.attachment;
  }

  /** The session of a member kept in storage; undefined for a connection not joined yet, closed, or gone. */
  get member(): JoinedSession | undefined {
    const { attachment } = this;
    return this.listed && attachment && "joined" in attachment && attachment.joined ? attachment : undefined;
  }

  /** It joined, or (`false`) it is no longer a member: its shard counts one member more, or fewer. */
  list(listed: boolean): void {
    if (listed === this.listed) return;
    this.listed = listed;
    this.link.members = Math.max(0, this.link.members + (listed ? 1 : -1));
  }

  /** A member known before this object was made (from storage, or a frame of its shard's): counted already. */
  listedAlready(): void {
    this.listed = true;
  }

  /** Its shard has its socket: from now on, changes to its session go to it as items. */
  routed(): void {
    this.placed = true;
  }

  /** A frame of this connection left it unjoined: a join its shard charged, if it was one, gives its token back. */
  joinRefused(): void {
    this.link.push({ kind: "join_refused", conn: this.conn });
  }
}

type ShardStub = DurableObjectStub<RoomShard>;

/**
 * One shard: what the hub knows of the connections it holds, and the ordered stream of items the hub sends it. The
 * hub keeps counts of them, and in memory only the connections that have not joined yet, those it closed that are
 * not gone yet, and the members it used lately (`ShardSet.materialize`).
 */
export class ShardLink {
  readonly connections = new Map<string, RemoteConnection>();
  /** How many sockets the shard holds: it takes new connections until SHARD_CAPACITY. */
  held = 0;
  /** How many of them are members: a shard without any hears nothing of what everyone hears. */
  members = 0;
  private epoch: number;
  private tick = 0;
  /** Deliveries sealed since the hub started, all epochs. */
  delivered = 0;
  private readonly courier: Courier<Item, Delivery>;

  private stub: ShardStub | undefined;

  constructor(
    readonly shard: number,
    private readonly connect: () => ShardStub,
    epoch: number,
    /** The hub's counters: each call to the shard is one of its `callsOut`. */
    private readonly counters: RoomCounters,
  ) {
    this.epoch = epoch;
    this.courier = new Courier(
      (items) => {
        this.delivered++;
        return { epoch: this.epoch, tick: ++this.tick, items };
      },
      (delivery) => this.call((stub) => stub.deliver(delivery)),
      (items, error) => {
        // The shard would wait forever for the lost tick: the stream starts again, in a new epoch.
        console.error(`room: shard ${shard} lost ${items.length} items: ${String(error)}`);
        this.epoch = Math.max(this.epoch + 1, Date.now());
        this.tick = 0;
      },
    );
  }

  push(item: Item): void {
    this.courier.push(item);
  }

  /** A call to the shard. A stub whose object crashed stays broken: after a failure, the next call makes a new one. */
  async call<T>(work: (stub: ShardStub) => Promise<T>): Promise<T> {
    this.counters.callsOut++;
    try {
      this.stub ??= this.connect();
      return await work(this.stub);
    } catch (error) {
      this.stub = undefined;
      throw error;
    }
  }
}
