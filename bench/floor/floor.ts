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

import { DurableObject } from "cloudflare:workers";

interface Env {
  FLOOR: DurableObjectNamespace<Floor>;
}

const decoder = new TextDecoder();

export class Floor extends DurableObject<Env> {
  protected seq = 0;
  private nextId = 0;

  override async fetch(): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(socket: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    const packet = JSON.parse(typeof frame === "string" ? frame : decoder.decode(frame)) as Record<string, string>;
    if (packet.type === "join" || packet.type === "user_joined") {
      const id = ++this.nextId;
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
    this.broadcast(chatFrame(++this.seq, Date.now(), text));
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    socket.close(code === 1005 || code === 1006 ? 1000 : code);
  }

  protected broadcast(frame: string): void {
    for (const socket of this.ctx.getWebSockets()) {
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
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, text TEXT NOT NULL)`,
    );
    this.seq = ctx.storage.sql.exec<{ seq: number | null }>(`SELECT MAX(seq) AS seq FROM messages`).one().seq ?? 0;
  }

  protected override chat(text: string): void {
    if (this.queue.length === 0) setTimeout(() => this.flush(), 0);
    this.queue.push({ ts: Date.now(), text });
  }

  private flush(): void {
    const chats = this.queue;
    this.queue = [];
    const first = this.seq + 1;
    this.ctx.storage.transactionSync(() => {
      chats.forEach(({ ts, text }, i) => {
        this.ctx.storage.sql.exec(`INSERT INTO messages (seq, ts, text) VALUES (?, ?, ?)`, first + i, ts, text);
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
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("floor", { status: 200 });
    return env.FLOOR.getByName(pathname).fetch(request);
  },
} satisfies ExportedHandler<Env>;
