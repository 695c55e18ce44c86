// One chat room: a Durable Object that owns its members' WebSockets and its history. This file is the room's story:
// a connection arrives, joins, chats, renames, asks for history and leaves. The jobs behind it have homes of their
// own: sessions.ts (who is here, kept through hibernation), outbox.ts (what the room announces, in order),
// flood-control.ts (the rate limit), room-storage.ts (history in SQLite), fan-out.ts (sending in each dialect).
//
// It uses the WebSocket Hibernation API: the runtime holds the sockets and may evict this object from memory
// whenever the room is idle, re-creating it (constructor included) when the next event arrives. So the constructor
// rebuilds everything from the sockets and the storage.

import { DurableObject } from "cloudflare:workers";
import { decodeFrame, frameExceeds } from "../shared/codec";
import type { ClientRequest, Dialect, Member, ProtocolError } from "../shared/protocol";
import type { Env } from "./env";
import { sendPacket } from "./fan-out";
import { FloodControl } from "./flood-control";
import { Outbox } from "./outbox";
import { RoomStorage } from "./room-storage";
import { memberOf, Sessions, type JoinedSession, type Session } from "./sessions";
import { readSettings, type RoomSettings } from "./settings";

export interface RoomInfo {
  members: Member[];
  lastSeq: number;
  connections: number;
}

/** Close codes (RFC 6455, 7.4.1): a policy violation (flooding), and a message too big to process. */
const CLOSE_POLICY = 1008;
const CLOSE_TOO_BIG = 1009;

export class ChatRoom extends DurableObject<Env> {
  private readonly settings: RoomSettings;
  private readonly storage: RoomStorage;
  private readonly sessions: Sessions<WebSocket>;
  private readonly flood: FloodControl<WebSocket>;
  private readonly outbox: Outbox<WebSocket>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.settings = readSettings(env);
    const { limits } = this.settings;
    this.storage = new RoomStorage(ctx.storage, this.settings.historyRetained, this.settings.historyPageMaxBytes);
    this.sessions = new Sessions(ctx.getWebSockets());
    this.flood = new FloodControl({
      burst: limits.rateLimitBurst, perSecond: limits.rateLimitPerSecond, closeAfter: this.settings.floodCloseAfter,
    });
    this.outbox = new Outbox(this.sessions, (chats) => this.storage.append(chats));
    // Keep-alive pings are answered by the runtime itself, without waking the room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** Accepts a WebSocket upgrade that the Worker routed to this room. */
  override async fetch(_request: Request): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    this.sessions.open(server, this.storage.nextConnectionId());
    return new Response(null, { status: 101, webSocket: client });
  }

  /** What `GET /api/rooms/<name>` reports. */
  info(): RoomInfo {
    return { members: this.sessions.members(), lastSeq: this.storage.newestSeq, connections: this.sessions.size };
  }

  override async webSocketMessage(socket: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    const session = this.sessions.get(socket);
    // Frames still arriving from a connection the room has closed (a flooder's) get no answer.
    if (!session || socket.readyState !== WebSocket.OPEN) return;
    try {
      const { limits } = this.settings;
      if (frameExceeds(frame, limits.maxFrameBytes)) {
        // The runtime has taken in up to 32 MiB already; answering and reading on would invite the next one.
        return this.closeConnection(socket, CLOSE_TOO_BIG, `a frame must be at most ${limits.maxFrameBytes} bytes`);
      }
      if (!this.admit(socket, session, frame)) return;
      const { request, dialect } = decodeFrame(frame, limits);
      if (!request.ok) return this.sendError(socket, dialect, request.error);
      this.handle(socket, session, request.value, dialect);
    } catch (error) {
      // Whatever went wrong, the sender hears of it and the room goes on for everyone else.
      console.error(`room: connection ${session.id}: ${String(error)}`);
      this.sendError(socket, "native", { code: "internal_error", message: "the server could not handle that packet" });
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
      return this.join(socket, request);
    }
    if (!session.joined) {
      return this.sendError(socket, packetDialect, { code: "not_joined", message: `join before sending ${request.kind}` });
    }
    switch (request.kind) {
      case "chat":
        return this.outbox.chat({ ts: Date.now(), sender: memberOf(session), text: request.text }, socket);
      case "rename": {
        const renamed = this.sessions.rename(socket, request.name);
        return this.outbox.rename(memberOf(renamed), session.name);
      }
      case "history": {
        // What was said a moment ago belongs in the page: store it first.
        this.outbox.flush();
        const page = this.storage.page(request.limit, { before: request.before });
        return sendPacket(socket, session.dialect, { type: "history", ...page });
      }
    }
  }

  private join(socket: WebSocket, request: Extract<ClientRequest, { kind: "join" }>): void {
    this.outbox.flushBeforeWelcome();
    const { historyOnJoin, limits } = this.settings;
    const page = request.since === undefined
      ? this.storage.page(historyOnJoin)
      : this.storage.page(limits.historyPageMax, { after: request.since });
    const joined = this.sessions.join(socket, request.name, request.dialect);
    sendPacket(socket, joined.dialect, {
      type: "welcome",
      id: joined.id,
      name: joined.name,
      members: this.sessions.members(),
      history: page.messages,
      more: page.more,
      lastSeq: this.storage.newestSeq,
      limits,
    });
    this.outbox.join(memberOf(joined), socket);
  }

  /** Forgets a connection; announces its leave if it had joined. Safe to call more than once per socket. */
  private depart(socket: WebSocket): void {
    const session = this.sessions.remove(socket);
    if (session) this.outbox.leave(memberOf(session));
  }

  /** Charges the frame to the sender's rate limit; false if it is refused or the sender is closed for flooding. */
  private admit(socket: WebSocket, session: Session, frame: string | ArrayBuffer): boolean {
    const verdict = this.flood.charge(socket, Date.now());
    switch (verdict.kind) {
      case "pass":
        return true;
      case "refuse":
        if (verdict.answer) {
          // Before join, the answer follows the dialect of the refused packet; it is read only for this answer.
          const dialect = session.joined ? session.dialect : decodeFrame(frame, this.settings.limits).dialect;
          this.sendError(socket, dialect, {
            code: "rate_limited",
            message: `too many packets; retry in ${verdict.retryAfterMs} ms`,
            retryAfterMs: verdict.retryAfterMs,
          });
        }
        return false;
      case "close":
        this.closeConnection(socket, CLOSE_POLICY, "rate limit exceeded");
        // One line per closed connection: enough for an operator to see a flood, never a flood of its own.
        console.warn(`room: closed connection ${session.id} for flooding (${verdict.refusedInWindow} packets refused within a second)`);
        return false;
    }
  }

  /** Closes a connection from the room's side: it stops counting at once, and its leave is announced once. */
  private closeConnection(socket: WebSocket, code: number, reason: string): void {
    const departed = this.sessions.retire(socket);
    if (departed) this.outbox.leave(memberOf(departed));
    socket.close(code, reason);
  }

  /** Errors go out in the member's dialect; before join, in the dialect the offending packet looked like. */
  private sendError(socket: WebSocket, dialectBeforeJoin: Dialect, error: ProtocolError): void {
    const session = this.sessions.get(socket);
    sendPacket(socket, session?.joined ? session.dialect : dialectBeforeJoin, { type: "error", ...error });
  }
}

function isSendableCloseCode(code: number): boolean {
  return code === 1000 || (code >= 1001 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}
