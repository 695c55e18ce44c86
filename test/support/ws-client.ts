// A WebSocket client for tests that run in Node: it records every packet and waits for the ones a test expects.

import WebSocket from "ws";

export interface TestClient {
  socket: WebSocket;
  /** Every packet received so far, parsed, in order. */
  received: Record<string, unknown>[];
  /** Sends a packet as JSON, in a text frame or, as Godot 3 does, a binary frame. */
  send(packet: unknown, options?: { binary?: boolean }): void;
  /** Resolves with the first packet (received already or later) that matches and was not taken before. */
  next(match: (packet: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function connect(url: string): Promise<TestClient> {
  const socket = new WebSocket(url);
  const received: Record<string, unknown>[] = [];
  const taken = new Set<number>();
  const waiters = new Set<() => void>();
  socket.on("message", (data) => {
    received.push(JSON.parse(data.toString()) as Record<string, unknown>);
    for (const wake of waiters) wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });

  const findUntaken = (match: (packet: Record<string, unknown>) => boolean) => {
    const index = received.findIndex((packet, i) => !taken.has(i) && match(packet));
    if (index === -1) return undefined;
    taken.add(index);
    return received[index];
  };

  return {
    socket,
    received,
    send(packet, { binary = false } = {}) {
      const json = JSON.stringify(packet);
      socket.send(binary ? Buffer.from(json, "utf8") : json, { binary });
    },
    next(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const packet = findUntaken(match);
          if (!packet) return;
          cleanup();
          resolve(packet);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`no matching packet within ${timeoutMs} ms; received: ${JSON.stringify(received).slice(-2000)}`),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      return new Promise((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once("close", () => resolve());
        socket.close(1000);
      });
    },
  };
}
