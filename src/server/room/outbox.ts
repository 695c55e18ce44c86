// Everything the room announces, in one queue, in the order it happened: joins, leaves, the room's log (chats, and
// changes to messages: edits, deletions, reactions), and the rest (renames). The queue is delivered front to back,
// so everyone hears of a join or leave before any message sent after it, and a rename before the messages that
// carry the new name: the order holds by construction, whoever calls what.
//
// Two policies decide when the queue is delivered:
// - The log (message-log.ts) is stored and broadcast from a zero-delay timer, so chats and changes that arrive
//   within one burst of events share one write and leave together (reactions to one message: one packet).
// - Joins and leaves are announced at most once per PRESENCE_WINDOW_MS. Announcing each one to everyone makes a
//   burst of N joins (or leaves) cost N²/2 frames, 500,000 for 1,000; within the window they gather into one batch,
//   one frame per member. Only a batch at the end of the queue can wait: whatever follows it must not.
// - Live signals (typing, state changes: live-signals.ts) gather into one batch, delivered at most once per
//   SIGNALS_WINDOW_MS and only once the queue is empty: after the join of every member they name and before its leave,
//   and never ahead of a chat or in its way. They need no timer of their own: the queue's timer delivers them at its
//   end, and only a batch that must wait out its window sets one, once.
// No timer outlives a burst, so the outbox never keeps an idle room awake. The room's webhooks, and its reports to
// the directory, hear of joins and leaves as they are delivered (`PresenceWatcher`): in the same order as members.

import { leavesPacket } from "../../shared/codec";
import type {
  Answering,
  Departure,
  Limits,
  MemberState,
  ProtocolError,
  RosterMember,
  ServerPacket,
} from "../../shared/protocol";
import type { Audience } from "../connections/fan-out";
import { chunks } from "../connections/frame-fit";
import type { RoomSocket } from "../connections/session";
import type { Sessions } from "../connections/sessions";
import type { UnstoredChat } from "../storage/room-storage";
import { SIGNALS_WINDOW_MS, SignalBatch, Typers } from "./live-signals";
import type { LogEntry, Said } from "./message-log";

export const PRESENCE_WINDOW_MS = 50;

type Announcement<Socket> =
  /** A join keeps its socket: its member hears of its own join and later ones, not of earlier ones. */
  | { kind: "joins"; joins: { member: RosterMember; socket: Socket }[] }
  | { kind: "leaves"; members: Departure[] }
  | { kind: "other"; packet: ServerPacket }
  | { kind: "log"; entries: Logged<Socket>[] };

/**
 * An entry of the room's log, and who hears an answer to it alone: the member that sent it (`socket`, with what the
 * answer names), or a caller that waits for the outcome (the admin API, the publish API: what everyone `heard` of
 * it, or why it was `refused`).
 */
export interface Logged<Socket> {
  entry: LogEntry;
  socket?: Socket;
  answering?: Answering;
  heard?: (packet: ServerPacket) => void;
  refused?: (error: ProtocolError) => void;
}

/** What came of an entry stored at once (`logNow`): what everyone heard of it, or why it was refused. */
export interface LoggedNow {
  heard?: ServerPacket;
  refused?: ProtocolError;
}

/** Who hears of joins and leaves as the room announces them, besides its members (webhooks, the directory). */
export interface PresenceWatcher {
  joined(members: readonly RosterMember[]): void;
  left(members: readonly Departure[]): void;
}

/**
 * Stores a batch of the log, all or nothing (throws if nothing could be stored), and says what came of it, in order
 * (message-log.ts, `writeLog`).
 */
export type StoreLog = (entries: LogEntry[]) => Said[];

export class Outbox<Socket extends RoomSocket> {
  private readonly queue: Announcement<Socket>[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;
  private lastPresenceAt = -Infinity;
  private readonly signals = new SignalBatch();
  private lastSignalsAt = -Infinity;
  private readonly typers: Typers;

  constructor(
    private readonly sessions: Sessions<Socket>,
    private readonly audience: Audience<Socket>,
    private readonly store: StoreLog,
    /** What one frame of leaves may hold (frame-fit.ts, `batchBudget`): a batch of more goes in several. */
    private readonly batchBudget: number,
    private readonly limits: Pick<Limits, "typingTimeoutMs" | "typingMaxMembers">,
    private readonly watchers: readonly PresenceWatcher[] = [],
  ) {
    this.typers = new Typers(limits.typingTimeoutMs);
  }

  chat(chat: UnstoredChat, socket: Socket, answering?: Answering): void {
    this.log({ entry: { kind: "chat", chat }, socket, ...(answering && { answering }) });
  }

  /** An entry for the room's log (a chat, or a change to a message), stored with the rest of its burst. */
  log(logged: Logged<Socket>): void {
    const last = this.queue.at(-1);
    if (last?.kind === "log") last.entries.push(logged);
    else this.queue.push({ kind: "log", entries: [logged] });
    this.wakeIn(0);
  }

  /**
   * An entry stored now, after everything queued before it, and broadcast (the admin API's deletion, a post of the
   * publish API): what came of it.
   */
  logNow(entry: LogEntry): LoggedNow {
    const outcome: LoggedNow = {};
    this.log({ entry, heard: (packet) => (outcome.heard = packet), refused: (error) => (outcome.refused = error) });
    this.flush();
    return outcome;
  }

  /** Any other packet for every member (a rename, a deletion), in its place among the rest. */
  announce(packet: ServerPacket): void {
    this.queue.push({ kind: "other", packet });
    this.wakeIn(0);
  }

  join(member: RosterMember, socket: Socket): void {
    const last = this.queue.at(-1);
    if (last?.kind === "joins") last.joins.push({ member, socket });
    else this.queue.push({ kind: "joins", joins: [{ member, socket }] });
    this.flush();
  }

  leave(member: Departure): void {
    this.signals.forget(member.id);
    this.typers.stopped(member.id);
    const last = this.queue.at(-1);
    // A member that leaves before anyone heard of its join, and before anyone joined after it (whose welcome lists
    // it), is never announced at all: a loop of connect, join and drop costs the others nothing.
    if (last?.kind === "joins" && last.joins.at(-1)?.member.id === member.id) {
      last.joins.pop();
      if (last.joins.length === 0) this.queue.pop();
      return;
    }
    if (last?.kind === "leaves") last.members.push(member);
    else this.queue.push({ kind: "leaves", members: [member] });
    this.flush();
  }

  /**
   * A member is typing (`on`), or said it stopped: everyone hears so with the next batch of signals, unless the room
   * is past limits.typingMaxMembers, where nobody does. Typing is a line of a few names under a conversation; in a
   * room of hundreds it names strangers, changes with every batch and costs each signal one frame per member.
   */
  typed(id: number, on: boolean, now: number): void {
    this.typers.typed(id, on, now);
    if (!this.typingHeard) return;
    this.signals.typed(id, on);
    this.signalled();
  }

  /** Who is typing now, for a newcomer's welcome; none in a room where typing is not heard. */
  typingNow(now: number): number[] {
    return this.typingHeard ? this.typers.now(now) : [];
  }

  private get typingHeard(): boolean {
    return this.sessions.joined().length <= this.limits.typingMaxMembers;
  }

  stateChanged(id: number, state: MemberState): void {
    this.signals.stateChanged(id, state);
    this.signalled();
  }

  /** A member chatted: whatever it said of typing before is stale (its chat tells everyone it stopped). */
  chatted(id: number): void {
    this.signals.chatted(id);
    this.typers.stopped(id);
  }

  /**
   * Delivers everything queued, but a batch of joins or leaves at the end waits out its window; then the batch of
   * signals, unless it waits out its own.
   */
  flush(): void {
    this.clearTimer();
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      const windowLeft = this.lastPresenceAt + PRESENCE_WINDOW_MS - Date.now();
      if (this.queue.length === 1 && (next.kind === "joins" || next.kind === "leaves") && windowLeft > 0) {
        this.wakeIn(windowLeft);
        return;
      }
      this.queue.shift();
      this.deliver(next);
    }
    this.deliverSignals();
  }

  /** A signal joined the batch: while the queue holds anything, its timer is set, and its flush ends with the batch. */
  private signalled(): void {
    if (this.queue.length === 0) this.deliverSignals();
  }

  private deliverSignals(): void {
    if (this.signals.empty) return;
    const windowLeft = this.lastSignalsAt + SIGNALS_WINDOW_MS - Date.now();
    if (windowLeft > 0) return this.wakeIn(windowLeft);
    this.lastSignalsAt = Date.now();
    for (const packet of this.signals.take(this.batchBudget)) this.audience.broadcast(packet);
  }

  /**
   * Delivers what a newcomer's welcome must come after: the whole log (stored, so the welcome's history holds it and
   * the newcomer does not receive it twice) and every leave (the welcome does not list those members). A batch of
   * joins still open stays open: the newcomer joins it.
   */
  flushBeforeWelcome(): void {
    this.flush();
    const waiting = this.queue[0];
    if (waiting?.kind === "leaves") {
      this.queue.shift();
      this.deliver(waiting);
    }
  }

  private deliver(announcement: Announcement<Socket>): void {
    switch (announcement.kind) {
      case "joins":
        this.lastPresenceAt = Date.now();
        for (const watcher of this.watchers) watcher.joined(announcement.joins.map(({ member }) => member));
        return this.audience.announceJoins(announcement.joins);
      case "leaves":
        this.lastPresenceAt = Date.now();
        for (const watcher of this.watchers) watcher.left(announcement.members);
        for (const run of chunks(announcement.members, this.batchBudget)) this.audience.broadcast(leavesPacket(run));
        return;
      case "other":
        return this.audience.broadcast(announcement.packet);
      case "log":
        return this.storeAndBroadcast(announcement.entries);
    }
  }

  /**
   * The runtime's output gate holds the broadcast until the write is durable, so no member ever sees a message or a
   * change that could be lost. If the write fails, nothing was stored and every sender hears so, to send again.
   */
  private storeAndBroadcast(entries: Logged<Socket>[]): void {
    let said: Said[];
    try {
      said = this.store(entries.map(({ entry }) => entry));
    } catch (error) {
      console.error(`room: could not store ${entries.length} entries of the log: ${String(error)}`);
      for (const logged of entries) {
        this.answer(logged, { code: "internal_error", message: "that could not be stored; send it again" });
      }
      return;
    }
    for (const item of said) {
      if (item.to === "all") {
        this.audience.broadcast(item.packet);
        entries[item.of]!.heard?.(item.packet);
      } else this.answer(entries[item.to]!, "error" in item ? item.error : item.packet);
    }
  }

  /** Tells an entry's sender alone: a refusal (naming what it answers), or a packet (a chat it sent again). */
  private answer({ socket, answering, refused }: Logged<Socket>, answer: ProtocolError | ServerPacket): void {
    const isError = !("type" in answer);
    if (isError) refused?.(answer);
    const session = socket && this.sessions.get(socket);
    if (!socket || !session?.joined) return;
    this.audience.tell(socket, session.dialect, isError ? { type: "error", ...answer, ...answering } : answer);
  }

  private wakeIn(ms: number): void {
    const at = Date.now() + ms;
    if (this.timer !== undefined && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(() => this.flush(), ms);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}
