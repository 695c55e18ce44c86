// The connection to one room, with no DOM in sight: it connects and joins, keeps the connection alive, reconnects
// with backoff after a drop, resumes where it left off so that every message is delivered exactly once, pages
// through older history, and queues what the user sends while it is away. The page turns its events into pixels.
// What was delivered (and which history is missing) is kept by delivery-record.ts, what is to be sent by
// send-queue.ts; this file is the socket's life and the conversation with the room.
//
// Everything it touches outside itself is injected (the socket, the clock, randomness), so the tests drive it
// step by step.

import { frameCost } from "../shared/codec";
import {
  type ChatMessage,
  DEFAULT_LIMITS,
  type Limits,
  type Member,
  type ModerationPacket,
  type NativeClientPacket,
  type ProtocolError,
  type ServerPacket,
} from "../shared/protocol";
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "./backoff";
import type { ConnectionEvent, ConnectionStatus, MessageOrigin } from "./connection-events";
import { DeliveryRecord, type HistoryKind } from "./delivery-record";
import { MemberPages } from "./member-pages";
import { isRemovalNotice, mayRejoin, removalOf } from "./removal";
import { Roster } from "./roster";
import { SendQueue } from "./send-queue";
import type { SocketFactory, SocketLike } from "./socket";
import { type Clock, NamedTimers, systemClock } from "./timers";
import { withToken } from "./token";
import { CLOSE_TOKEN_EXPIRED, type TokenProvider } from "./token-refresh";

/** How often to ping the room while joined (clients/spec/constants.json, as every default below). */
export const DEFAULT_PING_INTERVAL_MS = 25_000;
/** How long an answer may take before the request counts as lost. */
export const DEFAULT_ANSWER_TIMEOUT_MS = 10_000;

export interface ConnectionOptions {
  /** The room's WebSocket address (without `?token=` when `token` is given). */
  url: string;
  /**
   * Gets a new token from the app's backend (token-refresh.ts): asked before each connection attempt, and the
   * connection comes straight back in, resuming, when the room closes it because its token expired (4010).
   */
  token?: TokenProvider;
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
  /** The largest frame this client takes, told to the room in the join: it cuts welcomes and pages to fit. */
  maxFrameBytes?: number;
}

export class RoomConnection {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly policy: BackoffPolicy;
  private readonly pingIntervalMs: number;
  private readonly answerTimeoutMs: number;
  private readonly timers: NamedTimers<"reconnect" | "answer" | "ping" | "drain" | "history" | "members">;

  private name: string;
  private socket: SocketLike | undefined;
  /** Counts connection attempts and drops: a token that arrives for an attempt given up on since is not used. */
  private attempt = 0;
  /** An attempt is waiting for its token. */
  private fetchingToken = false;
  private joined = false;
  private everJoined = false;
  private closedByUser = false;
  /** Connection attempts that failed in a row; reset by a welcome. */
  private failures = 0;
  private state: ConnectionStatus = { state: "offline", reason: "closed" };
  private self: Member | undefined;
  private limits: Limits | undefined;
  private resumeKey: string | undefined;
  /** The `kicked` or `banned` error that comes just before the room closes us. */
  private removalNotice: ProtocolError | undefined;

  private readonly delivered = new DeliveryRecord();
  private readonly memberPages = new MemberPages();
  private readonly roster = new Roster();
  private readonly outgoing = new SendQueue();
  private reportedQueueSize = 0;

  constructor(private readonly options: ConnectionOptions) {
    this.name = options.name;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.policy = options.backoff ?? DEFAULT_BACKOFF;
    this.pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.answerTimeoutMs = options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
    this.timers = new NamedTimers(this.clock);
  }

  get status(): ConnectionStatus {
    return this.state;
  }

  /** The room's members as last heard, in the order they joined (empty before the first welcome). */
  get members(): Member[] {
    return this.roster.members;
  }

  /** Connects, unless already connected or on the way. */
  open(): void {
    if (this.socket || this.fetchingToken) return;
    this.timers.clear("reconnect");
    this.closedByUser = false;
    this.failures = 0;
    this.connect();
  }

  /** Disconnects for good: no reconnect follows until `open`. */
  close(): void {
    this.closedByUser = true;
    const socket = this.socket;
    this.detach();
    this.timers.clear("reconnect");
    socket?.close(1000, "closed by the user");
    this.setStatus({ state: "offline", reason: "closed" });
  }

  /**
   * Skips the rest of the backoff delay (the user asked, or the browser says the network is back). After a kick, or
   * the room's deletion, it is the user's asking to rejoin; never into a ban.
   */
  retryNow(): void {
    const status = this.state;
    if (status.state === "offline" && status.reason === "removed" && mayRejoin(status.removal)) return this.open();
    if (status.state !== "reconnecting" && !(status.state === "offline" && status.reason === "gave_up")) return;
    this.timers.clear("reconnect");
    this.connect();
  }

  /** Sends a chat message now, or as soon as the room is reachable again. The text must be valid already. */
  sendChat(text: string): void {
    this.outgoing.push({ type: "chat", text });
    this.drain();
  }

  /** Renames without leaving; while disconnected, the next join carries the new name. */
  rename(name: string): void {
    this.name = name;
    if (this.joined) {
      this.outgoing.push({ type: "rename", name });
      this.drain();
    }
  }

  /** Sends a moderator's packet (kick, ban, unban, delete) now; false if not in the room to send it. */
  moderate(packet: ModerationPacket): boolean {
    if (!this.joined || !this.socket) return false;
    this.socket.send(JSON.stringify(packet));
    return true;
  }

  /** Asks for the page of history before the oldest message delivered. False if there is none to ask for. */
  loadOlder(): boolean {
    if (!this.delivered.wantOlder()) return false;
    this.emitOlder();
    this.drain();
    return true;
  }

  // -------------------------------------------------------------------------------------------------------------
  // The socket's life

  /** Connects; `quietly`, as the refresh of an expired token is, with no status for the app to see. */
  private connect(quietly = false): void {
    if (!quietly) this.setStatus({ state: "connecting", attempt: this.failures });
    // A connection that neither fails nor gets through to the welcome is as good as dropped; so is a token that
    // does not come.
    this.timers.start("answer", this.answerTimeoutMs, () => this.abandon());
    const { token } = this.options;
    if (!token) return this.connectTo(this.options.url);
    const attempt = ++this.attempt;
    this.fetchingToken = true;
    const current = () => attempt === this.attempt && !this.closedByUser;
    token().then(
      (fresh) => current() && this.connectTo(withToken(this.options.url, fresh)),
      // The backend could not give one now: a failed attempt, tried again after a backoff delay.
      () => current() && this.onDrop(),
    );
  }

  private connectTo(url: string): void {
    this.fetchingToken = false;
    const socket: SocketLike = this.options.createSocket(url, {
      // Events of a socket already given up on are ignored: it is no longer ours.
      open: () => socket === this.socket && this.onOpen(),
      message: (data) => socket === this.socket && this.onFrame(data),
      close: (code) => socket === this.socket && this.onDrop(code),
    });
    this.socket = socket;
  }

  private onOpen(): void {
    // A rejoin asks for exactly what was missed since the newest message delivered, and shows the key of the last
    // welcome: should the room still hold our dead connection, it hands our name back instead of refusing it.
    const join: NativeClientPacket & { maxFrameBytes?: number } = this.everJoined
      ? {
          type: "join",
          name: this.name,
          since: this.delivered.newestSeq,
          ...(this.resumeKey && { resume: this.resumeKey }),
        }
      : { type: "join", name: this.name };
    const { maxFrameBytes } = this.options;
    this.socket?.send(JSON.stringify(maxFrameBytes === undefined ? join : { ...join, maxFrameBytes }));
  }

  private onFrame(data: string): void {
    // Any frame proves the connection alive.
    this.timers.clear("answer");
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
      case "chat": {
        const { cid } = packet as { cid?: string };
        return this.deliver(
          [
            {
              seq: packet.seq,
              ts: packet.ts,
              sender: packet.sender,
              text: packet.text,
              ...(cid !== undefined && { cid }),
            },
          ],
          "live",
        );
      }
      case "deleted":
        return this.options.onEvent({ type: "deleted", seq: packet.seq });
      case "ban_preview":
      case "banned":
      case "unbanned":
        return this.options.onEvent({ type: "moderated", packet });
      case "join":
      case "joins":
      case "leave":
      case "leaves":
      case "rename":
        if (packet.type === "rename" && packet.id === this.self?.id) {
          this.self = { id: packet.id, name: packet.name };
          this.name = packet.name;
        }
        this.roster.apply(packet);
        return this.options.onEvent({ type: "presence", packet });
      case "history":
        // The room charges a history answer to our rate limit by its size.
        this.outgoing.bill(this.clock.now(), this.costOf(data));
        return this.onHistory(packet);
      case "members":
        this.timers.clear("members");
        this.outgoing.bill(this.clock.now(), this.costOf(data));
        this.roster.add(packet.members);
        this.options.onEvent({ type: "members", members: this.memberPages.received(packet) });
        return this.drain();
      case "error":
        return this.onError(packet);
    }
  }

  /**
   * The socket is gone: clean up, then try again after a backoff delay, unless the user closed it or the room
   * removed us (its close `code` says so).
   */
  private onDrop(code?: number): void {
    const wasJoined = this.joined;
    this.detach();
    if (this.closedByUser) return;
    const refreshable = code === CLOSE_TOKEN_EXPIRED && this.options.token !== undefined;
    // The token ran out while in the room: with a new one, straight back in, resuming; the app sees no drop. (One
    // that expired before the welcome is a failed attempt: the next comes after a backoff delay, with a new token.)
    if (refreshable && wasJoined) return this.connect(true);
    const removal = refreshable ? undefined : removalOf(code, this.removalNotice);
    this.removalNotice = undefined;
    if (removal) {
      this.closedByUser = true;
      this.setStatus({ state: "offline", reason: "removed", removal });
      return;
    }
    this.failures++;
    if (this.failures > this.policy.maxAttempts) {
      this.setStatus({ state: "offline", reason: "gave_up" });
      return;
    }
    const delay = backoffDelay(this.failures, this.policy, this.random);
    this.setStatus({ state: "reconnecting", attempt: this.failures, retryAt: this.clock.now() + delay });
    this.timers.start("reconnect", delay, () => this.connect());
  }

  /** Gives up on a socket that stopped answering; its close may take minutes to arrive, so it is not awaited. */
  private abandon(): void {
    const socket = this.socket;
    this.onDrop();
    socket?.close(4000, "no answer");
  }

  /** Drops the socket and connects again after `delayMs`, as the room asked. */
  private retryAfter(delayMs: number): void {
    const socket = this.socket;
    this.detach();
    socket?.close(1000, "retry later");
    this.setStatus({ state: "reconnecting", attempt: this.failures, retryAt: this.clock.now() + delayMs });
    this.timers.start("reconnect", delayMs, () => this.connect());
  }

  private detach(): void {
    this.socket = undefined;
    this.attempt++;
    this.fetchingToken = false;
    this.joined = false;
    // A history page asked for on the old socket will never come: ask again after the rejoin.
    this.delivered.requestLost();
    this.memberPages.lost();
    // Chats refused on this connection wait in the queue, or unconfirmed as suspects: the rejoin sends them again.
    this.timers.clear("answer", "ping", "drain", "history", "members");
  }

  private schedulePing(): void {
    this.timers.start("ping", this.pingIntervalMs, () => {
      // The room answers the text frame `ping` with `pong` without waking up, and without rate-limiting it.
      this.socket?.send("ping");
      this.timers.start("answer", this.answerTimeoutMs, () => this.abandon());
      this.schedulePing();
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Packets from the room

  private onWelcome(welcome: Extract<ServerPacket, { type: "welcome" }>): void {
    const resumed = this.everJoined;
    // A room whose newest message is older than ours has lost its history (e.g. a development server's storage
    // was wiped): start over rather than wait for sequence numbers that were already used.
    const reset = resumed && welcome.lastSeq < this.delivered.newestSeq;
    if (reset) this.delivered.reset();
    this.joined = true;
    this.everJoined = true;
    this.failures = 0;
    const self = { id: welcome.id, name: welcome.name };
    this.self = self;
    this.name = welcome.name;
    this.limits = welcome.limits;
    this.resumeKey = welcome.resumeKey;
    this.outgoing.paceTo(welcome.limits, this.clock.now());
    this.outgoing.dropRenames();

    this.memberPages.start(welcome);
    this.roster.reset(welcome.members);
    this.options.onEvent({
      type: "welcome",
      self,
      members: welcome.members,
      memberCount: welcome.memberCount,
      limits: welcome.limits,
      lastSeq: welcome.lastSeq,
      resumed: resumed && !reset,
      reset,
    });
    if (resumed && !reset) {
      this.delivered.resumeFrom(welcome.history, welcome.more);
      this.deliver(welcome.history, "live");
    } else {
      this.delivered.hasOlder = welcome.more;
      this.deliver(welcome.history, "recent");
      this.emitOlder();
    }
    // After a quiet refresh of the token the app saw no drop, and hears of no return either.
    if (this.state.state !== "online") this.setStatus({ state: "online" });
    this.schedulePing();
    if (!this.delivered.hasGap) this.outgoing.resendLost(self.id);
    this.drain();
  }

  private onHistory(page: Extract<ServerPacket, { type: "history" }>): void {
    this.timers.clear("history");
    const answer = this.delivered.answer(page);
    if (answer?.kind === "older") {
      this.deliver(answer.messages, "older");
      this.emitOlder();
    } else if (answer?.kind === "gap") {
      this.deliver(answer.messages, "gap");
      if (answer.lost) this.options.onEvent({ type: "missing", ...answer.lost });
      // Only now is it known which chats sent before the drop never reached the room.
      if (!this.delivered.hasGap && this.self) this.outgoing.resendLost(this.self.id);
    }
    this.drain();
  }

  private onError(packet: Extract<ServerPacket, { type: "error" }>): void {
    const error: ProtocolError = { code: packet.code, message: packet.message };
    // Its close follows at once, and tells the rest.
    if (isRemovalNotice(error)) {
      this.removalNotice = error;
      return;
    }
    if (packet.retryAfterMs !== undefined) error.retryAfterMs = packet.retryAfterMs;
    if (!this.joined && error.retryAfterMs !== undefined) {
      // Refused before the welcome for now (the room is busy, or we were too fast): come back when it says.
      return this.retryAfter(error.retryAfterMs);
    }
    if (!this.joined) {
      // Refused before the welcome: the join itself (its name) is wrong, and trying again would not help.
      const socket = this.socket;
      this.closedByUser = true;
      this.detach();
      socket?.close(1000, "join refused");
      this.setStatus({ state: "offline", reason: "rejected", error });
      return;
    }
    if (error.retryAfterMs !== undefined) {
      // What was refused goes again, in order, once the wait is over (send-queue.ts).
      this.outgoing.refusal(this.clock.now(), error.retryAfterMs, (packet as { cid?: string }).cid);
      this.drain();
    }
    this.options.onEvent({ type: "error", error });
  }

  /** Hands on the messages not delivered before, and marks our own as confirmed. */
  private deliver(messages: (ChatMessage & { cid?: string })[], origin: MessageOrigin): void {
    const fresh = this.delivered.accept(messages);
    // Ours among them confirm our chats: the fresh ones, and (by its cid) the room's answer to a chat sent again that
    // it had stored already, whose seq was delivered before. A message seen before without a cid confirms nothing:
    // matched by text, it could take the place of another chat that says the same.
    for (const message of messages)
      if (message.cid !== undefined || fresh.includes(message)) this.outgoing.confirm(message);
    if (fresh.length > 0) this.options.onEvent({ type: "messages", messages: fresh, origin });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Packets to the room

  /** Sends what is waiting, as fast as the room's rate limit allows: history requests first, then the queue. */
  private drain(): void {
    this.timers.clear("drain");
    while (this.joined && this.socket && this.self) {
      const next = this.nextPacket();
      if (!next) {
        // Chats suspected refused are due when the pause ends, even with nothing else to send.
        const due = this.outgoing.suspectsDueIn(this.clock.now());
        if (due !== undefined) this.timers.start("drain", due, () => this.drain());
        break;
      }
      const frame = JSON.stringify(next.packet);
      const wait = this.outgoing.waitBeforeSending(this.clock.now(), this.costOf(frame));
      if (wait > 0) {
        this.timers.start("drain", wait, () => this.drain());
        break;
      }
      if (next.history) this.askHistory(next.history);
      else if (next.packet.type === "members") this.askMembers();
      else this.outgoing.take(this.self.id);
      this.socket.send(frame);
    }
    if (this.outgoing.size !== this.reportedQueueSize) {
      this.reportedQueueSize = this.outgoing.size;
      this.options.onEvent({ type: "queue", size: this.reportedQueueSize });
    }
  }

  /** The packet to send next: a history request that is due, else a page of members, else the head of the queue. */
  private nextPacket(): { packet: NativeClientPacket; history?: HistoryKind } | undefined {
    const request = this.delivered.nextRequest();
    if (request) {
      return {
        packet: { type: "history", before: request.before, limit: this.limits?.historyPageMax },
        history: request.kind,
      };
    }
    const members = this.memberPages.nextRequest(this.limits?.membersPageMax);
    if (members) return { packet: members };
    // Chats wait for a gap to be filled: only then is it known which earlier ones must be sent again.
    if (this.delivered.hasGap) return undefined;
    const packet = this.outgoing.next(this.clock.now());
    return packet && { packet };
  }

  private costOf(frame: string): number {
    return frameCost(frame, (this.limits ?? DEFAULT_LIMITS).rateLimitBytesPerToken);
  }

  private askHistory(kind: HistoryKind): void {
    this.delivered.requested(kind);
    // The room answers every history request unless it refused it (rate limit): then ask again.
    this.timers.start("history", this.answerTimeoutMs, () => {
      this.delivered.requestLost();
      this.drain();
    });
  }

  private askMembers(): void {
    this.memberPages.requested();
    // As with history: a refused request is never answered, so it is asked again.
    this.timers.start("members", this.answerTimeoutMs, () => {
      this.memberPages.lost();
      this.drain();
    });
  }

  // -------------------------------------------------------------------------------------------------------------

  private setStatus(status: ConnectionStatus): void {
    this.state = status;
    this.options.onEvent({ type: "status", status });
  }

  private emitOlder(): void {
    this.options.onEvent({ type: "older", more: this.delivered.hasOlder, loading: this.delivered.olderLoading });
  }
}
