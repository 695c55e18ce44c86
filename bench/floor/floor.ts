// The floor: the least a hibernatable WebSocket broadcast Durable Object can do, to measure the room against.
// No storage, no validation, no rate limit, no per-dialect encoding. It speaks just enough of the native dialect
// for the benchmark's load generator: a join (native `join` or tutorial `user_joined`) is answered with a
// `welcome` to the joiner and a `join` to everyone; anything else is read as a chat (`text`, or the tutorial's
// `message`), numbered with an in-memory counter and broadcast to every socket as one native `chat` frame.
// Every connection, whichever room path it asked for, lands in the Durable Object named by its path.
//
// The durable floor (`DurableFloor`, durable.toml) is the floor plus the least that durability needs: chats are
// queued, written to SQLite together from a zero-delay timer (one commit per burst), then broadcast. The room does
// the same and more; the difference between the two floors is what durability costs, the rest is the room's own.
//
// Both count what they do with the room's own counters (src/server/observability/), and answer the room's route for
// them, `GET /api/rooms/<name>/counters` with ADMIN_TOKEN (`countersRequest`), so that the benchmark's cost meter reads
// the floors and the room alike.

import { DurableObject } from "cloudflare:workers";
import { CountedSql } from "../../src/server/observability/counted-sql";
import { type ObjectCounters, RoomCounters } from "../../src/server/observability/room-counters";
import { frameBytes } from "../../src/shared/codec";

interface Env {
  FLOOR: DurableObjectNamespace<Floor>;
  /** The secret the counters' route takes, as the room's admin API does; unset, the route answers 404. */
  ADMIN_TOKEN?: string;
}

const decoder = new TextDecoder();

export class Floor extends DurableObject<Env> {
  protected seq = 0;
  private nextId = 0;
  /** What the floor did since it started: the room's counters, for the cost meter (its one object is a "hub"). */
  protected readonly counts = new RoomCounters(this.ctx.id.name?.replace(/^\/rooms\//, "") ?? "", "hub", Date.now());
  /** Its SQL, with the rows of each statement counted as the room's are. */
  protected readonly sql = new CountedSql(this.ctx.storage.sql, this.counts);

  override async fetch(): Promise<Response> {
    this.counts.callIn(Date.now());
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    this.counts.connections++;
    return new Response(null, { status: 101, webSocket: client });
  }

  /** `GET /api/rooms/<name>/counters`, as the room answers it (for its one object). Reads only. */
  async counters(): Promise<ObjectCounters> {
    this.counts.callIn(Date.now());
    this.sql.settle();
    return this.counts.read(this.sql.databaseSize);
  }

  override async webSocketMessage(socket: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    this.counts.frameIn(frameBytes(frame), Date.now());
    const packet = JSON.parse(typeof frame === "string" ? frame : decoder.decode(frame)) as Record<string, string>;
    if (packet.type === "join" || packet.type === "user_joined") {
      const id = ++this.nextId;
      this.counts.joins++;
      this.counts.framesOut++;
      socket.send(
        JSON.stringify({
          type: "welcome",
          id,
          name: packet.name,
          members: [],
          history: [],
          more: false,
          lastSeq: this.seq,
        }),
      );
      this.broadcast(JSON.stringify({ type: "join", id, name: packet.name }));
      return;
    }
    this.chat(packet.text ?? packet.message ?? "");
  }

  protected chat(text: string): void {
    this.counts.messages++;
    this.broadcast(chatFrame(++this.seq, Date.now(), text));
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    this.counts.socketGone(Date.now());
    this.counts.closed(code);
    socket.close(code === 1005 || code === 1006 ? 1000 : code);
  }

  protected broadcast(frame: string): void {
    const sockets = this.ctx.getWebSockets();
    this.counts.framesOut += sockets.length;
    for (const socket of sockets) {
      try {
        socket.send(frame);
      } catch {
        // Closing already.
      }
    }
  }
}

/** The floor that stores: every chat durable before anyone sees it, with one write per burst. */
export class DurableFloor extends Floor {
  private queue: { ts: number; text: string }[] = [];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, text TEXT NOT NULL)`,
    );
    this.seq = this.sql.exec<{ seq: number | null }>(`SELECT MAX(seq) AS seq FROM messages`).one().seq ?? 0;
  }

  protected override chat(text: string): void {
    this.counts.messages++;
    if (this.queue.length === 0) setTimeout(() => this.flush(), 0);
    this.queue.push({ ts: Date.now(), text });
  }

  private flush(): void {
    const chats = this.queue;
    this.queue = [];
    const first = this.seq + 1;
    this.ctx.storage.transactionSync(() => {
      chats.forEach(({ ts, text }, i) => {
        this.sql.exec(`INSERT INTO messages (seq, ts, text) VALUES (?, ?, ?)`, first + i, ts, text);
      });
    });
    this.seq += chats.length;
    chats.forEach(({ ts, text }, i) => {
      this.broadcast(chatFrame(first + i, ts, text));
    });
  }
}

const chatFrame = (seq: number, ts: number, text: string): string =>
  JSON.stringify({ type: "chat", seq, ts, sender: { id: 0, name: "" }, text });

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return countersRequest(request, env);
    return env.FLOOR.getByName(pathname).fetch(request);
  },
} satisfies ExportedHandler<Env>;

/**
 * The room's counters route, `GET /api/rooms/<name>/counters`, for the floor object that `/rooms/<name>` reaches:
 * the room's answer's shape, with one object (src/server/front-door/admin-api.ts). Anything else is "floor".
 */
async function countersRequest(request: Request, env: Env): Promise<Response> {
  const name = new URL(request.url).pathname.match(/^\/api\/rooms\/([^/]+)\/counters$/)?.[1];
  if (name === undefined) return new Response("floor", { status: 200 });
  if (!env.ADMIN_TOKEN) return new Response("no ADMIN_TOKEN", { status: 404 });
  if (request.headers.get("Authorization") !== `Bearer ${env.ADMIN_TOKEN}`)
    return new Response("unauthorized", { status: 401 });
  const counters = await env.FLOOR.getByName(`/rooms/${name}`).counters();
  return Response.json({ room: name, objects: [counters] });
}
