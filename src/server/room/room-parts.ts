// The parts a room is made of, wired together: its settings (the server's, and its own), storage (its history and
// the changes to it, the publish API's idempotency keys), bans, mutes, blocked words, the audit log, the sessions of
// its connections, what input costs (slow mode included), its webhooks, its reports to the directory, its outbox, its
// upkeep, its shards, and the views of the room that each of its jobs acts on. The room itself (room.ts) tells what
// it does with them; this is what it has.
//
// With the WebSocket Hibernation API the runtime may evict the room from memory whenever it is idle, and creates it
// again (constructor included) when the next event arrives. So every part is rebuilt here from the sockets and the
// storage: the sessions from the sockets' attachments, a join check for every connection that has not joined, and a
// hub's shards' connections, asked of its shards before the room takes any event; then the backend is told of the
// members it knew that did not come back (webhooks.ts); and the hashes of anonymous members' addresses, where the
// room muted an address (moderation/mute-list.ts).

import { DurableObject } from "cloudflare:workers";
import { CLOSE_TIMEOUT } from "../../shared/close-codes";
import type { Dialect, MuteState, ProtocolError } from "../../shared/protocol";
import type { Env } from "../config/env";
import { type RoomSettings, readSettings } from "../config/settings";
import { errorDialect } from "../connections/fan-out";
import { batchBudget } from "../connections/frame-fit";
import { Liveness } from "../connections/liveness";
import { Sessions } from "../connections/sessions";
import { DIRECTORY_NAME } from "../directory/directory";
import { Charges } from "../limits/charges";
import { Intake } from "../limits/intake";
import { SlowMode } from "../limits/slow-mode";
import type { ModeratedRoom, Moderator } from "../moderation/actions";
import { AddressHashes } from "../moderation/address-hashes";
import { type Audited, AuditLog, auditedOf } from "../moderation/audit-log";
import { BanList } from "../moderation/ban-list";
import { BlockedList } from "../moderation/blocked-list";
import { MuteList } from "../moderation/mute-list";
import { Analytics } from "../observability/analytics";
import { RoomCounters } from "../observability/room-counters";
import { FarMembersOnShards } from "../shards/far-members";
import { HubRoster } from "../shards/hub-roster";
import { ShardSet } from "../shards/hub-side";
import { type Connection, RemoteConnection } from "../shards/remote-connection";
import { ShardMembers } from "../shards/shard-members";
import { MessageChanges } from "../storage/message-changes";
import { PresenceStore } from "../storage/presence-store";
import { PublishKeys } from "../storage/publish-keys";
import { RoomStorage } from "../storage/room-storage";
import { Schema } from "../storage/schema";
import { SettingsStore } from "../storage/settings-store";
import { Departures } from "./departures";
import { DirectoryReports } from "./directory-reports";
import { type HubRoom, restoreShards } from "./hub";
import type { StatefulRoom } from "./member-states";
import { type Said, writeLog } from "./message-log";
import { Outbox } from "./outbox";
import type { PagedRoom } from "./pages";
import { Presence } from "./presence";
import type { PublishingRoom } from "./publishing";
import type { SettingsRoom } from "./settings-changes";
import { SilenceSweep } from "./silence-sweep";
import type { SpeechRoom } from "./speech-rules";
import { Upkeep } from "./upkeep";
import { Webhooks } from "./webhooks";

export abstract class RoomParts extends DurableObject<Env> {
  protected readonly settings: RoomSettings = readSettings(this.env);
  /** With tokens in use, an anonymous member is a guest, and shown as one (protocol.ts, `Member`). */
  private readonly verifies = Boolean(this.env.AUTH_SECRET);
  /**
   * What the room did since this instance started, in memory (observability/room-counters.ts), and with the
   * ROOM_METRICS binding, in Analytics Engine. Made first: it counts every row the parts below read and write.
   */
  protected readonly counts: RoomCounters = new RoomCounters(
    this.ctx.id.name ?? "",
    "hub",
    Date.now(),
    this.env.ROOM_METRICS && new Analytics(this.env.ROOM_METRICS, Date.now(), () => this.schema.sql.databaseSize),
  );
  /** One schema for the three that keep data in the room's database: whichever writes first creates it for all. */
  protected readonly schema: Schema = new Schema(this.ctx.storage, this.counts);
  protected readonly storage = new RoomStorage(
    this.schema,
    this.settings.historyRetained,
    this.settings.historyPageMaxBytes,
    this.verifies,
  );
  /** Edits, deletions and reactions: changes to the history, at positions in the same sequence (message-log.ts). */
  protected readonly changes = new MessageChanges(this.schema, this.storage, this.verifies);
  /** The salted hashes of client addresses, which bans and mutes share (address-hashes.ts). */
  private readonly hashes = new AddressHashes(this.schema);
  protected readonly bans = new BanList(this.schema, this.hashes);
  protected readonly mutes = new MuteList(this.schema, this.hashes);
  protected readonly blocked = new BlockedList(this.schema, this.settings.blockedWords);
  protected readonly audit = new AuditLog(this.schema);
  /** The room's own settings, as its moderators set them (settings-changes.ts). */
  protected readonly roomSettings = new SettingsStore(this.schema);
  /** The publish API's idempotency keys, each with the seq of the message it posted (publishing.ts). */
  private readonly keys = new PublishKeys(this.schema);
  protected readonly hubRoster = new HubRoster(this.schema);
  /** A hub's members on its shards, kept in its storage rather than in its memory (shards/shard-members.ts). */
  private readonly shardMembers = new ShardMembers(this.schema);
  protected readonly shards: ShardSet = new ShardSet(
    this.env,
    this.ctx.id.name ?? "",
    this.settings.shardCapacity,
    Date.now(),
    this.hubRoster,
    this.shardMembers,
    (connection) => this.charges.dropConnection(connection),
    this.counts,
  );
  protected readonly sessions = new Sessions<Connection>(
    this.ctx.getWebSockets(),
    this.verifies,
    new FarMembersOnShards(this.shards, this.shardMembers),
  );
  /** What input costs (limits/charges.ts); `settings.limits` are the protocol's limits, what a packet may hold. */
  protected readonly charges = new Charges<Connection>(this.settings, Date.now());
  protected readonly intake = new Intake(this.settings.limits, this.charges, {
    sendError: (socket, dialect, error) => this.sendError(socket, dialect, error),
    close: (socket, code, reason) => this.departures.close(socket, code, reason),
    sendFrame: (socket, frame) => {
      socket.send(frame);
      if (!(socket instanceof RemoteConnection)) this.counts.framesOut++;
    },
  });
  /** What the room tells its game's backend, when WEBHOOK_URL is set (webhooks.ts). */
  protected readonly webhooks =
    this.settings.webhook &&
    new Webhooks(this.schema, this.ctx.id.name ?? "", this.settings.webhook, {
      waitUntil: (work) => this.ctx.waitUntil(work),
      ringBy: (at) => this.upkeep.ringBy(at),
      drained: () => this.upkeep.releaseIfEmptyLater(),
      requesting: () => this.counts.callsOut++,
    });
  /** What a listed room tells the directory: its title and member count (directory-reports.ts). */
  protected readonly directoryReports = new DirectoryReports({
    name: this.ctx.id.name ?? "",
    directory: () => this.env.DIRECTORY.getByName(DIRECTORY_NAME),
    settings: () => this.roomSettings.current,
    members: () => this.sessions.memberCount,
    waitUntil: (work) => {
      // Each report is a call to the directory, made in the background.
      this.counts.callsOut++;
      this.ctx.waitUntil(work);
    },
    ringBy: (at) => this.upkeep.ringBy(at),
  });
  /** One chat per member per `slowModeSeconds`, in a room that has slow mode (limits/slow-mode.ts). */
  protected readonly slowMode = new SlowMode(this.sessions, this.storage);
  /** List or summary presence, and the members near everyone in a large room (presence.ts). */
  protected readonly presence = new Presence(this.sessions, new PresenceStore(this.schema), this.settings.limits);
  /** What one frame of joins or leaves may hold (frame-fit.ts, `batchBudget`). */
  private readonly batchBudget = batchBudget(this.settings.limits);
  /** Whom the room sends to: everyone, or one connection alone (shards/hub-side.ts, `audience`). */
  protected readonly audience = this.shards.audience(this.sessions, this.batchBudget);
  protected readonly outbox = new Outbox<Connection>(
    this.sessions,
    this.audience,
    (entries) => {
      const { storage, changes, keys, webhooks } = this;
      // A moderator's deletion is in the audit log, written with it.
      const recorder = {
        logged: (said: readonly Said[]) => {
          webhooks?.logged(said);
          for (const item of said) {
            if (item.to !== "all") continue;
            if (item.packet.type === "chat") this.counts.messages++;
            else if (item.moderator && item.packet.type === "deleted")
              this.audited(auditedOf({ kind: "delete", seq: item.packet.seq }), item.moderator);
          }
        },
      };
      const said = writeLog({ storage, changes, keys, limits: this.settings.limits, recorder }, entries);
      this.upkeep.historyStored();
      return said;
    },
    this.batchBudget,
    this.settings.limits,
    this.presence,
    this.webhooks ? [this.webhooks, this.directoryReports] : [this.directoryReports],
  );
  protected readonly upkeep: Upkeep = new Upkeep(this.ctx.storage, {
    settings: this.settings,
    sessions: this.sessions,
    storage: this.storage,
    bans: this.bans,
    hashes: this.hashes,
    mutes: this.mutes,
    blocked: this.blocked,
    audit: this.audit,
    keys: this.keys,
    hubRoster: this.hubRoster,
    shardMembers: this.shardMembers,
    flush: () => this.outbox.flush(),
    webhooks: this.webhooks,
    roomSettings: this.roomSettings,
    directory: this.directoryReports,
    failed: (error) => this.counts.upkeepFailed(error),
  });
  protected readonly liveness = new Liveness<Connection>(this.settings, {
    unjoined: () => this.sessions.unjoined(),
    // Only the room's own members: a shard judges its own (`ShardSet.checkIn`).
    lastPing: (socket) =>
      socket instanceof RemoteConnection ? undefined : this.ctx.getWebSocketAutoResponseTimestamp(socket)?.getTime(),
    close: (socket, reason) => this.departures.close(socket, CLOSE_TIMEOUT, reason),
  });
  protected readonly departures: Departures = new Departures({
    sessions: this.sessions,
    charges: this.charges,
    shards: this.shards,
    liveness: this.liveness,
    outbox: this.outbox,
    upkeep: this.upkeep,
    counters: this.counts,
  });
  /** Members gone silent leave when the room next wakes, before the event that woke it (silence-sweep.ts). */
  protected readonly silenceSweep = new SilenceSweep({
    silenceMs: this.settings.silenceMs,
    sessions: this.sessions,
    liveness: this.liveness,
    shards: this.shards,
    departures: this.departures,
    holdEvents: (work) =>
      this.ctx.blockConcurrencyWhile(() =>
        // A failure here would reset the object: it is logged, and the next sweep asks again.
        work().catch((error: unknown) => console.error(`room: the sweep failed: ${String(error)}`)),
      ),
  });
  /** The room as moderation acts on it (moderation/actions.ts). */
  protected readonly moderated: ModeratedRoom<Connection> = {
    sessions: this.sessions,
    bans: this.bans,
    mutes: this.mutes,
    remove: (socket, removal) => {
      this.sendError(socket, "native", removal.notice);
      this.departures.close(socket, removal.closeCode, removal.closeReason, removal.leave);
    },
    tellMuted: (socket, muted) => this.tellMuted(socket, muted),
    deleteMessage: (seq, by) => this.outbox.logNow({ kind: "delete", seq, moderator: by }).refused,
    banEndsAt: (until) => this.upkeep.banEndsAt(until),
    muteEndsAt: (until) => this.upkeep.banEndsAt(until),
    acted: (acted, by) => {
      this.audited(auditedOf(acted), by);
      if (!this.webhooks) return;
      // What was said before the action is told before it.
      this.outbox.flush();
      this.webhooks.moderated(acted, by);
    },
  };
  /** The room as its work as a hub sees it (hub.ts). */
  protected readonly hub: HubRoom = {
    shards: this.shards,
    sessions: this.sessions,
    storage: this.storage,
    changes: this.changes,
    liveness: this.liveness,
    hubRoster: this.hubRoster,
    mutes: this.mutes,
    outbox: this.outbox,
    departures: this.departures,
    receive: (connection, frame, bytes) => this.receive(connection, frame, bytes),
  };
  /** The room as its members' state is changed in it (member-states.ts). */
  protected readonly stateful: StatefulRoom = {
    sessions: this.sessions,
    charges: this.charges,
    outbox: this.outbox,
    limits: this.settings.limits,
  };
  /** The room as the game's backend posts in it (publishing.ts). */
  protected readonly publishing: PublishingRoom = {
    charges: this.charges,
    keys: this.keys,
    logNow: (entry) => this.outbox.logNow(entry),
    publishKeyKept: () => this.upkeep.publishKeyKept(),
  };
  /** The room as its own settings are changed (settings-changes.ts). */
  protected readonly settingsRoom: SettingsRoom = {
    store: this.roomSettings,
    outbox: this.outbox,
    webhooks: this.webhooks,
    reports: this.directoryReports,
    audited: (change, by) => this.audited({ action: "settings", details: change }, by),
    released: () => this.upkeep.releaseIfEmptyLater(),
  };
  /** The room as what its members say is checked in it (speech-rules.ts). */
  protected readonly speech: SpeechRoom = { mutes: this.mutes, blocked: this.blocked };
  /** The room as its pages are read from it (pages.ts). */
  protected readonly paged: PagedRoom = {
    limits: this.settings.limits,
    historyOnJoin: this.settings.historyOnJoin,
    historyPageMaxBytes: this.settings.historyPageMaxBytes,
    sessions: this.sessions,
    storage: this.storage,
    changes: this.changes,
    roomSettings: this.roomSettings,
    presence: this.presence,
  };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    for (const [, openedAt] of this.sessions.unjoined()) this.liveness.expectJoin(openedAt);
    // A hub that starts again asks its shards whom they hold before it takes any event. A room that muted an address
    // learns which of its anonymous members that silences before it takes any event too: its shards' members included.
    if (this.storage.shardCount > 0)
      void ctx.blockConcurrencyWhile(async () => {
        await restoreShards(this.hub);
        this.tellLost();
        await this.learnMutes();
      });
    else {
      this.tellLost();
      if (this.mutes.any) void ctx.blockConcurrencyWhile(() => this.learnMutes());
    }
    // Keep-alive pings are answered by the runtime itself, without waking the room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /**
   * Every event starts here: members silent past the limit leave first (silence-sweep.ts). A promise only when a hub
   * must hear from its shards; everything else is done at once, so the common event waits for nothing.
   */
  protected woke(): Promise<void> | undefined {
    return this.silenceSweep.beforeEvent(Date.now());
  }

  /** Hashes the addresses of the room's anonymous connections, if it muted one by address (mute-list.ts). */
  protected learnMutes(): Promise<void> {
    return this.mutes.learn(this.sessions.all().map((socket) => this.sessions.get(socket) ?? {}));
  }

  /** The members the backend was told are here and that did not come back with the room left (a restart). */
  private tellLost(): void {
    this.webhooks?.lost((id) => this.sessions.isMember(id));
  }

  /** A moderation action goes in the audit log; a room that keeps it keeps its alarm, to expire it by its age. */
  protected audited(audited: Audited, by: Moderator): void {
    this.counts.moderated(audited.action, by === "admin" ? "admin" : "moderator");
    this.audit.append(audited, by, Date.now());
    this.upkeep.historyStored();
  }

  /** Tells a member's connection that it is muted now (with until when and why), or no longer (`muted` undefined). */
  private tellMuted(socket: Connection, muted: MuteState | undefined): void {
    const session = this.sessions.get(socket);
    if (!session?.joined) return;
    // After what the room announced before the mute: a chat it heard before it was muted comes first.
    this.outbox.flush();
    this.audience.tell(socket, session.dialect, { type: "mute_status", muted: muted !== undefined, ...muted });
  }

  /** Takes in a frame from one of the room's connections, or its shards' (room.ts). */
  protected abstract receive(socket: Connection, frame: string | ArrayBuffer, bytes: number): Promise<void>;

  /**
   * Errors go out in the member's dialect; before join, in the dialect the offending packet looked like. What the
   * outbox holds goes out first: the echo of a chat sent before the packet an error answers comes before the error.
   */
  protected sendError(socket: Connection, dialectBeforeJoin: Dialect, error: ProtocolError, charged = false): void {
    this.outbox.flush();
    const dialect = errorDialect(this.sessions.get(socket), dialectBeforeJoin);
    const frames = this.audience.tell(socket, dialect, { type: "error", ...error });
    // A refused join is charged to its sender: one that repeats it spends its own budget, not the room's joins.
    if (charged) this.charges.answered(socket, frames, Date.now());
  }
}
