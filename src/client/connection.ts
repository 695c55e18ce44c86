// The connection to one room, with no DOM in sight: it connects and joins, keeps the connection alive, reconnects
// with backoff after a drop, resumes where it left off so that every message is delivered exactly once, pages
// through older history, and queues what the user sends while it is away. The page turns its events into pixels.
//
// Everything it touches outside itself is injected (the socket, the clock, randomness), so the tests drive it
// step by step.

import type { ChatMessage, Limits, Member, NativeClientPacket, ProtocolError, ServerPacket } from "../protocol";
import { TokenBucket } from "../rate-limit";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff";

/** What the connection needs of a WebSocket. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SocketHandlers {
  open(): void;
  message(data: string): void;
  /** The socket is gone, whether it closed, failed to connect or errored. */
  close(): void;
}

/** Opens a socket to `url` that reports to `handlers`: the browser's WebSocket in the page, a fake in tests. */
export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketLike;

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

export type ConnectionStatus =
  | { state: "connecting"; attempt: number }
  | { state: "online" }
  | { state: "reconnecting"; attempt: number; retryAt: number }
  | { state: "offline"; reason: "closed" | "gave_up" }
  /** The room refused the join (its name): trying again as is would not help. */
  | { state: "offline"; reason: "rejected"; error: ProtocolError };

/**
 * Where delivered messages belong: `recent` is the history of a first join; `live` ones are newer than anything
 * shown; `older` ones precede everything shown; `gap` ones fill a hole between shown messages after a resume.
 */
export type MessageOrigin = "recent" | "live" | "older" | "gap";

export type PresencePacket = Extract<ServerPacket, { type: "join" | "joins" | "leave" | "leaves" | "rename" }>;

export type ConnectionEvent =
  | { type: "status"; status: ConnectionStatus }
  /**
   * Comes before the history it carries. `resumed`: this join continues an earlier one. `reset`: the room's
   * history restarted; drop what is shown. `lastSeq`: the room's newest message as of this join.
   */
  | {
      type: "welcome"; self: Member; members: Member[]; limits: Limits; lastSeq: number; resumed: boolean; reset: boolean;
    }
  /** New to this page, oldest first; never a sequence number delivered before. */
  | { type: "messages"; messages: ChatMessage[]; origin: MessageOrigin }
  | { type: "presence"; packet: PresencePacket }
  /** Whether older history exists, and whether a page of it is on its way. */
  | { type: "older"; more: boolean; loading: boolean }
  /** Messages after `after` and before `before` were missed and the room no longer keeps them. */
  | { type: "missing"; after: number; before: number }
  | { type: "error"; error: ProtocolError }
  /** Messages typed but not yet handed to the server. */
  | { type: "queue"; size: number };

export interface ConnectionOptions {
  /** The room's WebSocket address. */
  url: string;
  name: string;
  createSocket: SocketFactory;
  onEvent(event: ConnectionEvent): void;
  clock?: Clock;
  random?: () => number;
  backoff?: BackoffPolicy;
  /** How often to ping the room, so that a dead connection is noticed and proxies keep a live one open. */
  pingIntervalMs?: number;
  /** How long an answer (the welcome, a pong, a history page) may take before the request counts as lost. */
  answerTimeoutMs?: number;
}

type Outgoing = Extract<NativeClientPacket, { type: "chat" | "rename" }>;
type TimerName = "reconnect" | "answer" | "ping" | "drain" | "history";

export class RoomConnection {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly policy: BackoffPolicy;
  private readonly pingIntervalMs: number;
  private readonly answerTimeoutMs: number;
  private readonly timers = new Map<TimerName, unknown>();

  private name: string;
  private socket: SocketLike | undefined;
  private joined = false;
  private everJoined = false;
  private closedByUser = false;
  /** Connection attempts that failed in a row; reset by a welcome. */
  private failures = 0;
  private state: ConnectionStatus = { state: "offline", reason: "closed" };
  private self: Member | undefined;
  private limits: Limits | undefined;
  /** Paces what we send to the room's own rate limit, so that queued messages are not refused in a burst. */
  private bucket: TokenBucket | undefined;
  private pausedUntil = 0;

  // What has been delivered: the dedupe set, and the range that resumes and history pages start from.
  private readonly seen = new Set<number>();
  private newestSeq = 0;
  private oldestSeq: number | undefined;
  private hasOlder = false;
  private olderWanted = false;
  /** Holes left by resumes that missed more than one page, newest last; filled one history page at a time. */
  private gaps: { after: number; before: number }[] = [];
  private historyInFlight: "gap" | "older" | undefined;

  private readonly queue: Outgoing[] = [];
  private queueSize = 0;
  /** Chats handed to a socket whose echo has not come back: resent after a resume if the room never got them. */
  private unconfirmed: { senderId: number; text: string }[] = [];

  constructor(private readonly options: ConnectionOptions) {
    this.name = options.name;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.policy = options.backoff ?? DEFAULT_BACKOFF;
    this.pingIntervalMs = options.pingIntervalMs ?? 25_000;
    this.answerTimeoutMs = options.answerTimeoutMs ?? 10_000;
  }

  get status(): ConnectionStatus {
    return this.state;
  }

  /** Connects, unless already connected or on the way. */
  open(): void {
    if (this.socket) return;
    this.clearTimer("reconnect");
    this.closedByUser = false;
    this.failures = 0;
    this.connect();
  }

  /** Disconnects for good: no reconnect follows until `open`. */
  close(): void {
    this.closedByUser = true;
    const socket = this.socket;
    this.detach();
    this.clearTimer("reconnect");
    socket?.close(1000, "closed by the user");
    this.setStatus({ state: "offline", reason: "closed" });
  }

  /** Skips the rest of the backoff delay (the user asked, or the browser says the network is back). */
  retryNow(): void {
    const { state } = this.state;
    if (state !== "reconnecting" && !(state === "offline" && this.state.reason === "gave_up")) return;
    this.clearTimer("reconnect");
    this.connect();
  }

  /** Sends a chat message now, or as soon as the room is reachable again. The text must be valid already. */
  sendChat(text: string): void {
    this.queue.push({ type: "chat", text });
    this.drain();
  }

  /** Renames without leaving; while disconnected, the next join carries the new name. */
  rename(name: string): void {
    this.name = name;
    if (this.joined) {
      this.queue.push({ type: "rename", name });
      this.drain();
    }
  }

  /** Asks for the page of history before the oldest message delivered. False if there is none to ask for. */
  loadOlder(): boolean {
    if (!this.hasOlder || this.olderWanted || this.historyInFlight === "older") return false;
    this.olderWanted = true;
    this.emitOlder();
    this.drain();
    return true;
  }

  // -------------------------------------------------------------------------------------------------------------
  // The socket's life

  private connect(): void {
    this.setStatus({ state: "connecting", attempt: this.failures });
    const socket: SocketLike = this.options.createSocket(this.options.url, {
      // Events of a socket already given up on are ignored: it is no longer ours.
      open: () => socket === this.socket && this.onOpen(),
      message: (data) => socket === this.socket && this.onFrame(data),
      close: () => socket === this.socket && this.onDrop(),
    });
    this.socket = socket;
    // A connection that neither fails nor gets through to the welcome is as good as dropped.
    this.startTimer("answer", this.answerTimeoutMs, () => this.abandon());
  }

  private onOpen(): void {
    // A rejoin asks for exactly what was missed since the newest message delivered.
    const join: NativeClientPacket = this.everJoined
      ? { type: "join", name: this.name, since: this.newestSeq }
      : { type: "join", name: this.name };
    this.socket?.send(JSON.stringify(join));
  }

  private onFrame(data: string): void {
    // Any frame proves the connection alive.
    this.clearTimer("answer");
    if (data === "pong") return;
    let packet: ServerPacket;
    try {
      packet = JSON.parse(data) as ServerPacket;
    } catch {
      return;
    }
    switch (packet.type) {
      case "welcome":
        return this.onWelcome(packet);
      case "chat":
        return this.deliver([{ seq: packet.seq, ts: packet.ts, sender: packet.sender, text: packet.text }], "live");
      case "join":
      case "joins":
      case "leave":
      case "leaves":
      case "rename":
        if (packet.type === "rename" && packet.id === this.self?.id) {
          this.self = { id: packet.id, name: packet.name };
          this.name = packet.name;
        }
        return this.options.onEvent({ type: "presence", packet });
      case "history":
        return this.onHistory(packet);
      case "error":
        return this.onError(packet);
    }
  }

  /** The socket is gone: clean up, then try again after a backoff delay unless the user closed it. */
  private onDrop(): void {
    this.detach();
    if (this.closedByUser) return;
    this.failures++;
    if (this.failures > this.policy.maxAttempts) {
      this.setStatus({ state: "offline", reason: "gave_up" });
      return;
    }
    const delay = backoffDelay(this.failures, this.policy, this.random);
    this.setStatus({ state: "reconnecting", attempt: this.failures, retryAt: this.clock.now() + delay });
    this.startTimer("reconnect", delay, () => this.connect());
  }

  /** Gives up on a socket that stopped answering; its close may take minutes to arrive, so it is not awaited. */
  private abandon(): void {
    const socket = this.socket;
    this.onDrop();
    socket?.close(4000, "no answer");
  }

  private detach(): void {
    this.socket = undefined;
    this.joined = false;
    // A history page asked for on the old socket will never come: ask again after the rejoin.
    if (this.historyInFlight === "older") this.olderWanted = true;
    this.historyInFlight = undefined;
    for (const name of ["answer", "ping", "drain", "history"] as const) this.clearTimer(name);
  }

  private schedulePing(): void {
    this.startTimer("ping", this.pingIntervalMs, () => {
      // The room answers the text frame `ping` with `pong` without waking up, and without rate-limiting it.
      this.socket?.send("ping");
      this.startTimer("answer", this.answerTimeoutMs, () => this.abandon());
      this.schedulePing();
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Packets from the room

  private onWelcome(welcome: Extract<ServerPacket, { type: "welcome" }>): void {
    const resumed = this.everJoined;
    // A room whose newest message is older than ours has lost its history (e.g. a development server's storage
    // was wiped): start over rather than wait for sequence numbers that were already used.
    const reset = resumed && welcome.lastSeq < this.newestSeq;
    if (reset) {
      this.seen.clear();
      this.newestSeq = 0;
      this.oldestSeq = undefined;
      this.gaps = [];
    }
    this.joined = true;
    this.everJoined = true;
    this.failures = 0;
    this.self = { id: welcome.id, name: welcome.name };
    this.name = welcome.name;
    this.limits = welcome.limits;
    this.bucket = new TokenBucket(
      // One token short of the room's burst, for frames the network bunches up on the way.
      Math.max(1, welcome.limits.rateLimitBurst - 1), welcome.limits.rateLimitPerSecond, this.clock.now());
    // The join carried the newest name already.
    removeWhere(this.queue, (packet) => packet.type === "rename");

    this.options.onEvent({
      type: "welcome", self: this.self, members: welcome.members, limits: welcome.limits, lastSeq: welcome.lastSeq,
      resumed: resumed && !reset, reset,
    });
    const first = welcome.history[0];
    if (resumed && !reset) {
      // More was missed than one page holds: the rest lies between what we had and this page.
      if (welcome.more && first) this.gaps.push({ after: this.newestSeq, before: first.seq });
      this.deliver(welcome.history, "live");
    } else {
      this.hasOlder = welcome.more;
      this.deliver(welcome.history, "recent");
      this.emitOlder();
    }
    this.setStatus({ state: "online" });
    this.schedulePing();
    if (this.gaps.length === 0) this.resendUnconfirmed();
    this.drain();
  }

  private onHistory(page: Extract<ServerPacket, { type: "history" }>): void {
    const kind = this.historyInFlight;
    this.historyInFlight = undefined;
    this.clearTimer("history");
    if (kind === "older") {
      this.hasOlder = page.more;
      this.deliver(page.messages, "older");
      this.emitOlder();
    } else if (kind === "gap") {
      this.fillGap(page);
    }
    this.drain();
  }

  private fillGap(page: Extract<ServerPacket, { type: "history" }>): void {
    const gap = this.gaps[this.gaps.length - 1];
    if (!gap) return;
    this.deliver(page.messages.filter((message) => message.seq > gap.after), "gap");
    const lowest = page.messages[0]?.seq;
    if (lowest !== undefined && lowest <= gap.after + 1) {
      this.gaps.pop();
    } else if (!page.more) {
      // The room has pruned the rest.
      this.gaps.pop();
      this.options.onEvent({ type: "missing", after: gap.after, before: lowest ?? gap.before });
    } else if (lowest !== undefined) {
      gap.before = lowest;
    }
    if (this.gaps.length === 0) this.resendUnconfirmed();
  }

  private onError(packet: Extract<ServerPacket, { type: "error" }>): void {
    const error: ProtocolError = { code: packet.code, message: packet.message };
    if (packet.retryAfterMs !== undefined) error.retryAfterMs = packet.retryAfterMs;
    if (!this.joined) {
      // Refused before the welcome: the join itself (its name) is wrong, and trying again would not help.
      const socket = this.socket;
      this.closedByUser = true;
      this.detach();
      socket?.close(1000, "join refused");
      this.setStatus({ state: "offline", reason: "rejected", error });
      return;
    }
    if (error.retryAfterMs !== undefined) this.pausedUntil = this.clock.now() + error.retryAfterMs;
    this.options.onEvent({ type: "error", error });
  }

  /** Hands on the messages not delivered before, and marks our own as confirmed. */
  private deliver(messages: ChatMessage[], origin: MessageOrigin): void {
    const fresh = messages.filter((message) => !this.seen.has(message.seq));
    for (const message of fresh) {
      this.seen.add(message.seq);
      this.newestSeq = Math.max(this.newestSeq, message.seq);
      this.oldestSeq = Math.min(this.oldestSeq ?? message.seq, message.seq);
      const mine = this.unconfirmed.findIndex((sent) => sent.senderId === message.sender.id && sent.text === message.text);
      if (mine !== -1) this.unconfirmed.splice(mine, 1);
    }
    if (fresh.length > 0) this.options.onEvent({ type: "messages", messages: fresh, origin });
  }

  /**
   * Chats sent on an earlier socket that the resumed history does not hold never reached the room: they go out
   * again, ahead of anything queued since. Called once the resume has delivered everything that was missed.
   */
  private resendUnconfirmed(): void {
    const lost = this.unconfirmed.filter((sent) => sent.senderId !== this.self?.id);
    this.unconfirmed = this.unconfirmed.filter((sent) => sent.senderId === this.self?.id);
    this.queue.unshift(...lost.map((sent): Outgoing => ({ type: "chat", text: sent.text })));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Packets to the room

  /** Sends what is waiting, as fast as the room's rate limit allows: history requests first, then the queue. */
  private drain(): void {
    this.clearTimer("drain");
    while (this.joined && this.socket && this.bucket) {
      const next = this.nextPacket();
      if (!next) break;
      const now = this.clock.now();
      const wait = this.pausedUntil > now ? this.pausedUntil - now : this.bucket.take(now);
      if (wait > 0) {
        this.startTimer("drain", wait, () => this.drain());
        break;
      }
      if (next.source !== "queue") {
        this.askHistory(next.source);
      } else {
        this.queue.shift();
        if (next.packet.type === "chat" && this.self) this.unconfirmed.push({ senderId: this.self.id, text: next.packet.text });
      }
      this.socket.send(JSON.stringify(next.packet));
    }
    if (this.queue.length !== this.queueSize) {
      this.queueSize = this.queue.length;
      this.options.onEvent({ type: "queue", size: this.queueSize });
    }
  }

  private nextPacket(): { packet: NativeClientPacket; source: "gap" | "older" | "queue" } | undefined {
    const limit = this.limits?.historyPageMax;
    if (this.historyInFlight === undefined) {
      const gap = this.gaps[this.gaps.length - 1];
      if (gap) return { packet: { type: "history", before: gap.before, limit }, source: "gap" };
      if (this.olderWanted && this.oldestSeq !== undefined) {
        return { packet: { type: "history", before: this.oldestSeq, limit }, source: "older" };
      }
    }
    // Chats wait for a gap to be filled: only then is it known which earlier ones must be sent again.
    if (this.gaps.length > 0) return undefined;
    const packet = this.queue[0];
    return packet && { packet, source: "queue" };
  }

  private askHistory(kind: "gap" | "older"): void {
    this.historyInFlight = kind;
    if (kind === "older") this.olderWanted = false;
    // The room answers every history request unless it refused it (rate limit): then ask again.
    this.startTimer("history", this.answerTimeoutMs, () => {
      this.historyInFlight = undefined;
      if (kind === "older") this.olderWanted = true;
      this.drain();
    });
  }

  // -------------------------------------------------------------------------------------------------------------

  private setStatus(status: ConnectionStatus): void {
    this.state = status;
    this.options.onEvent({ type: "status", status });
  }

  private emitOlder(): void {
    const loading = this.olderWanted || this.historyInFlight === "older";
    this.options.onEvent({ type: "older", more: this.hasOlder, loading });
  }

  private startTimer(name: TimerName, ms: number, callback: () => void): void {
    this.clearTimer(name);
    this.timers.set(name, this.clock.setTimeout(() => {
      this.timers.delete(name);
      callback();
    }, ms));
  }

  private clearTimer(name: TimerName): void {
    if (!this.timers.has(name)) return;
    this.clock.clearTimeout(this.timers.get(name));
    this.timers.delete(name);
  }
}

function removeWhere<T>(items: T[], predicate: (item: T) => boolean): void {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i] as T)) items.splice(i, 1);
}
