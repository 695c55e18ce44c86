// The load generator's client: lean on purpose. It parses each frame once, keeps counters and, for the chat
// messages the benchmark sends itself, what it needs to tell losses, duplicates and reordering apart, plus one
// latency sample per delivery. Every chat text carries its send time: "t=<ms> s=<sender> n=<i>", where t is
// performance.now() of this process (sender and receivers live in the same process, so clocks agree).

import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { GUEST_MARK } from "../../src/shared/names.ts";
import { Samples, sleep } from "./stats.ts";

export type Dialect = "native" | "tutorial";

export const now = (): number => performance.now();

/**
 * `[vars]` that take the room's limits out of the way of a load test: the load is the point, not what the limits
 * refuse. The fault suite's attacks run at the default limits instead.
 */
export const LOAD_VARS = {
  RATE_LIMIT_BURST: 1_000_000,
  RATE_LIMIT_PER_SECOND: 1_000_000,
  FLOOD_CLOSE_AFTER: 1_000_000,
  ROOM_MESSAGES_PER_SECOND: 1_000_000_000,
  ROOM_BYTES_PER_SECOND: 1_000_000_000,
  ROOM_JOINS_PER_SECOND: 1_000_000,
};

let addresses = 0;

/**
 * A client address of its own (10.x.y.z), passed as CF-Connecting-IP, which `wrangler dev` lets through: every
 * simulated client comes from its own place, as on the internet, and no per-address cap applies to a crowd that is
 * in truth one process on one machine.
 */
export function nextAddress(): string {
  const n = ++addresses;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

const TEXT = /^t=(\d+(?:\.\d+)?) s=(\d+) n=(\d+)/;

/** Everything a scenario's senders have sent, and what receivers got of it. */
export class Tracker {
  readonly latencies = new Samples();
  readonly senders: SenderState[] = [];
  /** Deliveries counted once per receiver and message. */
  delivered = 0;
  duplicates = 0;
  reordered = 0;
  /** Chat messages that did not come from this tracker's senders (e.g. history, other runs). */
  foreign = 0;
  firstSendAt = NaN;
  lastDeliveryAt = NaN;
  /** Messages that every member of their room has received. */
  completed = 0;
  onComplete: (() => void) | undefined;
  /** Appended to every text sent, to make messages bigger. */
  padding = "";

  addSender(client: LoadClient, planned: number, roomSize: number): SenderState {
    const sender: SenderState = {
      index: this.senders.length,
      client,
      planned,
      sent: 0,
      roomSize,
      receivedBy: new Uint16Array(planned),
    };
    this.senders.push(sender);
    return sender;
  }

  send(sender: SenderState): void {
    if (sender.sent >= sender.planned) return;
    const at = now();
    if (Number.isNaN(this.firstSendAt)) this.firstSendAt = at;
    sender.client.sendChat(`t=${at.toFixed(3)} s=${sender.index} n=${sender.sent}${this.padding}`);
    sender.sent++;
  }

  get sent(): number {
    return this.senders.reduce((sum, s) => sum + s.sent, 0);
  }

  /** Called by a client for every chat text it receives. */
  receive(client: LoadClient, text: string, at: number): void {
    const match = TEXT.exec(text);
    const sender = match ? this.senders[Number(match[2])] : undefined;
    if (!match || !sender) {
      this.foreign++;
      return;
    }
    const n = Number(match[3]);
    let seen = client.perSender.get(sender.index);
    if (!seen) {
      seen = { max: -1, bits: new Uint8Array(sender.planned) };
      client.perSender.set(sender.index, seen);
    }
    if (seen.bits[n]) {
      this.duplicates++;
      return;
    }
    seen.bits[n] = 1;
    if (n < seen.max) this.reordered++;
    else seen.max = n;
    this.delivered++;
    client.delivered++;
    this.lastDeliveryAt = at;
    this.latencies.push(at - Number(match[1]));
    if (++sender.receivedBy[n]! === sender.roomSize) {
      this.completed++;
      this.onComplete?.();
    }
  }
}

export interface SenderState {
  index: number;
  client: LoadClient;
  planned: number;
  sent: number;
  /** How many members should receive each message (the sender included). */
  roomSize: number;
  /** Per message, how many members have received it. */
  receivedBy: Uint16Array;
}

export interface ClientOptions {
  url: string;
  name: string;
  dialect?: Dialect;
  tracker?: Tracker;
  /** Keep the seq of every live chat packet received (for order checks). */
  keepSeqs?: boolean;
  /** The client address it connects from (CF-Connecting-IP); by default one of its own. */
  address?: string;
}

/** Frames received by all clients of this process, for waiting until the traffic settles. */
export const traffic = { frames: 0, lastFrameAt: 0 };

export class LoadClient {
  readonly url: string;
  readonly name: string;
  readonly dialect: Dialect;
  readonly address: string;
  tracker: Tracker | undefined;
  ws!: WebSocket;
  id = 0;
  joined = false;
  /** From opening the connection to being joined (welcome, or the tutorial's own "joined" message). */
  joinMs = NaN;
  frames = 0;
  chats = 0;
  delivered = 0;
  errors = 0;
  readonly errorCodes = new Map<string, number>();
  closeCode: number | undefined;
  closed = false;
  /** The welcome's lastSeq and history seqs, when joined. */
  welcome: { lastSeq: number; history: { seq: number; text: string }[]; more: boolean } | undefined;
  readonly seqs: number[] = [];
  readonly texts: string[] = [];
  readonly leaveIds: number[] = [];
  readonly keepSeqs: boolean;
  readonly perSender = new Map<number, { max: number; bits: Uint8Array }>();
  /** Every packet received, parsed, with the frame's payload size in bytes. */
  onPacket: ((packet: Record<string, any>, bytes: number) => void) | undefined;

  constructor(options: ClientOptions) {
    this.url = options.url;
    this.name = options.name;
    this.dialect = options.dialect ?? "native";
    this.tracker = options.tracker;
    this.keepSeqs = options.keepSeqs ?? false;
    this.address = options.address ?? nextAddress();
  }

  /** Opens the connection and joins; resolves once joined. */
  join(options: { since?: number; timeoutMs?: number } = {}): Promise<void> {
    const started = now();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: not joined within ${options.timeoutMs ?? 60_000} ms`)),
        options.timeoutMs ?? 60_000,
      );
      const ws = new WebSocket(this.url, {
        perMessageDeflate: false,
        skipUTF8Validation: true,
        headers: { "CF-Connecting-IP": this.address },
      });
      this.ws = ws;
      const joinedNow = () => {
        this.joined = true;
        this.joinMs = now() - started;
        clearTimeout(timer);
        resolve();
      };
      ws.on("open", () => {
        if (this.dialect === "native") {
          ws.send(
            JSON.stringify(
              options.since === undefined
                ? { type: "join", name: this.name }
                : { type: "join", name: this.name, since: options.since },
            ),
          );
        } else {
          ws.send(Buffer.from(JSON.stringify({ type: "user_joined", name: this.name })), { binary: true });
        }
      });
      ws.on("message", (data: Buffer) => this.onFrame(data, joinedNow));
      ws.on("error", (error) => {
        if (!this.joined) {
          clearTimeout(timer);
          reject(error);
        }
      });
      ws.on("close", (code) => {
        this.closed = true;
        this.closeCode = code;
        if (!this.joined) {
          clearTimeout(timer);
          reject(new Error(`${this.name}: closed (${code}) before joining`));
        }
      });
    });
  }

  private onFrame(data: Buffer, joinedNow: () => void): void {
    const at = now();
    this.frames++;
    traffic.frames++;
    traffic.lastFrameAt = at;
    let packet: Record<string, any>;
    try {
      packet = JSON.parse(data.toString("utf8"));
    } catch {
      return; // e.g. "pong"
    }
    this.onPacket?.(packet, data.length);
    switch (packet.type) {
      case "chat":
      case "chat_message": {
        if (!this.joined) return; // the tutorial's welcome history arrives as chat_message before its join
        this.chats++;
        if (this.keepSeqs) {
          this.seqs.push(packet.seq);
          this.texts.push(packet.type === "chat" ? packet.text : packet.message);
        }
        this.tracker?.receive(this, packet.type === "chat" ? packet.text : packet.message, at);
        return;
      }
      case "welcome":
        this.id = packet.id;
        this.welcome = {
          lastSeq: packet.lastSeq,
          history: (packet.history as { seq: number; text: string }[]).map((m) => ({ seq: m.seq, text: m.text })),
          more: packet.more,
        };
        if (!this.joined) joinedNow();
        return;
      case "leave":
        this.leaveIds.push(packet.id);
        return;
      case "leaves":
        for (const member of packet.members as { id: number }[]) this.leaveIds.push(member.id);
        return;
      case "error":
        this.countError(packet.code);
        return;
      case "server_message": {
        const message = String(packet.message);
        if (packet.code) return this.countError(packet.code);
        if (message.endsWith(" joined the chat.")) {
          // Where tokens are verified, an anonymous member is a guest, shown with its mark.
          const own = [`${this.name}(#`, `${this.name}${GUEST_MARK}(#`].find((label) => message.startsWith(label));
          if (!this.joined && own !== undefined) {
            this.id = Number(message.slice(own.length, message.indexOf(")", own.length)));
            joinedNow();
          }
        } else if (message.endsWith(" left the chat.")) {
          // One line may name several members: "A(#1), B(#2) left the chat."
          for (const [, id] of message.matchAll(/\(#(\d+)\)/g)) this.leaveIds.push(Number(id));
        }
        return;
      }
    }
  }

  private countError(code: string): void {
    this.errors++;
    this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
  }

  sendChat(text: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.dialect === "native") this.ws.send(JSON.stringify({ type: "chat", text }));
    else
      this.ws.send(Buffer.from(JSON.stringify({ type: "chat_message", name: this.name, message: text })), {
        binary: true,
      });
  }

  /** Any packet of the native protocol (an edit, a reaction). */
  sendPacket(packet: Record<string, unknown>): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(packet));
  }

  close(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve) => {
      if (!this.ws || this.ws.readyState === WebSocket.CLOSED) return resolve();
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, timeoutMs);
      this.ws.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.close(1000);
    });
  }
}

/** Joins clients with at most `concurrency` joins under way; returns how long it took. */
export async function joinAll(clients: LoadClient[], concurrency: number): Promise<number> {
  const started = now();
  let next = 0;
  const worker = async () => {
    while (next < clients.length) await clients[next++]!.join();
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, worker));
  return now() - started;
}

/** Waits until no client has received a frame for `quietMs` (at most `maxMs`); returns how long it waited. */
export async function settle(quietMs = 300, maxMs = 30_000): Promise<number> {
  const started = now();
  while (now() - started < maxMs) {
    if (now() - Math.max(traffic.lastFrameAt, started) >= quietMs) break;
    await sleep(Math.min(50, quietMs / 4));
  }
  return now() - started;
}

export async function closeAll(clients: LoadClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}
