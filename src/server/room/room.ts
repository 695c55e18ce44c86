// One chat room: a Durable Object that owns its members' WebSockets and its history. This file is the room's story:
// a connection arrives, joins, chats (and edits, deletes, reacts: message-requests.ts), renames, types and changes
// its state (live signals, never stored: live-signals.ts, member-states.ts), asks for history and leaves. The jobs
// behind it (who is here, what the room announces, what input costs, storage, moderation, shards) have homes of
// their own, named in its imports.
//
// It uses the WebSocket Hibernation API: the runtime holds the sockets and may evict this object from memory
// whenever the room is idle, re-creating it when the next event arrives. Its parts (room-parts.ts, which this class
// extends by way of the calls of the backend's APIs, backend-calls.ts) are rebuilt then from the sockets and the
// storage; the story below keeps nothing of its own.
//
// A room past SHARD_CAPACITY connections is a hub: it sends further connections to shard objects (shard.ts), which
// hold their sockets and pass their frames on to it (hub.ts). The room's story below is the same for both kinds of
// connection: to it, a shard's connection is a socket like its own (`RemoteConnection`). See docs/scaling.md.
//
// A room costs nothing until someone joins: looking at it or connecting without joining writes nothing, and once
// it has neither members nor history it deletes its storage (upkeep.ts).

import { CLOSE_REPLACED, CLOSE_TOKEN_EXPIRED } from "../../shared/close-codes";
import { frameBytes } from "../../shared/codec";
import { guestName, NAME_TAKEN_RULE } from "../../shared/names";
import type {
  Answering,
  ClientRequest,
  MemberState,
  ModerationAction,
  ProtocolError,
  ServerPacket,
} from "../../shared/protocol";
import { answerClose } from "../connections/closing";
import { acceptUpgrade } from "../connections/compression";
import { type Claim, type JoinedSession, memberOf, rosterEntryOf, type Session } from "../connections/session";
import { joinsBusy } from "../limits/charges";
import { sessionLabel, type Taken } from "../limits/intake";
import { moderate } from "../moderation/actions";
import { type Connection, RemoteConnection } from "../shards/remote-connection";
import type { Report } from "../shards/wire";
import { admit } from "./admission";
import { BackendCalls } from "./backend-calls";
import { takeReports } from "./hub";
import { changeState, joiningState } from "./member-states";
import { isLogRequest, logEntryOf } from "./message-requests";
import { changesPage, historyPage, membersPage, welcomeOf } from "./pages";
import { changeSettings } from "./settings-changes";
import { muteStateOf, speechRefusal } from "./speech-rules";
import { TOKEN_EXPIRED_REASON, tokenExpired } from "./token-expiry";

/** The error that refuses a join or rename whose name another member holds, or one that looks the same (sessions.ts). */
const nameTakenError = (name: string): ProtocolError => ({
  code: "name_taken",
  message: `the name "${name}" is taken: ${NAME_TAKEN_RULE}`,
});

/** What is not charged to the room's budget: answers to their asker alone, and typing (see `handle`). */
const NOT_BROADCAST: ReadonlySet<ClientRequest["kind"]> = new Set(["history", "members", "changes", "typing"]);

export class ChatRoom extends BackendCalls {
  /**
   * Accepts a WebSocket upgrade that the Worker routed to this room, unless its address holds too many already or
   * the room banned it.
   */
  override async fetch(request: Request): Promise<Response> {
    this.counts.callIn(Date.now());
    await this.woke();
    const { sessions, bans } = this;
    const { maxConnectionsPerAddress, shardCapacity } = this.settings;
    const newcomer = await admit(request, { sessions, bans, maxConnectionsPerAddress }, Date.now());
    if ("refused" in newcomer) {
      this.counts.refused(newcomer.code, "upgrade", newcomer.refused.status);
      return newcomer.refused;
    }
    // A mute is checked without waiting: an anonymous newcomer's address is hashed now, if the room muted one.
    await this.mutes.learn([newcomer]);
    const now = Date.now();
    if (sessions.sizeHere >= shardCapacity) {
      // The room is full: the connection goes to a shard, which the Worker passes the upgrade on to.
      const placed = this.shards.place(this.storage);
      sessions.open(placed, now, newcomer);
      this.liveness.expectJoin(now);
      return this.shards.routing(placed);
    }
    const { socket, response } = acceptUpgrade(this.ctx);
    this.counts.connections++;
    sessions.open(socket, now, newcomer);
    this.liveness.expectJoin(now);
    return response;
  }

  override async webSocketMessage(socket: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    const bytes = frameBytes(frame);
    this.counts.frameIn(bytes, Date.now());
    const sweeping = this.woke();
    if (sweeping) await sweeping;
    await this.receive(socket, frame, bytes);
  }

  /** What a shard's connections did, in order: frames the shard let through, and connections that closed. */
  async fromShard(shard: number, reports: Report[]): Promise<void> {
    this.counts.callIn(Date.now());
    await this.woke();
    await takeReports(this.hub, shard, reports);
  }

  protected async receive(socket: Connection, frame: string | ArrayBuffer, bytes: number): Promise<void> {
    const session = this.sessions.get(socket);
    // Frames still arriving from a connection the room has closed (a flooder's) get no answer.
    if (!session || socket.readyState !== WebSocket.OPEN) return;
    // Nothing a connection sends after its token expired is carried out, its join included.
    if (tokenExpired(session, Date.now()))
      return this.departures.close(socket, CLOSE_TOKEN_EXPIRED, TOKEN_EXPIRED_REASON);
    this.liveness.heard(socket, Date.now());
    let answering: Answering | undefined;
    try {
      const taken = this.intake.take(socket, session, frame, bytes, Date.now());
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
    const refused = speechRefusal(this.speech, session, request, Date.now());
    if (refused === "drop") return;
    if (request.kind === "join") {
      if (session.joined) return reply({ code: "already_joined", message: "this connection has already joined" });
      if (refused) return reply(refused, true);
      // A verified member's name is its token's, whatever the join says.
      const name = session.identity?.name ?? request.name;
      // What costs the room nothing is checked first: a join refused for its name spends none of the room's joins.
      const claim = this.sessions.claim(socket, name, request.resume);
      if (!claim.free) return reply(nameTakenError(name), true);
      const ghost = claim.ghost && this.sessions.get(claim.ghost);
      const state = joiningState(session, request.state, ghost, this.settings.limits);
      if ("error" in state) return reply(state.error, true);
      // A shard's connection spent its shard's joins before its join came here (shards/shard-joins.ts).
      const wait = socket instanceof RemoteConnection ? 0 : this.charges.join(Date.now());
      if (wait > 0) return reply(joinsBusy(wait), true);
      this.vacateName(claim);
      return this.join(socket, { ...request, name }, state.state);
    }
    if (!session.joined) return reply({ code: "not_joined", message: `join before sending ${request.kind}` });
    // A muted member's words, or blocked ones, are refused before they cost the room anything; and so is a chat
    // sooner than slow mode allows (limits/slow-mode.ts).
    if (refused) return reply(refused);
    const { slowModeSeconds } = this.roomSettings.current;
    const tooSoon = request.kind === "chat" && this.slowMode.refusal(session, request, slowModeSeconds, Date.now());
    if (tooSoon) return reply(tooSoon);
    // What everyone hears is charged to the room's budget too; answers to the asker alone are charged to the asker.
    // Typing pays for its frames only: everyone hears it in batches, whatever it costs (live-signals.ts).
    const heardByAll = !NOT_BROADCAST.has(request.kind);
    if (
      heardByAll &&
      !this.intake.enforce(socket, session, this.charges.broadcast(socket, taken.bytes, Date.now()), frame)
    )
      return;
    // Chats, edits, deletions and reactions: entries of the room's log, stored with the rest of their burst.
    if (isLogRequest(request)) {
      if (request.kind === "chat") {
        this.slowMode.took(socket, session, slowModeSeconds, Date.now());
        // A chat ends its sender's typing, for everyone who sees it.
        this.outbox.chatted(session.id);
        // Its sender is near everyone in a large room now: clients list it, and hear of its leave (near-members.ts).
        this.presence.near.spoke(socket, session, Date.now());
      }
      return this.outbox.log({ entry: logEntryOf(request, session, Date.now()), socket, answering });
    }
    switch (request.kind) {
      case "rename": {
        if (session.identity) return reply({ code: "forbidden", message: "a verified member's name is its token's" });
        if (!this.sessions.claim(socket, request.name).free) return reply(nameTakenError(request.name));
        const renamed = this.sessions.rename(socket, request.name);
        return this.outbox.announce({ type: "rename", ...memberOf(renamed), previous: session.name });
      }
      case "typing":
        return this.outbox.typed(session.id, request.on, Date.now());
      case "state": {
        const refused = changeState(this.stateful, socket, session, request.state, Date.now());
        if (refused) reply(refused);
        return;
      }
      case "history":
        // What was said a moment ago belongs in the page: store it first.
        this.outbox.flush();
        return this.answer(socket, session, historyPage(this.paged, session, request));
      case "changes":
        this.outbox.flush();
        return this.answer(socket, session, changesPage(this.paged, session, request));
      case "members":
        return this.answer(socket, session, membersPage(this.paged, session, request));
      case "moderate":
        return this.moderate(socket, session, request.action, reply);
      case "settings":
        // Everyone hears the change, its moderator included: that is its answer.
        if (session.identity?.role !== "moderator")
          return reply({ code: "forbidden", message: "only a moderator may change the room's settings" });
        changeSettings(this.settingsRoom, request.change, { ...session.identity, id: session.id }, Date.now());
        return;
    }
  }

  private join(socket: Connection, request: Extract<ClientRequest, { kind: "join" }>, state: MemberState): void {
    this.outbox.flushBeforeWelcome();
    // The first write a connection causes: ids stay unique for the room's whole life.
    const member = {
      id: this.storage.nextConnectionId(),
      name: request.name,
      dialect: request.dialect,
      ...(request.maxFrameBytes !== undefined && { frameBytes: request.maxFrameBytes }),
      ...(Object.keys(state).length > 0 && { state }),
    };
    const joined = this.sessions.join(socket, member, request.resume);
    this.counts.joins++;
    this.departures.stopJoinCheckIfNoneLeft();
    // Past PRESENCE_LIST_MAX the room switches to summary presence before the newcomer's welcome, which says so.
    this.outbox.recount();
    const mute = this.mutes.of(joined, Date.now());
    const welcome = welcomeOf(this.paged, joined, request.since, mute && muteStateOf(mute));
    const typing = this.outbox.typingNow(Date.now());
    if (typing.length > 0 && joined.dialect === "native") welcome.typing = typing;
    this.audience.tell(socket, joined.dialect, welcome);
    this.outbox.join(rosterEntryOf(joined), socket);
    this.upkeep.memberJoined(joined);
  }

  /**
   * Clears a claimed name for its claimant: the claimant's own old connection (its ghost, which the join's resume key
   * replaces) is closed, and guests who hold the name a verified member joins with are renamed.
   */
  private vacateName(claim: Extract<Claim<Connection>, { free: true }>): void {
    if (claim.ghost)
      this.departures.close(claim.ghost, CLOSE_REPLACED, "replaced by a new connection of the same member");
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

  /** A page for the asker alone, charged to it by its size: a request of a few bytes can pull kilobytes. */
  private answer(socket: Connection, session: JoinedSession, page: ServerPacket): void {
    const frames = this.audience.tell(socket, session.dialect, page);
    this.charges.answered(socket, frames, Date.now());
  }

  private async moderate(
    socket: Connection,
    session: JoinedSession,
    action: ModerationAction,
    reply: (error: ProtocolError) => void,
  ): Promise<void> {
    if (session.identity?.role !== "moderator")
      return reply({ code: "forbidden", message: "only a moderator may do that" });
    const outcome = await moderate(this.moderated, action, { ...session.identity, id: session.id }, Date.now());
    if (!outcome.ok) return reply(outcome.error);
    if (outcome.answer) this.audience.tell(socket, session.dialect, outcome.answer);
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    this.counts.socketGone(Date.now());
    await this.woke();
    await this.departures.gone(socket, code);
    answerClose(socket, code);
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    this.counts.socketGone(Date.now());
    await this.woke();
    // No close event follows an error, so this is the connection's only goodbye: it broke (1006, as a client sees it).
    await this.departures.gone(socket, 1006);
  }

  /**
   * The room's upkeep, rung for what is due (upkeep.ts), never just to check on members: it drops silent members, as
   * any event does, and members whose tokens expired, expires old history, and sets the next alarm if any is needed.
   */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.counts.alarmRang(now);
    this.upkeep.rang(now);
    await this.silenceSweep.sweep(now);
    for (const socket of this.sessions.expired(now, (session) => tokenExpired(session, now)))
      this.departures.close(socket, CLOSE_TOKEN_EXPIRED, TOKEN_EXPIRED_REASON);
    await this.upkeep.finish(now);
  }
}
