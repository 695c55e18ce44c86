// The connection to one room, with no DOM in sight: it connects and joins, keeps the connection alive, reconnects
// with backoff after a drop, resumes where it left off so that every message is delivered exactly once, pages
// through older history, and queues what the user sends while it is away. The page turns its events into pixels.
// This file is the story of the connection: the socket's life and the conversation with the room. Each job in it is
// kept elsewhere: the socket and its token (room-socket.ts), who we are and what a join asks for (membership.ts),
// what a close means (close-decision.ts), when to try again (retry-schedule.ts), pings and answers (keep-alive.ts),
// messages handed on once, in order (inbox.ts, delivery-record.ts), and kept in their current state as they change
// (message-model.ts, change-pages.ts), what is sent (message-actions.ts, send-queue.ts) and when (outbox.ts), the
// member list (roster.ts, member-pages.ts), the live signals: typing and members' states (signal-actions.ts), and
// the room's rules as they concern us: its settings, our mute (moderation-actions.ts).
//
// Everything it touches outside itself is injected (connection-options.ts: the socket, the clock, randomness), so
// the tests drive it step by step.

import type { ProtocolError, ServerPacket } from "../shared/protocol";
import { ChangePages } from "./change-pages";
import { afterClose, CLOSE_NO_ANSWER } from "./close-decision";
import type { ConnectionEvent, ConnectionStatus } from "./connection-events";
import { type ConnectionOptions, withDefaults } from "./connection-options";
import { DeliveryRecord } from "./delivery-record";
import { Inbox } from "./inbox";
import { KeepAlive } from "./keep-alive";
import { Membership } from "./membership";
import { ModerationActions, type ModeratorPacket } from "./moderation-actions";
import { Outbox } from "./outbox";
import { isRemovalNotice, mayRejoin } from "./removal";
import { RetrySchedule } from "./retry-schedule";
import { RoomSocket } from "./room-socket";
import { type Outgoing, type Request, SendQueue } from "./send-queue";
import type { SocketLike } from "./socket";

export type { ConnectionOptions } from "./connection-options";
export type { ChatOptions } from "./message-actions";

export class RoomConnection extends ModerationActions {
  private readonly keepAlive: KeepAlive;
  private readonly retry: RetrySchedule;

  private readonly socket: RoomSocket;
  private joined = false;
  private closedByUser = false;
  private currentStatus: ConnectionStatus = { state: "offline", reason: "closed" };
  /** The `kicked` or `banned` error that comes just before the room closes us. */
  private removalNotice: ProtocolError | undefined;

  protected readonly membership: Membership;
  private readonly delivered = new DeliveryRecord();
  private readonly changes = new ChangePages();
  private readonly outgoing = new SendQueue();
  private readonly inbox: Inbox;
  protected readonly outbox: Outbox;

  constructor(protected readonly options: ConnectionOptions) {
    const { clock, random, backoff, pingIntervalMs, answerTimeoutMs } = withDefaults(options);
    super(clock);
    this.membership = new Membership(options.name);
    const { membership, delivered, changes, model, memberPages, outgoing: queue, ownState } = this;
    const onEvent = (event: ConnectionEvent) => this.options.onEvent(event);
    const setStatus = (status: ConnectionStatus) => this.setStatus(status);
    this.socket = new RoomSocket(options, {
      open: () => this.onOpen(),
      message: (data) => this.onFrame(data),
      close: (code) => this.onDrop(code),
    });
    this.keepAlive = new KeepAlive(clock, pingIntervalMs, answerTimeoutMs, () => this.abandon());
    this.retry = new RetrySchedule(clock, backoff, random, () => this.connect(), setStatus);
    this.inbox = new Inbox({ delivered, changes, model, sent: queue, chats: this.chats, onEvent });
    const socket = () => (this.joined ? this.socket.current : undefined);
    const parts = { clock, answerTimeoutMs, membership, delivered, changes, memberPages, ownState, queue, socket };
    this.outbox = new Outbox({ ...parts, onEvent });
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  /** Connects, unless already connected or on the way. */
  open(): void {
    if (this.socket.busy) return;
    this.retry.cancel();
    this.closedByUser = false;
    this.retry.failures = 0;
    this.connect();
  }

  /** Disconnects for good: no reconnect follows until `open`. */
  close(): void {
    this.retry.cancel();
    this.hangUp("closed by the user");
    this.stop({ state: "offline", reason: "closed" });
  }

  /**
   * Skips the rest of the backoff delay (the user asked, or the browser says the network is back). After a kick, or
   * the room's deletion, it is the user's asking to rejoin; never into a ban.
   */
  retryNow(): void {
    const status = this.currentStatus;
    if (status.state === "offline" && status.reason === "removed" && mayRejoin(status.removal)) return this.open();
    if (status.state !== "reconnecting" && !(status.state === "offline" && status.reason === "gave_up")) return;
    this.retry.cancel();
    this.connect();
  }

  /** Renames without leaving; while disconnected, the next join carries the new name. */
  rename(name: string): void {
    this.membership.name = name;
    if (this.joined) this.enqueue({ type: "rename", name });
  }

  /** Sends a moderator's packet (kick, ban, unban, delete, mute, unmute, settings) now; false if not in the room. */
  moderate(packet: ModeratorPacket): boolean {
    if (!this.joined || !this.socket.current) return false;
    this.socket.current.send(JSON.stringify(packet));
    return true;
  }

  /** Asks for the page of history before the oldest message delivered. False if there is none to ask for. */
  loadOlder(): boolean {
    if (!this.inbox.wantOlder()) return false;
    this.outbox.drain();
    return true;
  }

  protected enqueue(request: Request): Outgoing {
    const packet = this.outgoing.push(request);
    this.outbox.drain();
    return packet;
  }

  // -------------------------------------------------------------------------------------------------------------
  // The socket's life

  /** Connects; `quietly`, as the refresh of an expired token is, with no status for the app to see. */
  private connect(quietly = false): void {
    if (!quietly) this.setStatus({ state: "connecting", attempt: this.retry.failures });
    // A connection that neither fails nor gets through to the welcome is as good as dropped; so is a token that
    // does not come.
    this.keepAlive.expectAnswer();
    // A token the backend could not give now is a failed attempt, tried again after a backoff delay.
    this.socket.connect();
  }

  private onOpen(): void {
    const join = this.membership.join(this.delivered.newestPosition, this.options.maxFrameBytes);
    this.socket.current?.send(JSON.stringify({ ...join, ...this.ownState.joining() }));
  }

  /**
   * The socket is gone: clean up, then try again after a backoff delay, unless the user closed it or the room
   * removed us (its close `code` says so).
   */
  private onDrop(code?: number): void {
    const wasJoined = this.joined;
    this.detach();
    if (this.closedByUser) return;
    const refreshesToken = this.options.token !== undefined;
    const next = afterClose({ code, wasJoined, refreshesToken, notice: this.removalNotice });
    this.removalNotice = undefined;
    if (next.action === "refresh") return this.connect(true);
    if (next.action === "stop") return this.stop({ state: "offline", reason: "removed", removal: next.removal });
    this.retry.failed();
  }

  /** Gives up on a socket that stopped answering; its close may take minutes to arrive, so it is not awaited. */
  private abandon(): void {
    const socket = this.socket.current;
    this.onDrop();
    socket?.close(CLOSE_NO_ANSWER, "no answer");
  }

  /** Closes our socket, if any, and lets it go. */
  private hangUp(reason: string): void {
    this.detach()?.close(1000, reason);
  }

  /** Lets the socket go (and hands it back): nothing more is sent or heard on it. */
  private detach(): SocketLike | undefined {
    this.joined = false;
    // A history page asked for on the old socket will never come: ask again after the rejoin.
    this.delivered.requestLost();
    this.changes.lost();
    this.memberPages.lost();
    // Chats refused on this connection wait in the queue, or unconfirmed as suspects: the rejoin sends them again.
    this.keepAlive.stop();
    this.outbox.stop();
    return this.socket.release();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Packets from the room

  private onFrame(data: string): void {
    this.keepAlive.heard();
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
        this.heardChat(packet.sender);
        return this.inbox.chat(packet);
      case "signals":
        return this.heardSignals(packet);
      case "edited":
      case "deleted":
      case "reactions":
        return this.inbox.change(packet);
      case "ban_preview":
      case "banned":
      case "unbanned":
      case "muted":
      case "unmuted":
        return this.options.onEvent({ type: "moderated", packet });
      case "settings":
        return this.heardSettings(packet.settings);
      case "mute_status":
        return this.heardMuteStatus(packet);
      case "join":
      case "joins":
      case "leave":
      case "leaves":
      case "rename":
      case "presence":
        return this.heardPresence(packet);
      case "history":
        this.outbox.answered("history", data);
        this.inbox.history(packet, this.membership.self?.id);
        return this.outbox.drain();
      case "changes":
        this.outbox.answered("changes", data);
        this.inbox.changes(packet, this.membership.self?.id);
        return this.outbox.drain();
      case "members":
        this.outbox.answered("members", data);
        this.heardMembersPage(packet);
        return this.outbox.drain();
      case "error":
        return this.onError(packet);
    }
  }

  private onWelcome(welcome: Extract<ServerPacket, { type: "welcome" }>): void {
    const { self, resumed, reset } = this.membership.welcomed(welcome, this.delivered.newestPosition);
    if (reset) this.inbox.reset();
    this.joined = true;
    this.retry.failures = 0;
    this.outgoing.paceTo(this.membership.limits ?? welcome.limits, this.clock.now());
    this.outgoing.dropRenames();
    this.memberPages.start(welcome);
    this.welcomedLive(welcome);
    const { members, memberCount, limits, lastSeq } = welcome;
    const continued = resumed && !reset;
    const { presence } = this;
    const told = { self, members, memberCount, presence, limits, lastSeq, resumed: continued, reset };
    this.options.onEvent({ type: "welcome", ...told });
    this.welcomedRules(welcome);
    this.inbox.welcome(welcome, continued, self.id);
    // After a quiet refresh of the token the app saw no drop, and hears of no return either.
    if (this.currentStatus.state !== "online") this.setStatus({ state: "online" });
    // The room answers the text frame `ping` with `pong` without waking up, and without rate-limiting it.
    this.keepAlive.ping(() => this.socket.current?.send("ping"));
    this.outbox.drain();
  }

  private onError(packet: Extract<ServerPacket, { type: "error" }>): void {
    const { type: _, ...error } = packet;
    // Its close follows at once, and tells the rest.
    if (isRemovalNotice(error)) {
      this.removalNotice = error;
      return;
    }
    // Refused for the state the join carried: it is dropped, and the join goes again at once without it.
    if (!this.joined && this.joinRefusedForState(error)) return this.onOpen();
    if (!this.joined && error.retryAfterMs !== undefined) {
      // Refused before the welcome for now (the room is busy, or we were too fast): come back when it says.
      this.hangUp("retry later");
      return this.retry.after(error.retryAfterMs);
    }
    if (!this.joined) {
      // Refused before the welcome: the join itself (its name) is wrong, and trying again would not help.
      this.hangUp("join refused");
      return this.stop({ state: "offline", reason: "rejected", error });
    }
    // What was refused for now goes again, in order, once the wait is over (send-queue.ts); our state too.
    this.inbox.refused(error, this.clock.now());
    this.refusedByRules(error);
    const tell = this.refusedLive(error);
    this.outbox.drain();
    if (tell) this.options.onEvent({ type: "error", error });
  }

  // -------------------------------------------------------------------------------------------------------------

  private setStatus(status: ConnectionStatus): void {
    this.currentStatus = status;
    this.options.onEvent({ type: "status", status });
  }

  /** Stops for good, and says why: nothing reconnects by itself. */
  private stop(status: ConnectionStatus): void {
    this.closedByUser = true;
    this.setStatus(status);
  }
}
