// The room's webhooks (docs/backend.md, "Webhooks"), made only when WEBHOOK_URL is set: what happens in the room is
// recorded as events in its SQLite, in the write that made it happen where there is one (the log's batch), and sent
// to the backend in order, at least once, one request at a time.
//
// Chat never waits for it. Recording is a row per event; sending starts once the turn that recorded is over, in
// the background (`waitUntil`), and while a request is out, newer events gather for the next one. A batch that is
// not taken is sent again after a backoff (webhook-queue.ts), from the room's alarm: the room asks its upkeep for the
// alarm only while a backlog exists (`due`), and a room with none sleeps as it would without webhooks.
//
// The backend hears of joins and leaves as members do, in the same order (the outbox tells this as it announces
// them), and of the room becoming occupied and vacated. It is told who joined and has not left: after a restart
// that lost members' sockets (no leave was announced), each of them is told to have left (`lost`).

import type { Departure, RoomSettings, RosterMember } from "../../shared/protocol";
import type { WebhookSettings } from "../config/webhook-settings";
import type { Acted, Moderator } from "../moderation/actions";
import type { Schema } from "../storage/schema";
import { WebhookStore } from "../storage/webhook-store";
import type { Said } from "./message-log";
import type { PresenceWatcher } from "./outbox";
import { type Deliver, deliverer } from "./webhook-delivery";
import {
  logEvents,
  memberJoined,
  memberLeft,
  moderationEvent,
  roomOccupied,
  roomVacated,
  settingsEvent,
} from "./webhook-events";
import { BATCH_MAX_EVENTS, type NewEvent, type WebhookInfo, WebhookQueue } from "./webhook-queue";

/**
 * An attempt takes ATTEMPT_TIMEOUT_MS at most: one not over by this was lost with the object that made it (a
 * restart), and the alarm makes it again.
 */
const WATCHDOG_MS = 60_000;

/**
 * A room sends at most one request per this while events flow: those of a busy moment go together. Each delivered
 * batch is a write (its events deleted, the cursor moved), and the room's messages wait for every write to be
 * stored before they go out (the output gate): a request per few chats doubled the writes of a chatty room and held
 * its chats back by milliseconds each. The first event after a quiet spell goes at once, and so does a full batch;
 * the rest wait for the room's alarm (`due`), never for a timer, which would keep the room from hibernating.
 */
export const SEND_INTERVAL_MS = 1000;

/** What the webhooks need of the room. */
export interface WebhookRoom {
  /** Keeps the room alive for background work (`ctx.waitUntil`). */
  waitUntil(work: Promise<unknown>): void;
  /** The room's alarm must ring by `at` (upkeep.ts). */
  ringBy(at: number): void;
  /** Nothing is left to deliver: a room that keeps nothing else may let its storage go. */
  drained(): void;
  /** A request to the backend is about to be made (the room counts its calls out). */
  requesting(): void;
}

export class Webhooks implements PresenceWatcher {
  private readonly store: WebhookStore;
  private readonly queue: WebhookQueue;
  private readonly deliver: Deliver;
  /** When the request out now was made; undefined while none is. */
  private sendingSince: number | undefined;
  private startQueued = false;
  /** Members the backend was told are here; undefined until read. */
  private present: number | undefined;
  /** Counts the lives of the room's storage: a request that ends in a later one than it began changes nothing. */
  private life = 0;
  /** When the last request was made (in this object's life: a new one may send at once). */
  private lastSentAt = -Infinity;

  constructor(
    schema: Schema,
    name: string,
    settings: WebhookSettings,
    private readonly room: WebhookRoom,
  ) {
    this.store = new WebhookStore(schema);
    this.queue = new WebhookQueue(this.store, name, settings.backlogMax);
    this.deliver = deliverer(settings);
  }

  joined(members: readonly RosterMember[]): void {
    this.safely(() => {
      const events: NewEvent[] = [];
      for (const { state: _state, vouched: _vouched, ...member } of members) {
        if (this.presentCount === 0) events.push(roomOccupied());
        this.store.arrived(member);
        this.present = this.presentCount + 1;
        events.push(memberJoined(member));
      }
      this.record(events);
    });
  }

  left(members: readonly Departure[]): void {
    this.safely(() => {
      const events: NewEvent[] = [];
      for (const member of members) {
        const present = this.presentCount;
        // Only a member the backend heard join: one whose join went unannounced left unannounced too.
        if (!this.store.departed(member.id)) continue;
        this.present = present - 1;
        events.push(memberLeft(member));
        if (this.present === 0) events.push(roomVacated());
      }
      this.record(events);
    });
  }

  /** The room starts with the members in `here`: the others the backend was told are here left with a restart. */
  lost(here: ReadonlySet<number>): void {
    this.safely(() => this.left(this.store.lost(here)));
  }

  /** A batch of the log was written (within its write: message-log.ts). */
  logged(said: readonly Said[]): void {
    this.safely(() => this.record(logEvents(said)));
  }

  moderated(acted: Acted, by: Moderator): void {
    this.safely(() => this.record([moderationEvent(acted, by)]));
  }

  settingsChanged(settings: RoomSettings, by: Moderator): void {
    this.safely(() => this.record([settingsEvent(settings, by)]));
  }

  /** Whether the room must keep its storage: events wait, or members the backend was told are here have to leave. */
  get holding(): boolean {
    return this.queue.backlog > 0 || this.presentCount > 0;
  }

  /**
   * When the alarm must ring for the webhooks: a failed batch's retry, a lost request's, or the next request of a
   * flow of events (SEND_INTERVAL_MS); undefined: never.
   */
  due(now: number): number | undefined {
    if (this.queue.backlog === 0) return undefined;
    if (this.sendingSince !== undefined) return this.sendingSince + WATCHDOG_MS;
    const next = this.nextSendAt;
    return this.queue.retryAt ?? (next > now ? next : now + WATCHDOG_MS);
  }

  /** The alarm rang: a batch that is due is sent. */
  rang(now: number): void {
    this.safely(() => this.start(now));
  }

  info(now: number): WebhookInfo {
    return this.queue.info(now);
  }

  /** The room's storage was deleted: what it had recorded is gone, and a request still out changes nothing. */
  cleared(): void {
    this.life++;
    this.sendingSince = undefined;
    this.present = undefined;
    this.queue.forget();
  }

  private get presentCount(): number {
    this.present ??= this.store.presentCount();
    return this.present;
  }

  private record(events: NewEvent[]): void {
    if (events.length === 0) return;
    this.queue.record(events, Date.now());
    // Once the turn that recorded is over, with whatever else it records: its writes go out before the request.
    if (this.startQueued) return;
    this.startQueued = true;
    queueMicrotask(() => {
      this.startQueued = false;
      this.rang(Date.now());
    });
  }

  /** When the next request may go: at once for a full batch, else SEND_INTERVAL_MS after the last. */
  private get nextSendAt(): number {
    return this.queue.backlog >= BATCH_MAX_EVENTS ? -Infinity : this.lastSentAt + SEND_INTERVAL_MS;
  }

  /**
   * Starts sending, unless a request is out, nothing waits, or a failed batch waits out its backoff; events that
   * came sooner than SEND_INTERVAL_MS after the last request wait for the alarm.
   */
  private start(now: number): void {
    if (this.sendingSince !== undefined || this.queue.backlog === 0) return;
    const retryAt = this.queue.retryAt;
    if (retryAt !== undefined && retryAt > now) return;
    if (this.nextSendAt > now) return this.room.ringBy(this.nextSendAt);
    this.sendingSince = now;
    this.room.ringBy(now + WATCHDOG_MS);
    this.room.waitUntil(this.sendAll(this.life));
  }

  /** Sends batch after batch until none is left, or one fails: then its retry is the alarm's. */
  private async sendAll(life: number): Promise<void> {
    try {
      // Full batches go one after another: a backlog is drained as fast as its receiver takes it.
      for (
        let batch = this.queue.batch();
        batch;
        batch = this.nextSendAt > Date.now() ? undefined : this.queue.batch()
      ) {
        // Each request has its own watchdog's time: a long backlog takes many, each well within it.
        this.sendingSince = this.lastSentAt = Date.now();
        this.room.requesting();
        const failure = await this.deliver(batch);
        if (life !== this.life) return;
        if (failure !== undefined) {
          console.warn(`room: webhook ${batch.id} not delivered: ${failure}`);
          this.room.ringBy(this.queue.failed(failure, Date.now()));
          return;
        }
        this.queue.delivered(batch);
      }
      if (this.queue.backlog > 0) this.room.ringBy(this.nextSendAt);
      else this.room.drained();
    } catch (error) {
      console.error(`room: webhooks: ${String(error)}`);
      this.queue.forget();
    } finally {
      if (life === this.life) this.sendingSince = undefined;
    }
  }

  /**
   * Runs `work`, which records; if it fails, that is logged and chat goes on. What the queue knows is read again
   * from storage, where the failed work may have written part of what it meant to.
   */
  private safely(work: () => void): void {
    try {
      work();
    } catch (error) {
      console.error(`room: webhooks: ${String(error)}`);
      this.present = undefined;
      this.queue.forget();
    }
  }
}
