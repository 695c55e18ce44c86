// Test doubles for the connection: a clock whose time only moves when the test says so, and sockets the test
// opens, feeds and drops by hand; and a connection joined through them.

import { type ConnectionOptions, RoomConnection } from "../../../src/client/connection";
import type { ConnectionEvent } from "../../../src/client/connection-events";
import type { SocketFactory, SocketHandlers, SocketLike } from "../../../src/client/socket";
import type { Clock } from "../../../src/client/timers";
import { type ChatMessage, DEFAULT_LIMITS, type Limits, type ServerPacket } from "../../../src/shared/protocol";

export class FakeClock implements Clock {
  private time = 1_000_000;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, running every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = end;
  }

  /** How long until the next timer fires, if any. */
  nextDelay(): number | undefined {
    const ats = [...this.timers.values()].map((t) => t.at - this.time);
    return ats.length ? Math.min(...ats) : undefined;
  }
}

export class FakeSocket implements SocketLike {
  readonly sent: string[] = [];
  closed = false;

  constructor(
    readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}

  send(data: string): void {
    if (this.closed) throw new Error("send on a closed socket");
    this.sent.push(data);
  }

  close(): void {
    this.closed = true;
  }

  /**
   * The JSON packets sent, parsed (the `ping` keep-alive left out), without the chats' random `cid`s: the shared
   * spec's runner (spec.test.ts) checks those.
   */
  packets(): Record<string, unknown>[] {
    return this.sent
      .filter((frame) => frame !== "ping")
      .map((frame) => {
        const { cid: _cid, ...packet } = JSON.parse(frame) as Record<string, unknown>;
        return packet;
      });
  }

  open(): void {
    this.handlers.open();
  }

  receive(packet: ServerPacket | "pong"): void {
    this.handlers.message(packet === "pong" ? packet : JSON.stringify(packet));
  }

  /** The network drops the socket, or the server closes it with `code`. */
  drop(code?: number): void {
    this.closed = true;
    this.handlers.close(code);
  }
}

export function socketFactory(): { create: SocketFactory; sockets: FakeSocket[]; last(): FakeSocket } {
  const sockets: FakeSocket[] = [];
  return {
    create: (url, handlers) => {
      const socket = new FakeSocket(url, handlers);
      sockets.push(socket);
      return socket;
    },
    sockets,
    last() {
      const socket = sockets[sockets.length - 1];
      if (!socket) throw new Error("no socket opened yet");
      return socket;
    },
  };
}

/** The room's default limits, with pages of three: a test reaches a page's end with few messages and members. */
export const LIMITS: Limits = { ...DEFAULT_LIMITS, historyPageMax: 3, membersPageMax: 3 };

export function message(seq: number, text = `message ${seq}`, sender = { id: 99, name: "other" }): ChatMessage {
  return { seq, ts: 1_700_000_000_000 + seq, sender, text };
}

/** Messages `from` to `to`, inclusive. */
export function messages(from: number, to: number): ChatMessage[] {
  const result: ChatMessage[] = [];
  for (let seq = from; seq <= to; seq++) result.push(message(seq));
  return result;
}

export function welcome(
  id: number,
  history: ChatMessage[],
  options: { more?: boolean; name?: string; lastSeq?: number } = {},
): ServerPacket {
  return {
    type: "welcome",
    id,
    name: options.name ?? "me",
    presence: "list",
    members: [{ id, name: options.name ?? "me" }],
    moreMembers: false,
    memberCount: 1,
    history,
    more: options.more ?? false,
    lastSeq: options.lastSeq ?? history[history.length - 1]?.seq ?? 0,
    limits: LIMITS,
    settings: { slowModeSeconds: 0, listed: false },
    resumeKey: `key-of-${id}`,
  };
}

/**
 * A connection to room "r" as "me", joined (member 1, `history` in its welcome) over a fake socket, on a fake clock,
 * its backoff without jitter; `options` add to or replace the connection's.
 */
export function joinedConnection(history: ChatMessage[] = [], options: Partial<ConnectionOptions> = {}) {
  const clock = new FakeClock();
  const sockets = socketFactory();
  const events: ConnectionEvent[] = [];
  const connection = new RoomConnection({
    url: "ws://chat.test/rooms/r",
    name: "me",
    createSocket: sockets.create,
    onEvent: (event) => events.push(event),
    clock,
    random: () => 1,
    ...options,
  });
  connection.open();
  const socket = sockets.last();
  socket.open();
  socket.receive(welcome(1, history));
  return { clock, sockets, socket, events, connection };
}
