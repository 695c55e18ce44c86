// Everything the room charges input to, in one place (the mechanisms are flood-control.ts, room-budget.ts and the
// token bucket):
// - every frame, by its size, to its sender's own rate limit;
// - every chat and rename (what everyone hears) to the room's budget, shared fairly among its senders, the game's
//   backend (the publish API's posts) counting as one of them;
// - every join to the room's joins per second: in a room of many objects, to the joins per second of the object
//   that holds the connection, hub or shard (shards/shard.ts), so that arrivals are admitted where they land;
// - every history answer, by its size, to the asker's rate limit, after it is sent;
// - every change of a member's state to its own pace: one per limits.stateIntervalMs.
// Typing signals pay for their frames like any other, and nothing more: the outbox batches what everyone hears of
// them (room/outbox.ts), so they never take the room's budget from chats.

import { bytesCost, frameCost } from "../../shared/codec";
import type { ProtocolError } from "../../shared/protocol";
import { TokenBucket } from "../../shared/token-bucket";
import type { RoomSettings } from "../config/settings";
import { FloodControl, type Verdict } from "./flood-control";
import { RoomBudget } from "./room-budget";

export type { Verdict };

/**
 * The game's backend, as one sender among the room's members: its posts share the room's budget with their chats,
 * and past the budget it too is served while it takes no more than its share.
 */
const BACKEND = Object.freeze({ sender: "the game's backend" });

/** Seconds' worth of joins the room takes at once, after a quiet spell. */
const JOIN_BURST_SECONDS = 5;

/** What a join refused for the joins per second hears (the room's, or its shard's). */
export const joinsBusy = (wait: number): ProtocolError => ({
  code: "room_busy",
  message: `too many joins at once; retry in ${wait} ms`,
  retryAfterMs: wait,
});

/**
 * A room's (or a shard's) charges for input: every frame to its sender, what everyone hears to the room's budget,
 * joins to the room's joins per second, answers to their asker. Not the protocol's limits (`settings.limits`, what
 * a packet may hold): what input costs, and whether it is paid for.
 */
export class Charges<Socket extends object> {
  private readonly flood: FloodControl<Socket>;
  private readonly budget: RoomBudget<Socket | typeof BACKEND>;
  private readonly joins: TokenBucket;
  private readonly bytesPerToken: number;
  private readonly stateIntervalMs: number;
  /** When each connection last changed its state: kept in memory only, as the pace is (a room evicted was idle). */
  private readonly stateChangedAt = new Map<Socket, number>();

  constructor(settings: RoomSettings, now: number) {
    const { limits, roomJoinsPerSecond } = settings;
    this.bytesPerToken = limits.rateLimitBytesPerToken;
    this.stateIntervalMs = limits.stateIntervalMs;
    this.flood = new FloodControl({
      burst: limits.rateLimitBurst,
      perSecond: limits.rateLimitPerSecond,
      closeAfter: settings.floodCloseAfter,
    });
    this.budget = new RoomBudget(settings.roomBudget);
    this.joins = new TokenBucket(roomJoinsPerSecond * JOIN_BURST_SECONDS, roomJoinsPerSecond, now);
  }

  /** Any frame, charged to its sender by its size in bytes. */
  frame(socket: Socket, bytes: number, now: number): Verdict {
    return this.flood.charge(socket, now, bytesCost(bytes, this.bytesPerToken));
  }

  /** A frame of `bytes` whose packet everyone will hear, charged to the room's budget. */
  broadcast(socket: Socket, bytes: number, now: number): Verdict {
    const wait = this.budget.admit(socket, bytes, now);
    return wait === 0 ? { kind: "pass" } : this.flood.refuse(socket, now, wait, "room_busy");
  }

  /** A post of the publish API, of `bytes`, charged to the room's budget: 0 if it passes, else how long to wait (ms). */
  published(bytes: number, now: number): number {
    return this.budget.admit(BACKEND, bytes, now);
  }

  /** A join: 0 if the room takes it now, otherwise how long to wait (ms). */
  join(now: number): number {
    return this.joins.take(now);
  }

  /** A join charged that did not happen (a shard's, refused by the hub for its name, say): its token comes back. */
  joinRefused(now: number): void {
    this.joins.giveBack(now);
  }

  /** An answer sent to `socket` (a history page), billed by its size. */
  answered(socket: Socket, frames: string[], now: number): void {
    this.flood.bill(
      socket,
      now,
      frames.reduce((sum, frame) => sum + frameCost(frame, this.bytesPerToken), 0),
    );
  }

  /** A change of a member's state: 0 if it may change it now (and it counts as changed), else how long to wait (ms). */
  stateChange(socket: Socket, now: number): number {
    const wait = (this.stateChangedAt.get(socket) ?? -Infinity) + this.stateIntervalMs - now;
    if (wait > 0) return Math.ceil(wait);
    this.stateChangedAt.set(socket, now);
    return 0;
  }

  /** A connection is gone (or closed by the room): it stops counting as one of the room's senders. */
  dropConnection(socket: Socket): void {
    this.budget.dropConnection(socket);
    this.stateChangedAt.delete(socket);
  }
}
