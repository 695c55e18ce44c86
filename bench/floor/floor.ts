// The floor: the least a hibernatable WebSocket broadcast Durable Object can do, to measure the room against.
// No storage, no validation, no rate limit, no per-dialect encoding. It speaks just enough of the native dialect
// for the benchmark's load generator: a join (native `join` or tutorial `user_joined`) is answered with a
// `welcome` to the joiner and a `join` to everyone; anything else is read as a chat (`text`, or the tutorial's
// `message`), numbered with an in-memory counter and broadcast to every socket as one native `chat` frame.
// Every connection, whichever room path it asked for, lands in the Durable Object named by its path.

import { DurableObject } from "cloudflare:workers";

interface Env {
  FLOOR: DurableObjectNamespace<Floor>;
}

const decoder = new TextDecoder();

export class Floor extends DurableObject<Env> {
  private seq = 0;
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
      socket.send(JSON.stringify({ type: "welcome", id, name: packet.name, members: [], history: [], more: false, lastSeq: this.seq }));
      this.broadcast(JSON.stringify({ type: "join", id, name: packet.name }));
      return;
    }
    const text = packet.text ?? packet.message;
    this.broadcast(JSON.stringify({ type: "chat", seq: ++this.seq, ts: Date.now(), sender: { id: 0, name: "" }, text }));
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    socket.close(code === 1005 || code === 1006 ? 1000 : code);
  }

  private broadcast(frame: string): void {
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(frame);
      } catch {
        // Closing already.
      }
    }
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("floor", { status: 200 });
    return env.FLOOR.getByName(pathname).fetch(request);
  },
} satisfies ExportedHandler<Env>;
