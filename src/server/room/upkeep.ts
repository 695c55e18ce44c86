// What keeps a room going between its events: its one alarm (alarm-clock.ts), set while it has history, bans, mutes,
// audit entries, the publish API's idempotency keys, undelivered webhook events, a count to tell the directory or a
// member whose token will expire (members alone set none: silent ones leave at the room's next event,
// silence-sweep.ts), and its storage, which it deletes once it has no members nor any of these nor a list of blocked
// words nor settings of its own. The room says what happened (history stored, a member joined, a ban set, a key
// kept, the alarm rang); this decides when the alarm must ring next, and whether the storage goes. The alarm's own
// steps (closing silent members and expired tokens) are the room's story (room.ts, `alarm`).

import type { RoomSettings } from "../config/settings";
import { expiresAt } from "../connections/identity";
import type { JoinedSession, RoomSocket } from "../connections/session";
import type { Sessions } from "../connections/sessions";
import type { AddressHashes } from "../moderation/address-hashes";
import type { AuditLog } from "../moderation/audit-log";
import type { BanList } from "../moderation/ban-list";
import type { BlockedList } from "../moderation/blocked-list";
import type { MuteList } from "../moderation/mute-list";
import type { HubRoster } from "../shards/hub-roster";
import type { ShardMembers } from "../shards/shard-members";
import type { PublishKeys } from "../storage/publish-keys";
import type { RoomStorage } from "../storage/room-storage";
import type { SettingsStore } from "../storage/settings-store";
import { AlarmClock, nextUpkeep } from "./alarm-clock";

/** What the upkeep looks at, and keeps or deletes. */
export interface KeptRoom {
  settings: Pick<RoomSettings, "historyMaxAgeMs">;
  sessions: Sessions<RoomSocket>;
  storage: RoomStorage;
  bans: BanList;
  /** The salted hashes of addresses that bans and mutes share (forgotten with the storage). */
  hashes: AddressHashes;
  mutes: MuteList;
  blocked: BlockedList;
  audit: AuditLog;
  keys: PublishKeys;
  hubRoster: HubRoster;
  shardMembers: ShardMembers;
  /** Stores what the outbox still holds: what was said just before the room emptied is history too. */
  flush(): void;
  /** The room's webhooks (webhooks.ts), when WEBHOOK_URL is set. */
  webhooks: UpkeptWebhooks | undefined;
  /** The room's own settings: settings of its own keep its storage. */
  roomSettings: Pick<SettingsStore, "kept" | "wiped">;
  /** What the room tells the directory (directory-reports.ts): a count it must tell by `due`. */
  directory: { readonly due: number | undefined; rang(now: number): void };
  /** Logs (and counts) a failure of work nothing waited for: `upkeep.failed` (observability/log.ts). */
  failed(error: unknown): void;
}

/** What the upkeep asks of the room's webhooks. */
export interface UpkeptWebhooks {
  /** Whether the storage must stay: events wait to be delivered, or members to be told to have left. */
  readonly holding: boolean;
  due(now: number): number | undefined;
  rang(now: number): void;
  cleared(): void;
}

export class Upkeep {
  private readonly alarmClock: AlarmClock;

  constructor(
    storage: DurableObjectStorage,
    private readonly room: KeptRoom,
  ) {
    this.alarmClock = new AlarmClock(storage);
  }

  /** History was stored: from now on the room needs its alarm, to expire it. */
  historyStored(): void {
    // Every batch of chats says so: once the alarm is known to be set, without a promise or a closure.
    if (!this.alarmClock.isSet) this.inBackground(this.alarmClock.ensure(() => this.next()));
  }

  /**
   * A member joined: one with a token must be closed when it expires, silent or not. Whether it is still there is
   * asked at the room's next event (silence-sweep.ts), never by the alarm: a join sets no alarm of its own.
   */
  memberJoined(joined: JoinedSession): void {
    if (joined.identity) this.inBackground(this.alarmClock.ringBy(expiresAt(joined.identity)));
  }

  /**
   * A ban (or a mute) that ends at `until` must be dropped then, so that a room left with nothing else can delete its
   * storage.
   */
  banEndsAt(until: number): void {
    this.inBackground(this.alarmClock.ringBy(until));
  }

  /**
   * A post's idempotency key was kept: it must be forgotten when it expires, so that a room left with nothing else
   * can delete its storage.
   */
  publishKeyKept(): void {
    this.inBackground(this.alarmClock.ringBy(this.next()));
  }

  /** Undelivered webhook events are to be sent (again) by `at`; or the directory told the room's count by `at`. */
  ringBy(at: number): void {
    this.inBackground(this.alarmClock.ringBy(at));
  }

  /**
   * The alarm rang: it is no longer set, the bans, mutes and idempotency keys that ended by `now` go, and webhook
   * events due are sent.
   */
  rang(now: number): void {
    this.alarmClock.unset();
    this.room.bans.expire(now);
    this.room.mutes.expire(now);
    this.room.keys.expire(now);
    this.room.webhooks?.rang(now);
    this.room.directory.rang(now);
  }

  /**
   * The alarm's last step: history and audit entries older than its age limit go; then the storage too, or the alarm
   * is set again.
   */
  async finish(now: number): Promise<void> {
    this.room.storage.expire(now - this.room.settings.historyMaxAgeMs);
    this.room.audit.expire(now - this.room.settings.historyMaxAgeMs);
    if (await this.releaseIfEmpty()) return;
    await this.alarmClock.ringBy(this.next());
  }

  /** `releaseIfEmpty`, for a caller that does not wait for it. */
  releaseIfEmptyLater(): void {
    this.inBackground(this.releaseIfEmpty());
  }

  /**
   * A room with no members, no history, no bans, no mutes, no audit entries, no blocked words of its own, no
   * settings of its own, no idempotency keys and nothing for its webhooks keeps nothing: its storage is deleted, alarm
   * included. One with history, bans, mutes, audit entries or keys sleeps until they expire (or its webhooks or its
   * count for the directory need the alarm), one with only blocked words, settings or bans without end has no alarm:
   * with nobody to check on, its alarm has no reason to ring sooner. Whether the storage was deleted.
   */
  async releaseIfEmpty(): Promise<boolean> {
    if (this.room.sessions.memberCount > 0) return false;
    this.room.flush();
    const oldestTs = this.oldest();
    const { bans, mutes, blocked, keys, webhooks, roomSettings } = this.room;
    const kept = bans.any || mutes.any || blocked.any || keys.any || webhooks?.holding || roomSettings.kept;
    if (oldestTs !== undefined || kept) {
      await this.alarmClock.ringAt(this.next(oldestTs));
      return false;
    }
    await this.clearStorage();
    return true;
  }

  /** Deletes everything the room stored, its alarm included. */
  async clearStorage(): Promise<void> {
    this.alarmClock.unset();
    this.room.webhooks?.cleared();
    this.room.hashes.wiped();
    this.room.mutes.wiped();
    this.room.blocked.wiped();
    this.room.roomSettings.wiped();
    this.room.hubRoster.wiped();
    this.room.shardMembers.wiped();
    await this.room.storage.clear();
  }

  /** The oldest of what expires by age: a message, or an audit entry. */
  private oldest(): number | undefined {
    const times = [this.room.storage.oldestTs(), this.room.audit.oldestAt()].filter((at) => at !== undefined);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  private next(oldestTs = this.oldest()): number {
    const { sessions } = this.room;
    const now = Date.now();
    return nextUpkeep({
      now,
      oldestTs,
      historyMaxAgeMs: this.room.settings.historyMaxAgeMs,
      banEnds: earliest(this.room.bans.nextExpiry(), this.room.mutes.nextExpiry()),
      tokenExpires: sessions.firstExpiry(({ identity }) => identity && expiresAt(identity)),
      keyExpires: this.room.keys.nextExpiry(),
      webhooksDue: this.room.webhooks?.due(now),
      reportDue: this.room.directory.due,
    });
  }

  /** Storage work that nothing waits for; the runtime applies it in order. A failure is logged, never lost. */
  private inBackground(work: Promise<unknown>): void {
    work.catch((error: unknown) => this.room.failed(error));
  }
}

/** The earlier of two times, either of which may be undefined (never). */
function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}
