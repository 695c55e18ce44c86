// The hub's side of its shards: where a connection goes once the hub holds SHARD_CAPACITY, what the hub knows of
// the connections each shard holds, and the one ordered stream of items the hub sends each shard. The room's own
// code (the room, its sessions, moderation) sees a shard's connection as a socket like its own (`RemoteConnection`):
// sending to it, closing it and saving its session become items for its shard. Only what everyone hears is sent
// differently: once per shard that has members, which sends it on to them (`audience`).

import type { CloseCode } from "../../shared/close-codes";
import type { Dialect, Member, ServerPacket } from "../../shared/protocol";
import type { Env } from "../config/env";
import type { Audience } from "../connections/fan-out";
import { announceJoins, broadcast, sendPacket } from "../connections/fan-out";
import { type Attachment, memberOf, type RoomSocket } from "../connections/session";
import type { Sessions } from "../connections/sessions";
import type { ObjectCounters, RoomCounters } from "../observability/room-counters";
import type { RoomStorage } from "../storage/room-storage";
import { Courier } from "./courier";
import type { HubRoster } from "./hub-roster";
import type { RoomShard } from "./shard";
import {
  type CheckIn,
  CONNECTION_HEADER,
  type Delivery,
  type Item,
  SESSION_HEADER,
  SHARD_HEADER,
  shardName,
} from "./wire";

/** A member's connection, as a room sees it: a socket of the room's own, or one a shard holds. */
export type Connection = WebSocket | RemoteConnection;

/** A connection a shard holds, as the hub sees it. */
export class RemoteConnection implements RoomSocket {
  private attachment: Attachment | undefined;
  private open = true;

  constructor(
    private readonly link: ShardLink,
    readonly conn: string,
    attachment?: Attachment,
  ) {
    this.attachment = attachment;
    if (attachment !== undefined) link.trackMembership(conn, attachment);
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
    // A connection being placed has no socket yet: its first session travels with the routing answer instead. A
    // retirement needs no item: the close that follows it retires the socket on the shard.
    const placed = this.link.connections.has(this.conn);
    if (placed && !("retired" in attachment)) this.link.push({ kind: "attach", conn: this.conn, attachment });
    this.attachment = attachment;
    this.link.trackMembership(this.conn, attachment);
  }

  deserializeAttachment(): Attachment | undefined {
    return this.attachment;
  }
}

type ShardStub = DurableObjectStub<RoomShard>;

export interface ShardInfo {
  shard: number;
  connections: number;
  members: number;
  /** Calls carrying items to the shard since the hub last started. */
  deliveries: number;
}

/** One shard: the connections it holds, and the ordered stream of items the hub sends it. */
class ShardLink {
  readonly connections = new Map<string, RemoteConnection>();
  /** The connections that have joined: a shard without any hears nothing of what everyone hears. */
  readonly members = new Set<string>();
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

  /** Keeps `members` in step with a connection's attachment: joined, or not (yet, or any more). */
  trackMembership(conn: string, attachment: Attachment): void {
    if ("joined" in attachment && attachment.joined) this.members.add(conn);
    else this.members.delete(conn);
  }
}

export class ShardSet {
  private readonly links = new Map<number, ShardLink>();

  constructor(
    private readonly env: Env,
    private readonly room: string,
    private readonly capacity: number,
    /** When this instance of the hub started: shards drop deliveries of an older one (in-order.ts). */
    private readonly epoch: number,
    /** The hub's own members, for its shards' members to hear of their leave if the hub loses them. */
    private readonly hubRoster: HubRoster,
    /** The hub's counters (observability/room-counters.ts): what it sends, calls and places. */
    private readonly counts: RoomCounters,
  ) {}

  /** The connection `conn` of shard `shard`, if the hub holds it. */
  connection(shard: number, conn: string): RemoteConnection | undefined {
    return this.links.get(shard)?.connections.get(conn);
  }

  /**
   * A place for a connection the hub has no room for, on the first shard with room. A new shard is counted in
   * storage before it is used: a hub that starts again asks every shard it ever opened whom it holds.
   */
  place(storage: RoomStorage): RemoteConnection {
    let shard = 1;
    while ((this.links.get(shard)?.connections.size ?? 0) >= this.capacity) shard++;
    if (shard > storage.shardCount) storage.countShards(shard);
    // A log line when a shard starts taking connections (again): not one per connection of a megaroom.
    if ((this.links.get(shard)?.connections.size ?? 0) === 0) this.counts.shardPlaced(shard);
    return new RemoteConnection(this.link(shard), crypto.randomUUID());
  }

  /** The answer that sends the upgrade on to the connection's shard (the Worker), with the session it starts with. */
  routing(connection: RemoteConnection): Response {
    this.link(connection.shard).connections.set(connection.conn, connection);
    return new Response(null, {
      status: 204,
      headers: {
        [SHARD_HEADER]: String(connection.shard),
        [CONNECTION_HEADER]: connection.conn,
        [SESSION_HEADER]: JSON.stringify(connection.deserializeAttachment()),
      },
    });
  }

  /** Closes a connection the hub does not know, on the shard that holds it. */
  closeUnknown(shard: number, conn: string, code: CloseCode, reason: string): void {
    this.link(shard).push({ kind: "close", conn, code, reason });
  }

  /** A connection is gone (the runtime or its shard reported it): the hub no longer counts it. */
  dropConnection(socket: RoomSocket): void {
    if (!(socket instanceof RemoteConnection)) return;
    const link = this.links.get(socket.shard);
    link?.connections.delete(socket.conn);
    link?.members.delete(socket.conn);
  }

  /**
   * What the hub announces: to its own members, and once to each shard with members, for all of theirs. The hub's
   * roster follows it (hub-roster.ts). What one connection alone hears goes to its socket, or its shard; an error
   * among it is a refusal, counted and logged here, where every one the hub answers passes.
   */
  /** `budget`: what one frame of joins may hold (frame-fit.ts, `batchBudget`). */
  audience<Socket extends RoomSocket>(sessions: Sessions<Socket>, budget: number): Audience<Socket> {
    const { counts } = this;
    return {
      tell: (socket: Socket, dialect: Dialect, packet: ServerPacket) => {
        const frames = sendPacket(socket, dialect, packet);
        if (!(socket instanceof RemoteConnection)) counts.framesOut += frames.length;
        if (packet.type === "error") counts.refused(packet.code, packet.for);
        return frames;
      },
      broadcast: (packet) => {
        counts.framesOut += broadcast(sessions.joinedHere(), packet);
        for (const link of this.withMembers()) link.push({ kind: "packet", packet });
        this.updateHubRoster(packet);
      },
      announceJoins: (joins) => {
        counts.framesOut += announceJoins(sessions.joinedHere(), joins, budget);
        const members = joins.map(({ member }) => member);
        for (const link of this.withMembers()) link.push({ kind: "joins", members });
        if (this.hubRoster.started) {
          this.hubRoster.keep(
            joins.filter(({ socket }) => !(socket instanceof RemoteConnection)).map(({ member }) => member),
          );
        } else if (joins.some(({ socket }) => socket instanceof RemoteConnection)) {
          // The first member on a shard: from now on, members who do not share the hub's fate know the hub's own.
          this.hubRoster.keep(sessions.joinedHere().map(([, session]) => memberOf(session)));
        }
      },
    };
  }

  /** The hub's roster after a leave or rename (a shard member's changes nothing in it). */
  private updateHubRoster(packet: ServerPacket): void {
    if (packet.type === "leave" || packet.type === "leaves") {
      this.hubRoster.drop(packet.type === "leave" ? [packet] : packet.members);
    } else if (packet.type === "rename") {
      const { type: _type, previous: _previous, ...member } = packet;
      this.hubRoster.renamed(member satisfies Member);
    }
  }

  /**
   * For a hub that starts again: the connections every shard holds. A shard that missed what the hub stored before
   * it stopped (its delivery was lost with it) gets it first: `missed`, what came after the newest position of the
   * room's log it delivered (room/hub.ts).
   */
  async rebuild(storage: RoomStorage, missed: (after: number) => ServerPacket[]): Promise<RemoteConnection[]> {
    const connections: RemoteConnection[] = [];
    await Promise.all(
      Array.from({ length: storage.shardCount }, async (_, index) => {
        const link = this.link(index + 1);
        try {
          const roster = await link.call((stub) => stub.roster());
          for (const { conn, attachment } of roster.connections) {
            const connection = new RemoteConnection(link, conn, attachment);
            link.connections.set(conn, connection);
            connections.push(connection);
          }
          if (roster.lastSeq !== undefined && link.members.size > 0) {
            for (const packet of missed(roster.lastSeq)) link.push({ kind: "packet", packet });
          }
        } catch (error) {
          // Its connections' frames will reach a hub that does not know them, which closes them: they come back.
          console.error(`room: shard ${link.shard} did not say whom it holds: ${String(error)}`);
        }
      }),
    );
    return connections;
  }

  /**
   * The sweep's question to every shard with members (room/silence-sweep.ts): which of them are gone (the shard crashed, or their close
   * was lost), and which are silent for longer than the silence limit.
   */
  async checkIn(): Promise<{ gone: RemoteConnection[]; silent: RemoteConnection[] }> {
    const gone: RemoteConnection[] = [];
    const silent: RemoteConnection[] = [];
    await Promise.all(
      [...this.withMembers()].map(async (link) => {
        let answer: CheckIn;
        try {
          answer = await link.call((stub) => stub.checkIn());
        } catch {
          return; // Asked again at the next sweep.
        }
        const held = new Set(answer.held);
        for (const conn of link.members) if (!held.has(conn)) gone.push(link.connections.get(conn)!);
        for (const conn of answer.silent) {
          const connection = link.connections.get(conn);
          if (connection) silent.push(connection);
        }
      }),
    );
    return { gone, silent };
  }

  /** Whether any shard holds a member: only then has a sweep anything to ask the shards (room/silence-sweep.ts). */
  get hasMembers(): boolean {
    return !this.withMembers().next().done;
  }

  /** What `GET /api/rooms/<name>` tells of the shards this instance of the hub knows. */
  info(): ShardInfo[] {
    return [...this.links.values()].map(({ shard, connections, members, delivered }) => ({
      shard,
      connections: connections.size,
      members: members.size,
      deliveries: delivered,
    }));
  }

  /** For `GET /api/rooms/<name>/counters`: the counters of every shard with members, by shard; none that fails. */
  async counters(): Promise<ObjectCounters[]> {
    const answers = await Promise.all(
      [...this.withMembers()].map((link) =>
        link
          .call((stub) => stub.counters())
          .catch((error: unknown) => {
            console.error(`room: shard ${link.shard} did not say its counters: ${String(error)}`);
            return undefined;
          }),
      ),
    );
    return answers.filter((answer) => answer !== undefined);
  }

  private *withMembers(): Generator<ShardLink> {
    for (const link of this.links.values()) if (link.members.size > 0) yield link;
  }

  private link(shard: number): ShardLink {
    let link = this.links.get(shard);
    if (!link) {
      link = new ShardLink(
        shard,
        () => this.env.SHARDS.getByName(shardName(this.room, shard)),
        this.epoch,
        this.counts,
      );
      this.links.set(shard, link);
    }
    return link;
  }
}
