// A WebSocket client for tests that run in Node: it records every packet and waits for the ones a test expects
// (test/support/inbox.ts, shared with the Workers pool's client, test/worker/client.ts).

import WebSocket from "ws";
import { createInbox, type Inbox } from "./inbox.ts";

type Packet = Record<string, unknown>;

export interface TestClient {
  socket: WebSocket;
  /** Every packet received so far, parsed, in order. */
  received: Packet[];
  /** Sends a packet as JSON, in a text frame or, as Godot 3 does, a binary frame. */
  send(packet: unknown, options?: { binary?: boolean }): void;
  next: Inbox<Packet>["next"];
  collect: Inbox<Packet>["collect"];
  upTo: Inbox<Packet>["upTo"];
  close(): Promise<void>;
}

export async function connect(url: string): Promise<TestClient> {
  const socket = new WebSocket(url);
  const inbox = createInbox<Packet>(10_000);
  socket.on("message", (data) => inbox.add(JSON.parse(data.toString()) as Packet));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });

  return {
    socket,
    received: inbox.received,
    send(packet, { binary = false } = {}) {
      const json = JSON.stringify(packet);
      socket.send(binary ? Buffer.from(json, "utf8") : json, { binary });
    },
    next: inbox.next,
    collect: inbox.collect,
    upTo: inbox.upTo,
    close() {
      return new Promise((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once("close", () => resolve());
        socket.close(1000);
      });
    },
  };
}
