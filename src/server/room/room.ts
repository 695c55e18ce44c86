// One chat room: a Durable Object that owns its members' WebSockets and its history. This file is the room's story:
// a connection arrives, joins, chats, renames, asks for history and leaves. The jobs behind it (who is here, what
// the room announces, what input costs, storage, moderation, shards) have homes of their own, named in its imports.
//
// It uses the WebSocket Hibernation API: the runtime holds the sockets and may evict this object from memory
// whenever the room is idle, re-creating it (constructor included) when the next event arrives. So the constructor
// rebuilds everything from the sockets and the storage.
//
// A room past SHARD_CAPACITY connections is a hub: it sends further connections to shard objects (shard.ts), which
// hold their sockets and pass their frames on to it. The room's story below is the same for both kinds of
// connection: to it, a shard's connection is a socket like its own (`RemoteConnection`). See docs/scaling.md.
//
// A room costs nothing until someone joins: looking at it or connecting without joining writes nothing, and once
// it has neither members nor history it deletes its storage.

import { DurableObject } from "cloudflare:workers";
import {
  CLOSE_RECONNECT,
  CLOSE_REPLACED,
  CLOSE_ROOM_DELETED,
  CLOSE_TIMEOUT,
  CLOSE_TOKEN_EXPIRED,
  type CloseCode,
} from "../../shared/close-codes";
import { guestName, NAME_TAKEN_RULE } from "../../shared/names";
import type {
  Answering,
  ClientRequest,
  Dialect,
  LeaveReason,
  Member,
  ModerationAction,
  ProtocolError,
  ServerPacket,
} from "../../shared/protocol";
import type { Env } from "../config/env";
import { type RoomSettings, readSettings } from "../config/settings";
import { answerClose } from "../connections/closing";
import { acceptUpgrade } from "../connections/compression";
import { sendErrorPacket, sendPacket } from "../connections/fan-out";
import { batchBudget, fitHistory, fitMembers, fitWelcome, frameLimit } from "../connections/frame-fit";
import { Liveness } from "../connections/liveness";
import { authorOf, type Claim, type JoinedSession, memberOf, type Session, Sessions } from "../connections/sessions";
import { Charges } from "../limits/charges";
import { Intake, sessionLabel, type Taken } from "../limits/intake";
import { type ModeratedRoom, type ModerationOutcome, moderate } from "../moderation/actions";
import { BanList } from "../moderation/ban-list";
import { HubRoster } from "../shards/hub-roster";
import { RemoteConnection, type ShardInfo, ShardSet } from "../shards/hub-side";
import type { Report } from "../shards/wire";
import { RoomStorage } from "../storage/room-storage";
import { admit } from "./admission";
import { AlarmClock, nextUpkeep, sweepInterval } from "./alarm-clock";
import { Outbox } from "./outbox";
import { expiredMembers, expiresAt, firstExpiry, TOKEN_EXPIRED_REASON, tokenExpired } from "./token-expiry";

/** The error that refuses a join or rename whose name another member holds, or one that looks the same (sessions.ts). */
const nameTakenError = (name: string): ProtocolError => ({
  code: "name_taken",
  message: `the name "${name}" is taken: ${NAME_TAKEN_RULE}`,
});

/** A member's connection: a socket of the room's own, or one a shard holds. */
type Connection = WebSocket | RemoteConnection;

export interface RoomInfo {
  members: Member[];
  lastSeq: number;
  connections: number;
  /** For a room past SHARD_CAPACITY: its shards, as the hub sees them. */
  shards?: ShardInfo[];
}

export class ChatRoom extends DurableObject<Env> {
  private readonly settings: RoomSettings;
  private readonly storage: RoomStorage;
  private readonly bans: BanList;
  private readonly hubRoster: HubRoster;
  private readonly sessions: Sessions<Connection>;
  /** What input costs (limits/charges.ts); `settings.limits` are the protocol's limits, what a packet may hold. */
  private readonly charges: Charges<Connection>;
  private readonly intake: Intake<Connection>;
  private readonly outbox: Outbox<Connection>;
  private readonly liveness: Liveness<Connection>;
  private readonly alarmClock: AlarmClock;
  private readonly shards: ShardSet;
  /** The room as moderation/actions.ts acts on it. */
  private readonly moderated: ModeratedRoom<Connection>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.settings = readSettings(env);
    // With tokens in use, an anonymous member is a guest, and shown as one (protocol.ts, `Member`).
    const verifies = Boolean(env.AUTH_SECRET);
    this.storage = new RoomStorage(
      ctx.storage,
      this.settings.historyRetained,
      this.settings.historyPageMaxBytes,
      verifies,
    );
    this.bans = new BanList(ctx.storage);
    this.hubRoster = new HubRoster(ctx.storage);
    this.sessions = new Sessions<Connection>(ctx.getWebSockets(), verifies);
    this.charges = new Charges(this.settings, Date.now());
    this.intake = new Intake(this.settings.limits, this.charges, {
      sendError: (socket, dialect, error) => this.sendError(socket, dialect, error),
      close: (socket, code, reason) => this.closeConnection(socket, code, reason),
      sendFrame: (socket, frame) => socket.send(frame),
    });
    this.alarmClock = new AlarmClock(ctx.storage);
    this.shards = new ShardSet(env, ctx.id.name ?? "", this.settings.shardCapacity, Date.now(), this.hubRoster);
    const budget = batchBudget(this.settings.limits);
    this.outbox = new Outbox(
      this.sessions,
      this.shards.audience(this.sessions, budget),
      (chats) => {
        const stored = this.storage.append(chats);
        // History is upkeep: from now on the room needs its alarm, to expire it.
        this.inBackground(this.alarmClock.ensure(() => this.nextUpkeep()));
        return stored;
      },
      budget,
    );
    this.liveness = new Liveness(this.settings, {
      unjoined: () => this.sessions.unjoined(),
      // Only the room's own members: a shard watches its own (`ShardSet.checkIn`).
      lastPing: (socket) =>
        socket instanceof RemoteConnection ? undefined : ctx.getWebSocketAutoResponseTimestamp(socket)?.getTime(),
      close: (socket, reason) => this.closeConnection(socket, CLOSE_TIMEOUT, reason),
    });
    this.moderated = {
      sessions: this.sessions,
      storage: this.storage,
      bans: this.bans,
      remove: (socket, removal) => {
        this.sendError(socket, "native", removal.notice);
        this.closeConnection(socket, removal.closeCode, removal.closeReason, removal.leave);
      },
      announce: (packet) => this.outbox.announce(packet),
      banEndsAt: (until) => this.inBackground(this.alarmClock.ringBy(until)),
    };
    for (const [, openedAt] of this.sessions.unjoined()) this.liveness.expectJoin(openedAt);
    // A hub that starts again asks its shards whom they hold before it takes any event.
    if (this.storage.shardCount > 0) void ctx.blockConcurrencyWhile(() => this.restoreShards());
    // Keep-alive pings are answered by the runtime itself, without waking the room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  private async restoreShards(): Promise<void> {
    const restored = await this.shards.rebuild(this.storage);
    this.sessions.restore(restored);
    for (const connection of restored) {
      const session = this.sessions.get(connection);
      if (session && !session.joined) this.liveness.expectJoin(session.openedAt);
    }
    // The room's own members whose sockets did not come back (they died with it) left: its shards' members hear so.
    const present = new Set(this.sessions.joined().map(([, session]) => session.id));
    for (const member of this.hubRoster.missing(present)) this.outbox.leave(member);
  }

  /**
   * Accepts a WebSocket upgrade that the Worker routed to this room, unless its address holds too many already or
   * the room banned it.
   */
  override async fetch(request: Request): Promise<Response> {
    const { sessions, bans } = this;
    const newcomer = await admit(
      request,
      { sessions, bans, maxConnectionsPerAddress: this.settings.maxConnectionsPerAddress },
      Date.now(),
    );
    if (newcomer instanceof Response) return newcomer;
    const now = Date.now();
    if (this.sessions.sizeHere >= this.settings.shardCapacity) {
      // The room is full: the connection goes to a shard, which the Worker passes the upgrade on to.
      const placed = this.shards.place(this.storage);
      this.sessions.open(placed, now, newcomer);
      this.liveness.expectJoin(now);
      return this.shards.routing(placed);
    }
    const { socket, response } = acceptUpgrade(this.ctx);
    this.sessions.open(socket, now, newcomer);
    this.liveness.expectJoin(now);
    return response;
  }

  /** What a shard's connections did, in order: frames the shard let through, and connections that closed. */
  async fromShard(shard: number, reports: Report[]): Promise<void> {
    for (const report of reports) {
      const connection = this.shards.connection(shard, report.conn);
      if (report.kind === "closed") {
        if (connection) await this.depart(connection);
      } else if (report.kind === "shut") {
        // The shard closed it itself (too big a frame, flooding): the room does as it would for its own socket.
        if (connection) this.closeConnection(connection, report.code, report.reason);
      } else if (connection) {
        await this.receive(connection, report.frame);
      } else {
        // A connection the room does not know (it forgot it while starting again): it is to connect again.
        this.shards.closeUnknown(shard, report.conn, CLOSE_RECONNECT, "the room lost this connection; connect again");
      }
    }
  }

  /** What `GET /api/rooms/<name>` reports. */
  info(): RoomInfo {
    const info: RoomInfo = {
      members: this.sessions.members(),
      lastSeq: this.storage.newestSeq,
      connections: this.sessions.size,
    };
    const shards = this.shards.info();
    if (shards.length > 0) info.shards = shards;
    return info;
  }

  /** A moderation action of the admin API (`POST /api/rooms/<name>/<action>`). */
  async moderateAsAdmin(action: ModerationAction): Promise<ModerationOutcome> {
    return moderate(this.moderated, action, "admin", Date.now());
  }

  /** `DELETE /api/rooms/<name>`: everyone is disconnected, and history and bans are deleted. */
  async wipe(): Promise<void> {
    // What was said before the wipe is wiped too: stored now, so that it cannot be stored after.
    this.outbox.flush();
    // Nobody is left to hear of anyone's leave.
    for (const socket of this.sessions.all()) this.closeUnannounced(socket, CLOSE_ROOM_DELETED, "the room was deleted");
    await this.clearStorage();
  }

  override async webSocketMessage(socket: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    await this.receive(socket, frame);
  }

  private async receive(socket: Connection, frame: string | ArrayBuffer): Promise<void> {
    const session = this.sessions.get(socket);
    // Frames still arriving from a connection the room has closed (a flooder's) get no answer.
    if (!session || socket.readyState !== WebSocket.OPEN) return;
    // Nothing a connection sends after its token expired is carried out, its join included.
    if (tokenExpired(session, Date.now()))
      return this.closeConnection(socket, CLOSE_TOKEN_EXPIRED, TOKEN_EXPIRED_REASON);
    this.liveness.heard(socket, Date.now());
    let answering: Answering | undefined;
    try {
      const taken = this.intake.take(socket, session, frame, Date.now());
      if (!taken) return;
      answering = taken.answering;
      // Only moderation waits (a ban's hash); everything else is done by now, without a turn of the event loop.
      const moderating = this.handle(socket, session, taken, frame);
      if (moderating) await moderating;
    } catch (error) {
      // Whatever went wrong, the sender hears of it and the room goes on for everyone else.
      console.error(`room: ${sessionLabel(session)}: ${String(error)}`);
      this.sendError(socket, "native", {
        code: "internal_error",
        message: "the server could not handle that packet",
        ...answering,
      });
    }
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    await this.depart(socket);
    answerClose(socket, code);
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    // No close event follows an error, so this is the connection's only goodbye.
    await this.depart(socket);
  }

  /** The room's upkeep: drops silent members, expires old history, and sets the next alarm if any is needed. */
  override async alarm(): Promise<void> {
    this.alarmClock.unset();
    const now = Date.now();
    const silenceSeconds = this.settings.silenceMs / 1000;
    this.bans.expire(now);
    const onShards = await this.shards.checkIn();
    // A shard that no longer holds a member's socket crashed, or lost its close: the member is gone.
    for (const connection of onShards.gone) await this.depart(connection);
    const silent = [
      ...this.liveness.silent(
        this.sessions.joinedHere().map(([socket]) => socket),
        now,
      ),
      ...onShards.silent,
    ];
    for (const socket of silent)
      this.closeConnection(socket, CLOSE_TIMEOUT, `silent for more than ${silenceSeconds} s`);
    for (const socket of expiredMembers(this.sessions.joined(), now))
      this.closeConnection(socket, CLOSE_TOKEN_EXPIRED, TOKEN_EXPIRED_REASON);
    this.storage.expire(now - this.settings.historyMaxAgeMs);
    if (await this.releaseIfEmpty()) return;
    await this.alarmClock.ringBy(this.nextUpkeep());
  }

  // -------------------------------------------------------------------------------------------------------------

  /**
   * Carries out one valid request; only moderation waits for anything (a ban's hash). Every error it answers with
   * names the packet (`answering`).
   */
  private handle(
    socket: Connection,
    session: Session,
    taken: Taken,
    frame: string | ArrayBuffer,
  ): void | Promise<void> {
    const { request, dialect: packetDialect, answering } = taken;
    const reply = (error: ProtocolError, charged = false) =>
      this.sendError(socket, packetDialect, { ...error, ...answering }, charged);
    if (request.kind === "ignore") return;
    if (request.kind === "join") {
      if (session.joined) return reply({ code: "already_joined", message: "this connection has already joined" });
      // A verified member's name is its token's, whatever the join says.
      const name = session.identity?.name ?? request.name;
      // What costs the room nothing is checked first: a join refused for its name spends none of the room's joins.
      const claim = this.sessions.claim(socket, name, request.resume);
      if (!claim.free) return reply(nameTakenError(name), true);
      const wait = this.charges.join(Date.now());
      if (wait > 0) {
        return reply(
          { code: "room_busy", message: `too many joins at once; retry in ${wait} ms`, retryAfterMs: wait },
          true,
        );
      }
      this.vacateName(claim);
      return this.join(socket, { ...request, name });
    }
    if (!session.joined) return reply({ code: "not_joined", message: `join before sending ${request.kind}` });
    // What everyone hears is charged to the room's budget too; answers to the asker alone are charged to the asker.
    const heardByAll = request.kind !== "history" && request.kind !== "members";
    if (heardByAll && !this.intake.enforce(socket, session, this.charges.broadcast(socket, frame, Date.now()), frame))
      return;
    switch (request.kind) {
      case "chat": {
        const { text, cid } = request;
        const chat = { ts: Date.now(), sender: memberOf(session), text };
        return this.outbox.chat(cid === undefined ? chat : { ...chat, cid, author: authorOf(session) }, socket);
      }
      case "rename": {
        if (session.identity) return reply({ code: "forbidden", message: "a verified member's name is its token's" });
        if (!this.sessions.claim(socket, request.name).free) return reply(nameTakenError(request.name));
        const renamed = this.sessions.rename(socket, request.name);
        return this.outbox.announce({ type: "rename", ...memberOf(renamed), previous: session.name });
      }
      case "history": {
        // What was said a moment ago belongs in the page: store it first.
        this.outbox.flush();
        const page = fitHistory(
          this.storage.page(request.limit, { before: request.before }),
          frameLimit(this.settings.limits, session),
        );
        const frames = sendPacket(socket, session.dialect, page);
        // A request of a few bytes can pull a page of kilobytes: the answer is charged to the asker, by its size.
        return this.charges.answered(socket, frames, Date.now());
      }
      case "members": {
        const page = fitMembers(
          this.sessions.membersAfter(request.after, request.limit),
          frameLimit(this.settings.limits, session),
        );
        const frames = sendPacket(socket, session.dialect, page);
        return this.charges.answered(socket, frames, Date.now());
      }
      case "moderate":
        return this.moderate(socket, session, request.action, reply);
    }
  }

  private async moderate(
    socket: Connection,
    session: JoinedSession,
    action: ModerationAction,
    reply: (error: ProtocolError) => void,
  ): Promise<void> {
    if (session.identity?.role !== "moderator")
      return reply({ code: "forbidden", message: "only a moderator may do that" });
    const outcome = await moderate(this.moderated, action, session.identity, Date.now());
    if (!outcome.ok) return reply(outcome.error);
    if (outcome.answer) sendPacket(socket, session.dialect, outcome.answer);
  }

  private join(socket: Connection, request: Extract<ClientRequest, { kind: "join" }>): void {
    this.outbox.flushBeforeWelcome();
    const { historyOnJoin, limits } = this.settings;
    const page =
      request.since === undefined
        ? this.storage.page(historyOnJoin)
        : this.storage.page(limits.historyPageMax, { after: request.since });
    // The first write a connection causes: ids stay unique for the room's whole life.
    const member = { id: this.storage.nextConnectionId(), name: request.name, dialect: request.dialect };
    const joined = this.sessions.join(
      socket,
      request.maxFrameBytes === undefined ? member : { ...member, frameBytes: request.maxFrameBytes },
      request.resume,
    );
    this.stopJoinCheckIfNoneLeft();
    // A room of thousands lists its first members only; the newcomer asks for the rest (`members`) as it needs them.
    const listed = this.sessions.membersAfter(0, limits.membersPageMax);
    const maxServerFrameBytes = frameLimit(limits, joined);
    const welcome: Extract<ServerPacket, { type: "welcome" }> = {
      type: "welcome",
      id: joined.id,
      name: joined.name,
      members: listed.members,
      moreMembers: listed.more,
      memberCount: this.sessions.joined().length,
      history: page.messages,
      more: page.more,
      lastSeq: this.storage.newestSeq,
      limits: { ...limits, maxServerFrameBytes },
      resumeKey: joined.resumeKey,
    };
    // A tutorial client gets its history one message a frame (codec.ts), and cannot page: it gets all of it.
    sendPacket(
      socket,
      joined.dialect,
      joined.dialect === "native" ? fitWelcome(welcome, maxServerFrameBytes) : welcome,
    );
    this.outbox.join(memberOf(joined), socket);
    // Members are upkeep: the alarm must come round to check that they are still there, and that their tokens are valid.
    const sweep = Date.now() + sweepInterval(this.settings.silenceMs);
    this.inBackground(this.alarmClock.ringBy(joined.identity ? Math.min(sweep, expiresAt(joined.identity)) : sweep));
  }

  /**
   * Clears a claimed name for its claimant: the claimant's own old connection (its ghost, which the join's resume key
   * replaces) is closed, and guests who hold the name a verified member joins with are renamed.
   */
  private vacateName(claim: Extract<Claim<Connection>, { free: true }>): void {
    if (claim.ghost)
      this.closeConnection(claim.ghost, CLOSE_REPLACED, "replaced by a new connection of the same member");
    for (const squatter of claim.squatters) this.renameGuest(squatter);
  }

  /** A guest who holds the name a verified member joins with gives it up for another, and everyone hears so. */
  private renameGuest(socket: Connection): void {
    const session = this.sessions.get(socket);
    if (!session?.joined) return;
    const name = guestName(session.name, this.settings.limits.maxNameChars, (name) => this.sessions.holds(name));
    const renamed = this.sessions.rename(socket, name);
    this.outbox.announce({ type: "rename", ...memberOf(renamed), previous: session.name });
  }

  /** Drops a connection the runtime reports gone; announces its leave if it had joined. Safe to call more than once per socket. */
  private async depart(socket: Connection): Promise<void> {
    const session = this.sessions.remove(socket);
    this.charges.dropConnection(socket);
    this.shards.dropConnection(socket);
    this.stopJoinCheckIfNoneLeft();
    if (!session) return;
    this.outbox.leave(memberOf(session));
    await this.releaseIfEmpty();
  }

  /**
   * A room with no members, no history and no bans keeps nothing: its storage is deleted, alarm included. One with
   * history or bans sleeps until they expire: with nobody to check on, its alarm has no reason to ring sooner.
   */
  private async releaseIfEmpty(): Promise<boolean> {
    if (this.sessions.joined().length > 0) return false;
    // What was said just before the last member left is history too.
    this.outbox.flush();
    const oldestTs = this.storage.oldestTs();
    if (oldestTs !== undefined || this.bans.any) {
      await this.alarmClock.ringAt(this.nextUpkeep(oldestTs));
      return false;
    }
    await this.clearStorage();
    return true;
  }

  private async clearStorage(): Promise<void> {
    this.alarmClock.unset();
    this.bans.forget();
    this.hubRoster.forget();
    await this.storage.clear();
  }

  private nextUpkeep(oldestTs = this.storage.oldestTs()): number {
    const { silenceMs, historyMaxAgeMs } = this.settings;
    const members = this.sessions.joined();
    return nextUpkeep({
      now: Date.now(),
      hasMembers: members.length > 0,
      oldestTs,
      silenceMs,
      historyMaxAgeMs,
      banEnds: this.bans.nextExpiry(),
      tokenExpires: firstExpiry(members),
    });
  }

  /**
   * Closes a connection from the room's side: it stops being listed at once, and its leave is announced once, with
   * `leave` as its reason if a moderator removed it.
   */
  private closeConnection(socket: Connection, code: CloseCode, reason: string, leave?: LeaveReason): void {
    const departed = this.closeUnannounced(socket, code, reason);
    if (!departed) return;
    this.outbox.leave(leave === undefined ? memberOf(departed) : { ...memberOf(departed), reason: leave });
    this.inBackground(this.releaseIfEmpty());
  }

  /**
   * Closes a connection and stops listing it at once, announcing nothing (the caller announces the leave, or nobody
   * is left to hear it); returns its member if it had joined. Its address counts it, and its shard holds it, until
   * the runtime reports it gone (`depart`).
   */
  private closeUnannounced(socket: Connection, code: CloseCode, reason: string): JoinedSession | undefined {
    const departed = this.sessions.retire(socket);
    this.charges.dropConnection(socket);
    this.stopJoinCheckIfNoneLeft();
    socket.close(code, reason);
    return departed;
  }

  /** A pending join check would keep the room from hibernating: once nobody is left to join, it goes. */
  private stopJoinCheckIfNoneLeft(): void {
    if (!this.sessions.anyUnjoined) this.liveness.noJoinsPending();
  }

  /** Storage work that nothing waits for; the runtime applies it in order. A failure is logged, never lost. */
  private inBackground(work: Promise<unknown>): void {
    work.catch((error: unknown) => console.error(`room: upkeep failed: ${String(error)}`));
  }

  /**
   * Errors go out in the member's dialect; before join, in the dialect the offending packet looked like. What the
   * outbox holds goes out first: the echo of a chat sent before the packet an error answers comes before the error.
   */
  private sendError(socket: Connection, dialectBeforeJoin: Dialect, error: ProtocolError, charged = false): void {
    this.outbox.flush();
    const frames = sendErrorPacket(socket, this.sessions.get(socket), dialectBeforeJoin, error);
    // A refused join is charged to its sender: one that repeats it spends its own budget, not the room's joins.
    if (charged) this.charges.answered(socket, frames, Date.now());
  }
}
