// One chat room: a Durable Object that owns its members' WebSockets and its history.
//
// It uses the WebSocket Hibernation API: the runtime holds the sockets, and may evict this object from memory
// whenever the room is idle, re-creating it (constructor included) when the next event arrives. So nothing a
// connection needs may live only in a field: each socket's session is its attachment, and fields are caches that
// the constructor rebuilds.

import { DurableObject } from "cloudflare:workers";
import { readConfig, type RoomConfig } from "./config";
import type { Env } from "./env";
import { MessageStore } from "./message-store";
import {
  decodeFrame,
  encode,
  joinsPacket,
  leavesPacket,
  type Dialect,
  type Member,
  type ProtocolError,
  type ClientRequest,
  type ServerPacket,
} from "./protocol";
import { TokenBucket } from "./rate-limit";

/** A connection's state, kept as its WebSocket attachment so that it survives hibernation. */
type Session =
  | { id: number; joined: false }
  | { id: number; joined: true; name: string; dialect: Dialect };

type JoinedSession = Extract<Session, { joined: true }>;

/** A chat message accepted from a member and waiting to be stored and broadcast. */
interface Draft {
  ts: number;
  sender: Member;
  text: string;
  socket: WebSocket;
}

export interface RoomInfo {
  members: Member[];
  lastSeq: number;
  connections: number;
}

/** The code a connection is closed with when it keeps sending past the rate limit. */
const FLOOD_CLOSE_CODE = 1008;

/**
 * Joins and leaves are announced at most once per this many milliseconds. Announcing each one to everyone makes a
 * burst of N joins (or leaves) cost N²/2 frames, 500,000 for 1,000; within the window they are gathered into one
 * frame per member. The timer that ends a window lives only as long as the burst: it never keeps an idle room awake.
 */
const PRESENCE_WINDOW_MS = 50;

/**
 * Presence not yet announced: joins, or leaves, never both, so that everyone hears them in the order they
 * happened. A join keeps its socket: its member hears of its own join and later ones, not of earlier ones.
 */
type Unannounced =
  | { kind: "joins"; joins: { member: Member; socket: WebSocket }[] }
  | { kind: "leaves"; members: Member[] };

export class ChatRoom extends DurableObject<Env> {
  private readonly config: RoomConfig;
  private readonly store: MessageStore;
  /** Every open connection of this room, joined or not; rebuilt from the attachments after eviction. */
  private readonly sessions = new Map<WebSocket, Session>();
  /**
   * Rate-limit buckets live only in memory. Eviction forgets them, but the runtime evicts a room only after it
   * has been idle for seconds, by which time a bucket with the default settings has refilled anyway.
   */
  private readonly buckets = new WeakMap<WebSocket, TokenBucket>();
  private pending: Draft[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private unannounced: Unannounced | undefined;
  private announceTimer: ReturnType<typeof setTimeout> | undefined;
  private lastAnnouncedAt = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = readConfig(env);
    this.store = new MessageStore(ctx.storage, this.config.historyRetained);
    // Ids grow with each connection, so sorting by id lists members in the order they arrived.
    const restored = ctx.getWebSockets().map((socket) => [socket, socket.deserializeAttachment() as Session] as const);
    for (const [socket, session] of restored.sort(([, a], [, b]) => a.id - b.id)) this.sessions.set(socket, session);
    // Keep-alive pings are answered by the runtime itself, without waking the room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** Accepts a WebSocket upgrade that the Worker routed to this room. */
  override async fetch(_request: Request): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const session: Session = { id: this.store.nextConnectionId(), joined: false };
    server.serializeAttachment(session);
    this.sessions.set(server, session);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** What `GET /api/rooms/<name>` reports. */
  info(): RoomInfo {
    return { members: this.members(), lastSeq: this.store.newestSeq, connections: this.sessions.size };
  }

  override async webSocketMessage(socket: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    // Frames still arriving from a connection the room has closed (a flooder's) get no answer.
    if (socket.readyState !== WebSocket.OPEN) return;
    const session = this.sessionOf(socket);
    try {
      if (!this.admit(socket, session)) return;
      const { request, dialect } = decodeFrame(frame, this.config.limits);
      if (!request.ok) return this.sendError(socket, dialect, request.error);
      this.handle(socket, session, request.value, dialect);
    } catch (error) {
      // Whatever went wrong, the sender hears of it and the room goes on for everyone else.
      console.error(`room: connection ${session.id}: ${String(error)}`);
      this.sendError(socket, "native", {
        code: "internal_error",
        message: "the server could not handle that packet",
      });
    }
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    this.depart(socket);
    // The runtime does not answer a close frame on a hibernatable socket by itself: without this the client
    // waits for its close handshake to time out. Codes such as 1005 and 1006 only report; they cannot be sent.
    try {
      socket.close(isSendableCloseCode(code) ? code : 1000);
    } catch {
      // Already closed from our side (e.g. for flooding), or the connection is gone: nothing left to answer.
    }
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    // No close event follows an error, so this is the connection's only goodbye.
    this.depart(socket);
  }

  // -------------------------------------------------------------------------------------------------------------

  private handle(socket: WebSocket, session: Session, request: ClientRequest, packetDialect: Dialect): void {
    if (request.kind === "ignore") return;
    if (request.kind === "join") {
      if (session.joined) {
        return this.sendError(socket, packetDialect, { code: "already_joined", message: "this connection has already joined" });
      }
      return this.join(socket, session, request);
    }
    if (!session.joined) {
      return this.sendError(socket, packetDialect, { code: "not_joined", message: `join before sending ${request.kind}` });
    }
    switch (request.kind) {
      case "chat":
        this.pending.push({ ts: Date.now(), sender: { id: session.id, name: session.name }, text: request.text, socket });
        this.flushTimer ??= setTimeout(() => this.flush(), 0);
        return;
      case "rename":
        return this.rename(socket, session, request.name);
      case "history": {
        this.flush();
        const page = this.store.page(request.limit, { before: request.before });
        return this.send(socket, session.dialect, { type: "history", ...page });
      }
    }
  }

  private join(socket: WebSocket, session: Session, request: Extract<ClientRequest, { kind: "join" }>): void {
    // Store and deliver what is pending first: the welcome's history then holds it, and the joiner, not yet
    // among the members, does not receive it twice.
    this.flush();
    const page = request.since === undefined
      ? this.store.page(this.config.historyOnJoin)
      : this.store.page(this.config.limits.historyPageMax, { after: request.since });
    // Leaves not yet announced go out before the joiner is a member: its welcome does not list those members.
    if (this.unannounced?.kind === "leaves") this.announcePresence();
    const joined: JoinedSession = { id: session.id, joined: true, name: request.name, dialect: request.dialect };
    socket.serializeAttachment(joined);
    this.sessions.set(socket, joined);
    this.send(socket, joined.dialect, {
      type: "welcome",
      id: joined.id,
      name: joined.name,
      members: this.members(),
      history: page.messages,
      more: page.more,
      lastSeq: this.store.newestSeq,
      limits: this.config.limits,
    });
    this.queueJoin({ id: joined.id, name: joined.name }, socket);
  }

  private queueJoin(member: Member, socket: WebSocket): void {
    if (this.unannounced?.kind !== "joins") {
      this.announcePresence();
      this.unannounced = { kind: "joins", joins: [] };
    }
    this.unannounced.joins.push({ member, socket });
    this.scheduleAnnouncement();
  }

  private queueLeave(member: Member): void {
    if (this.unannounced?.kind !== "leaves") {
      this.announcePresence();
      this.unannounced = { kind: "leaves", members: [] };
    }
    this.unannounced.members.push(member);
    this.scheduleAnnouncement();
  }

  /** In a calm room presence is announced at once; in a burst, all together at the end of the window. */
  private scheduleAnnouncement(): void {
    const wait = this.lastAnnouncedAt + PRESENCE_WINDOW_MS - Date.now();
    if (wait <= 0) this.announcePresence();
    else this.announceTimer ??= setTimeout(() => this.announcePresence(), wait);
  }

  private announcePresence(): void {
    if (this.announceTimer !== undefined) clearTimeout(this.announceTimer);
    this.announceTimer = undefined;
    const unannounced = this.unannounced;
    if (!unannounced) return;
    this.unannounced = undefined;
    this.lastAnnouncedAt = Date.now();
    if (unannounced.kind === "leaves") return this.broadcast(leavesPacket(unannounced.members));
    this.announceJoins(unannounced.joins);
  }

  /**
   * Announces joins in one frame per member. A member who joined within the batch knows the earlier joiners from
   * its welcome, so it hears of its own join and the later ones only.
   */
  private announceJoins(joins: { member: Member; socket: WebSocket }[]): void {
    const firstNewTo = new Map(joins.map(({ socket }, index) => [socket, index]));
    const frames = new Map<string, string[]>();
    for (const [socket, session] of this.sessions) {
      if (!session.joined) continue;
      const from = firstNewTo.get(socket) ?? 0;
      const key = `${session.dialect}:${from}`;
      let encoded = frames.get(key);
      if (!encoded) {
        encoded = encode(joinsPacket(joins.slice(from).map(({ member }) => member)), session.dialect);
        frames.set(key, encoded);
      }
      for (const frame of encoded) sendFrame(socket, frame);
    }
  }

  private rename(socket: WebSocket, session: JoinedSession, name: string): void {
    this.flush();
    this.announcePresence();
    const renamed: JoinedSession = { ...session, name };
    socket.serializeAttachment(renamed);
    this.sessions.set(socket, renamed);
    this.broadcast({ type: "rename", id: session.id, name, previous: session.name });
  }

  /** Forgets a connection; announces its leave if it had joined. Safe to call more than once per socket. */
  private depart(socket: WebSocket): void {
    const session = this.sessions.get(socket);
    if (!this.sessions.delete(socket) || !session?.joined) return;
    this.flush();
    this.queueLeave({ id: session.id, name: session.name });
  }

  /** Rate-limits every frame, valid or not, so that garbage cannot be flooded either. */
  private admit(socket: WebSocket, session: Session): boolean {
    const now = Date.now();
    let bucket = this.buckets.get(socket);
    if (!bucket) {
      bucket = new TokenBucket(this.config.limits.rateLimitBurst, this.config.limits.rateLimitPerSecond, now);
      this.buckets.set(socket, bucket);
    }
    const retryAfterMs = bucket.take(now);
    if (retryAfterMs === 0) return true;
    if (bucket.refusedInARow >= this.config.floodCloseAfter) {
      // Mark the session as gone before closing, so a re-created room never announces this leave again.
      socket.serializeAttachment({ id: session.id, joined: false } satisfies Session);
      this.depart(socket);
      socket.close(FLOOD_CLOSE_CODE, "rate limit exceeded");
      // One line per closed connection: enough for an operator to see a flood, never a flood of its own.
      console.warn(`room: closed connection ${session.id} for flooding (${bucket.refusedInARow} packets refused in a row)`);
      return false;
    }
    this.sendError(socket, "native", {
      code: "rate_limited",
      message: `too many packets; retry in ${retryAfterMs} ms`,
      retryAfterMs,
    });
    return false;
  }

  /**
   * Stores every pending chat message, then broadcasts them in sequence order. Messages that arrive within one
   * burst of events are written together; the runtime's output gate holds the broadcast until the write is
   * durable, so no member ever sees a message that could be lost.
   */
  private flush(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    // Everyone hears of a join or leave before any message sent after it.
    this.announcePresence();
    const drafts = this.pending;
    this.pending = [];
    let stored;
    try {
      stored = this.store.append(drafts);
    } catch (error) {
      console.error(`room: could not store ${drafts.length} messages: ${String(error)}`);
      const failure: ProtocolError = { code: "internal_error", message: "your message could not be stored; send it again" };
      for (const draft of drafts) this.sendError(draft.socket, "native", failure);
      return;
    }
    for (const message of stored) this.broadcast({ type: "chat", ...message });
  }

  private broadcast(packet: ServerPacket): void {
    // Each packet is serialized once per dialect, not once per member.
    const frames: Partial<Record<Dialect, string[]>> = {};
    for (const [socket, session] of this.sessions) {
      if (!session.joined) continue;
      for (const frame of (frames[session.dialect] ??= encode(packet, session.dialect))) sendFrame(socket, frame);
    }
  }

  private send(socket: WebSocket, dialect: Dialect, packet: ServerPacket): void {
    for (const frame of encode(packet, dialect)) sendFrame(socket, frame);
  }

  /** Errors go out in the member's dialect; before join, in the dialect the offending packet looked like. */
  private sendError(socket: WebSocket, dialectBeforeJoin: Dialect, error: ProtocolError): void {
    const session = this.sessions.get(socket);
    this.send(socket, session?.joined ? session.dialect : dialectBeforeJoin, { type: "error", ...error });
  }

  private members(): Member[] {
    const members: Member[] = [];
    for (const session of this.sessions.values()) {
      if (session.joined) members.push({ id: session.id, name: session.name });
    }
    return members;
  }

  private sessionOf(socket: WebSocket): Session {
    let session = this.sessions.get(socket);
    if (!session) {
      session = socket.deserializeAttachment() as Session;
      this.sessions.set(socket, session);
    }
    return session;
  }
}

/**
 * A socket can be closing while the room still lists it (its close event is queued behind this one). Sending to
 * it fails; that must not stop the broadcast for everyone else, and its leave is announced when its close arrives.
 */
function sendFrame(socket: WebSocket, frame: string): void {
  try {
    socket.send(frame);
  } catch {
    // Nothing to deliver to: see above.
  }
}

function isSendableCloseCode(code: number): boolean {
  return code === 1000 || (code >= 1001 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}
