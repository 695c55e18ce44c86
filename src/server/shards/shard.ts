// A shard of a room too big for one object (docs/scaling.md). It holds some of the room's sockets and does for them
// what needs no one else: it answers pings, checks every frame (size, its sender's rate limit, validity) and answers
// what fails, and admits joins against joins per second of its own (shard-joins.ts). Everything else goes to the room's hub as the raw frame, in batches; what the hub decides comes back
// as items (wire.ts), which the shard carries out in the hub's order: sending what everyone hears to its
// members, answering one connection, closing one.
//
// A shard stores nothing. A connection's session lives in its socket's attachment as the hub last sent it, and the
// shard has no alarm: the hub's sweep asks it about its members when the hub wakes (`checkIn`). So a shard whose
// members are quiet hibernates and costs nothing.

import { DurableObject } from "cloudflare:workers";
import type { CloseCode } from "../../shared/close-codes";
import { decodeFrame, frameBytes } from "../../shared/codec";
import type { Dialect, ProtocolError, ServerPacket } from "../../shared/protocol";
import type { Env } from "../config/env";
import { type RoomSettings, readSettings } from "../config/settings";
import { answerClose } from "../connections/closing";
import { acceptUpgrade } from "../connections/compression";
import { announceJoins, broadcast, sendErrorPacket, sendFrame } from "../connections/fan-out";
import { batchBudget } from "../connections/frame-fit";
import { Liveness } from "../connections/liveness";
import type { JoinedSession, Session } from "../connections/session";
import { Charges } from "../limits/charges";
import { Intake } from "../limits/intake";
import { Analytics } from "../observability/analytics";
import { type ObjectCounters, RoomCounters } from "../observability/room-counters";
import { Courier } from "./courier";
import { EarlyItems } from "./early-items";
import { InOrder } from "./in-order";
import { ShardJoins } from "./shard-joins";
import { ShardSockets } from "./shard-sockets";
import {
  type CheckIn,
  CONNECTION_HEADER,
  type Delivery,
  type Item,
  type Report,
  type Roster,
  roomOfShard,
  SESSION_HEADER,
} from "./wire";

export class RoomShard extends DurableObject<Env> {
  private readonly settings: RoomSettings;
  private readonly sockets: ShardSockets<WebSocket>;
  private readonly charges: Charges<WebSocket>;
  private readonly intake: Intake<WebSocket>;
  private readonly joins: ShardJoins;
  private readonly liveness: Liveness<WebSocket>;
  private readonly inOrder = new InOrder();
  /** Items for connections the hub placed here that have not arrived yet. */
  private readonly earlyItems = new EarlyItems();
  private readonly toHub: Courier<Report, Report[]>;
  /** The newest position of the room's log delivered here, for a hub that starts again (hub-side.ts, `rebuild`). */
  private lastSeq: number | undefined;
  /** What this shard did since it started (observability/room-counters.ts). */
  private readonly counts: RoomCounters;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.settings = readSettings(env);
    const { room, shard } = roomOfShard(ctx.id.name ?? "");
    const now = Date.now();
    const points = env.ROOM_METRICS && new Analytics(env.ROOM_METRICS, now, () => ctx.storage.sql.databaseSize);
    this.counts = new RoomCounters(room, `shard-${shard}`, now, points);
    this.sockets = new ShardSockets(ctx.getWebSockets());
    this.charges = new Charges(this.settings, Date.now());
    this.joins = new ShardJoins(this.charges);
    this.intake = new Intake(this.settings.limits, this.charges, {
      sendError: (socket, dialect, error) => this.sendError(socket, dialect, error),
      close: (socket, code, reason) => this.closeHere(socket, code, reason),
      sendFrame: (socket, frame) => {
        sendFrame(socket, frame);
        this.counts.framesOut++;
      },
    });
    // Only its members' silence: the hub times joins (its join check closes a connection here through an item).
    this.liveness = new Liveness(this.settings, {
      unjoined: () => [],
      lastPing: (socket) => ctx.getWebSocketAutoResponseTimestamp(socket)?.getTime(),
      close: () => {},
    });
    this.toHub = new Courier(
      (reports) => reports,
      (reports) => {
        this.counts.callsOut++;
        return env.ROOMS.getByName(room).fromShard(shard, reports);
      },
      (reports, error) => this.undelivered(reports, error),
    );
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** Accepts a connection the hub placed here (the Worker passes the hub's routing headers on). */
  override async fetch(request: Request): Promise<Response> {
    this.counts.callIn(Date.now());
    const conn = request.headers.get(CONNECTION_HEADER);
    const session = request.headers.get(SESSION_HEADER);
    if (!conn || !session) return new Response("a shard takes only connections its hub placed", { status: 400 });
    const { socket, response } = acceptUpgrade(this.ctx);
    this.counts.connections++;
    this.sockets.open(socket, conn, JSON.parse(session) as Session);
    // What the hub did to the connection while it was on its way: a ban, say, closes it now.
    for (const item of this.earlyItems.take(conn)) this.carryOut(item);
    return response;
  }

  override async webSocketMessage(socket: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    const now = Date.now();
    const bytes = frameBytes(frame);
    this.counts.frameIn(bytes, now);
    const held = this.sockets.get(socket);
    if (!held || socket.readyState !== WebSocket.OPEN) return;
    this.liveness.heard(socket, now);
    const taken = this.intake.take(socket, held.session, frame, bytes, now);
    if (!taken || taken.request.kind === "ignore") return;
    if (taken.request.kind === "join" && !held.session.joined) {
      const busy = this.joins.admit(held.conn, now);
      if (busy) {
        // Charged to its sender, as the hub charges a refused join (room.ts).
        const frames = sendErrorPacket(socket, held.session, taken.dialect, { ...busy, ...taken.answering });
        return this.charges.answered(socket, frames, now);
      }
    }
    // With its session: the hub keeps its members' in storage, not in memory (shard-members.ts).
    this.toHub.push({ kind: "frame", conn: held.conn, frame, session: held.session });
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    this.depart(socket, code);
    answerClose(socket, code);
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    // No close event follows an error: the connection broke (1006, as a client sees it).
    this.depart(socket, 1006);
  }

  /** Items from the hub, carried out in the hub's order, each once. */
  async deliver(delivery: Delivery): Promise<void> {
    this.counts.callIn(Date.now());
    for (const { items } of this.inOrder.take(delivery)) for (const item of items) this.carryOut(item);
  }

  /** Whom this shard holds, for a hub that starts again: how many, and those that have not joined or are retired. */
  async roster(): Promise<Roster> {
    this.counts.callIn(Date.now());
    const connections = this.sockets.roster();
    const joined = this.sockets.joined();
    const roster: Roster = {
      held: connections.length,
      connections: connections.filter(({ attachment }) => !("joined" in attachment && attachment.joined)),
      states: joined.flatMap(([, { id, state }]) => (state === undefined ? [] : [{ id, state }])),
    };
    if (this.lastSeq !== undefined) roster.lastSeq = this.lastSeq;
    return roster;
  }

  /** The hub's sweep: the connections held (retired ones too), how many are members, and the silent members. */
  async checkIn(): Promise<CheckIn> {
    this.counts.callIn(Date.now());
    const joined = this.sockets.joined();
    const silent = this.liveness.silent(
      joined.map(([socket]) => socket),
      Date.now(),
    );
    return {
      held: this.sockets.roster().map(({ conn }) => conn),
      members: joined.length,
      silent: silent.map((socket) => {
        const { conn, session } = this.sockets.get(socket)!;
        return { conn, id: (session as JoinedSession).id };
      }),
    };
  }

  /** What this shard did since it started, for its hub's `GET /api/rooms/<name>/counters`. Reads only. */
  async counters(): Promise<ObjectCounters> {
    this.counts.callIn(Date.now());
    return this.counts.read(this.ctx.storage.sql.databaseSize);
  }

  // -------------------------------------------------------------------------------------------------------------

  private carryOut(item: Item): void {
    if ("conn" in item && !this.sockets.socket(item.conn)) return this.earlyItems.keep(item, Date.now());
    switch (item.kind) {
      case "attach":
        if (item.attachment.joined) this.joins.joined(item.conn);
        return this.sockets.attach(item.conn, item.attachment);
      case "join_refused":
        return this.joins.refused(item.conn, Date.now());
      case "close_all":
        for (const { conn } of this.sockets.all()) this.close(this.sockets.socket(conn)!, item.code, item.reason);
        return;
      case "send": {
        const socket = this.sockets.socket(item.conn);
        if (!socket) return;
        sendFrame(socket, item.frame);
        this.counts.framesOut++;
        return;
      }
      case "close": {
        const socket = this.sockets.socket(item.conn);
        if (socket) this.close(socket, item.code, item.reason);
        return;
      }
      case "packet": {
        const { packet } = item;
        const position = positionOf(packet);
        if (position !== undefined) {
          // A hub that starts again re-sends what this shard may have missed: nothing is delivered twice.
          if (this.lastSeq !== undefined && position <= this.lastSeq) return;
          this.lastSeq = position;
        }
        this.counts.framesOut += broadcast(this.sockets.joined(), packet);
        return;
      }
      case "joins": {
        const here = new Map(this.sockets.joined().map(([socket, session]) => [session.id, socket]));
        const joins = item.members.map((member) => ({ member, socket: here.get(member.id) ?? NOT_HERE }));
        this.counts.framesOut += announceJoins(this.sockets.joined(), joins, batchBudget(this.settings.limits));
        return;
      }
    }
  }

  /**
   * A connection the runtime reports gone: the hub announces its leave, or stops counting one it closed. One the
   * shard still held was ended by its client (`code`).
   */
  private depart(socket: WebSocket, code: number): void {
    if (this.sockets.get(socket)) this.counts.closed(code);
    this.counts.socketGone(Date.now());
    const id = this.memberId(socket);
    const conn = this.sockets.remove(socket);
    this.resetLastSeqIfEmpty();
    if (conn === undefined) return;
    this.joins.forget(conn);
    this.toHub.push(id === undefined ? { kind: "closed", conn } : { kind: "closed", conn, id });
  }

  /** The member id of a socket's session, for the hub to find it by (it keeps its members in storage). */
  private memberId(socket: WebSocket): number | undefined {
    const session = this.sockets.get(socket)?.session;
    return session?.joined ? session.id : undefined;
  }

  /** A connection this shard closes itself (too big a frame, flooding): the hub hears it shut, and later gone. */
  private closeHere(socket: WebSocket, code: CloseCode, reason: string): void {
    const id = this.memberId(socket);
    const conn = this.close(socket, code, reason);
    if (conn === undefined) return;
    this.toHub.push(id === undefined ? { kind: "shut", conn, code, reason } : { kind: "shut", conn, code, reason, id });
  }

  private close(socket: WebSocket, code: CloseCode, reason: string): string | undefined {
    const conn = this.sockets.retire(socket);
    if (conn !== undefined) this.counts.closed(code);
    this.resetLastSeqIfEmpty();
    try {
      socket.close(code, reason);
    } catch {
      // Gone already.
    }
    return conn;
  }

  /**
   * With no member left, nobody needs the order kept; and a room that emptied its storage (deleted, or with its
   * history expired) numbers its messages from 1 again, which the next members here must receive.
   */
  private resetLastSeqIfEmpty(): void {
    if (this.sockets.joined().length === 0) this.lastSeq = undefined;
  }

  /** Frames the hub could not be reached for: their senders hear so, to send again. Closes are kept for later. */
  private undelivered(reports: Report[], error: unknown): void {
    console.error(`shard: the hub did not take ${reports.length} reports: ${String(error)}`);
    for (const report of reports) {
      if (report.kind !== "frame") {
        this.toHub.push(report);
        continue;
      }
      const socket = this.sockets.socket(report.conn);
      if (!socket) continue;
      this.sendError(socket, "native", {
        code: "internal_error",
        message: "the room could not take that packet; send it again",
        ...decodeFrame(report.frame, this.settings.limits).answering,
      });
    }
  }

  private sendError(socket: WebSocket, dialectBeforeJoin: Dialect, error: ProtocolError): void {
    this.counts.framesOut += sendErrorPacket(
      socket,
      this.sockets.get(socket)?.session,
      dialectBeforeJoin,
      error,
    ).length;
    this.counts.refused(error.code, error.for);
  }
}

/** A packet's position in the room's log: a chat's seq, a change's `at`; undefined for what is no entry of it. */
function positionOf(packet: ServerPacket): number | undefined {
  switch (packet.type) {
    case "chat":
      return packet.seq;
    case "edited":
    case "deleted":
    case "reactions":
      return packet.at;
    default:
      return undefined;
  }
}

/** Stands for a member of another shard (or of the hub) in a batch of joins: no socket here is it. */
const NOT_HERE = { send() {}, serializeAttachment() {}, deserializeAttachment() {} } as unknown as WebSocket;
