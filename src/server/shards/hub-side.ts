// The hub's side of its shards: where a connection goes once the hub holds SHARD_CAPACITY, what the hub knows of
// the connections each shard holds (remote-connection.ts: one link per shard, with its stream of items), and which
// of them it keeps in memory. The room's own code (the room, its sessions, moderation) sees a shard's connection as
// a socket like its own (`RemoteConnection`). Only what everyone hears is sent differently: once per shard that has
// members, which sends it on to them (`audience`).

import type { CloseCode } from "../../shared/close-codes";
import type { Dialect, Member, ServerPacket } from "../../shared/protocol";
import type { Env } from "../config/env";
import type { Audience } from "../connections/fan-out";
import { announceJoins, broadcast, sendPacket } from "../connections/fan-out";
import { type Attachment, memberOf, type RoomSocket } from "../connections/session";
import type { Sessions } from "../connections/sessions";
import type { ObjectCounters, RoomCounters } from "../observability/room-counters";
import type { RoomStorage } from "../storage/room-storage";
import type { HubRoster } from "./hub-roster";
import { RemoteConnection, ShardLink } from "./remote-connection";
import type { ShardMember, ShardMembers } from "./shard-members";
import { type CheckIn, CONNECTION_HEADER, type Report, SESSION_HEADER, SHARD_HEADER, shardName } from "./wire";

export interface ShardInfo {
  shard: number;
  connections: number;
  members: number;
  /** Calls carrying items to the shard since the hub last started. */
  deliveries: number;
}

/**
 * How long the hub keeps a member on a shard in memory after it last used it. Longer than any change the hub makes
 * to its session takes to reach its shard (a delivery's tries take well under a second): a frame that comes after
 * that carries the session as the hub set it. And long enough that whatever the hub charged the connection (answers
 * to its rate limit, its share of the room's budget, its state's pace) has been paid back by the time it is let go
 * of: it starts afresh, as a connection that was quiet that long would be.
 */
export const IDLE_MS = 10_000;

export class ShardSet {
  private readonly links = new Map<number, ShardLink>();
  private sweptAt = 0;

  constructor(
    private readonly env: Env,
    private readonly room: string,
    private readonly capacity: number,
    /** When this instance of the hub started: shards drop deliveries of an older one (in-order.ts). */
    private readonly epoch: number,
    /** The hub's own members, for its shards' members to hear of their leave if the hub loses them. */
    private readonly hubRoster: HubRoster,
    /** Its shards' members, kept in its storage (shard-members.ts). */
    private readonly table: ShardMembers,
    /** A connection the hub lets go of: whatever it was charged is forgotten (limits/charges.ts). */
    private readonly letGo: (connection: RemoteConnection) => void,
    /** The hub's counters (observability/room-counters.ts): what it sends, calls and places. */
    private readonly counts: RoomCounters,
  ) {}

  /** The connection a report of shard `shard` names, if the room has it (reports carry what it takes to find it). */
  reported(shard: number, report: Report): RemoteConnection | undefined {
    const link = this.link(shard);
    const kept = link.connections.get(report.conn);
    if (kept) return this.used(kept);
    if (report.kind === "frame") {
      // A member the hub let go of while it was idle: its shard sends its session with each of its frames.
      const { session } = report;
      if (!session.joined || !this.table.has(session.id)) return undefined;
      const connection = this.keep(link, report.conn, session);
      connection.listedAlready();
      return connection;
    }
    const member = report.id === undefined ? undefined : this.table.member(report.id);
    return member?.conn === report.conn ? this.materialize(member) : undefined;
  }

  /** A member found in storage, as a connection: the one the hub keeps in memory, if it does (its session is newer). */
  materialize({ shard, conn, session }: ShardMember): RemoteConnection {
    const link = this.link(shard);
    const kept = link.connections.get(conn);
    if (kept) return this.used(kept);
    const connection = this.keep(link, conn, session);
    connection.listedAlready();
    return connection;
  }

  /**
   * A place for a connection the hub has no room for, on the first shard with room. A new shard is counted in
   * storage before it is used: a hub that starts again asks every shard it ever opened whom it holds.
   */
  place(storage: RoomStorage): RemoteConnection {
    let shard = 1;
    while ((this.links.get(shard)?.held ?? 0) >= this.capacity) shard++;
    if (shard > storage.shardCount) storage.countShards(shard);
    // A log line when a shard starts taking connections (again): not one per connection of a megaroom.
    if ((this.links.get(shard)?.held ?? 0) === 0) this.counts.shardPlaced(shard);
    return new RemoteConnection(this.link(shard), crypto.randomUUID(), undefined, false);
  }

  /** The answer that sends the upgrade on to the connection's shard (the Worker), with the session it starts with. */
  routing(connection: RemoteConnection): Response {
    const link = this.link(connection.shard);
    link.connections.set(connection.conn, this.used(connection));
    link.held++;
    connection.routed();
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

  /** Closes every connection of every shard (the room is deleted): nobody hears of anyone's leave. */
  closeAll(shardCount: number, code: CloseCode, reason: string): void {
    for (let shard = 1; shard <= shardCount; shard++) {
      const link = this.link(shard);
      link.push({ kind: "close_all", code, reason });
      for (const connection of link.connections.values()) connection.list(false);
      link.members = 0;
    }
  }

  /** A connection is gone (the runtime or its shard reported it): the hub no longer counts it. */
  dropConnection(socket: RoomSocket): void {
    if (!(socket instanceof RemoteConnection)) return;
    // Once: a connection reported gone twice is no longer kept the second time.
    const link = this.links.get(socket.shard);
    if (link?.connections.delete(socket.conn)) link.held = Math.max(0, link.held - 1);
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
        this.keepInHubRoster(sessions, joins);
      },
      // In summary presence (room/presence.ts) the shards hear only counts, which come as packets; the roster follows.
      counted: (joins, leaves) => {
        this.keepInHubRoster(sessions, joins);
        this.hubRoster.drop(leaves);
      },
    };
  }

  private keepInHubRoster<Socket extends RoomSocket>(
    sessions: Sessions<Socket>,
    joins: readonly { member: Member; socket: Socket }[],
  ): void {
    if (this.hubRoster.started) {
      this.hubRoster.keep(
        joins.filter(({ socket }) => !(socket instanceof RemoteConnection)).map(({ member }) => member),
      );
    } else if (joins.some(({ socket }) => socket instanceof RemoteConnection)) {
      // The first member on a shard: from now on, members who do not share the hub's fate know the hub's own.
      this.hubRoster.keep(sessions.joinedHere().map(([, session]) => memberOf(session)));
    }
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
   * For a hub that starts again: how many sockets and members every shard holds, and the connections it holds that
   * the hub keeps in memory (not joined yet, or closed and not gone yet); its members are in storage. A shard that
   * missed what the hub stored before it stopped (its delivery was lost with it) gets it first: `missed`, what came
   * after the newest position of the room's log it delivered (room/hub.ts).
   */
  async rebuild(storage: RoomStorage, missed: (after: number) => ServerPacket[]): Promise<RemoteConnection[]> {
    const connections: RemoteConnection[] = [];
    // Members as the hub counts them, whose leave it announces: a shard's own count misses those whose close it
    // has not told the hub yet.
    const members = this.table.countsByShard();
    await Promise.all(
      Array.from({ length: storage.shardCount }, async (_, index) => {
        const link = this.link(index + 1);
        link.members = members.get(link.shard) ?? 0;
        try {
          const roster = await link.call((stub) => stub.roster());
          link.held = roster.held;
          for (const { id, state } of roster.states) this.table.setState(id, state);
          for (const { conn, attachment } of roster.connections) {
            const connection = this.keep(link, conn, attachment);
            connections.push(connection);
          }
          if (roster.lastSeq !== undefined && link.members > 0) {
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
        // A connection not joined yet may still be on its way to the shard: the join check times it.
        for (const [conn, connection] of link.connections) {
          const onItsWay = connection.readyState === WebSocket.OPEN && connection.member === undefined;
          if (!held.has(conn) && !onItsWay) gone.push(connection);
        }
        // Fewer members there than the hub counts: one left without a word (its shard crashed, or its close was
        // lost). Only then are the shard's members read from storage, to find which.
        if (answer.members < link.members)
          for (const member of this.table.onShard(link.shard))
            if (!held.has(member.conn)) gone.push(this.materialize(member));
        for (const { conn, id } of answer.silent) {
          const connection = this.reported(link.shard, { kind: "closed", conn, id });
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
    return [...this.links.values()].map(({ shard, held, members, delivered }) => ({
      shard,
      connections: held,
      members,
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
    for (const link of this.links.values()) if (link.members > 0) yield link;
  }

  /** Keeps a connection in memory, as used now. */
  private keep(link: ShardLink, conn: string, attachment: Attachment): RemoteConnection {
    const connection = new RemoteConnection(link, conn, attachment, true);
    link.connections.set(conn, connection);
    return this.used(connection);
  }

  /**
   * A connection used now. Members the hub has not used for IDLE_MS are let go of, at most once per IDLE_MS: what
   * the hub keeps in memory grows with the members who speak, not with those who listen.
   */
  private used(connection: RemoteConnection): RemoteConnection {
    const now = Date.now();
    connection.usedAt = now;
    if (now - this.sweptAt < IDLE_MS) return connection;
    this.sweptAt = now;
    for (const link of this.links.values()) {
      for (const [conn, kept] of link.connections) {
        if (kept.member === undefined || kept.readyState !== WebSocket.OPEN || now - kept.usedAt <= IDLE_MS) continue;
        link.connections.delete(conn);
        this.letGo(kept);
      }
    }
    return connection;
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
