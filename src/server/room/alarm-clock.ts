// The room's one alarm, which wakes it for its upkeep (closing members whose tokens expired, expiring old history,
// bans and the publish API's idempotency keys, sending webhook events again, telling the directory a listed room's
// count). It never rings just to check on members: silent ones are swept when the room wakes for anything else
// (silence-sweep.ts), so an idle room with members and nothing due sleeps (docs/cost.md). The rule that keeps it
// cheap: while something is due, an alarm is set, and each time it rings the room computes the next one; a room with
// nothing due has none and never wakes. So between rings, callers mostly need the alarm to ring no later than some
// time (`ringBy`), and the clock writes only when that moves it earlier. The one exception is a room whose last
// member left (`ringAt`): what its members needed (a token's expiry) is no longer due, and its alarm moves later.

export class AlarmClock {
  /** When the alarm is set to ring; null if it is not set; undefined until read from storage. */
  private ringsAt: number | null | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Makes sure the alarm rings at `at` or sooner (Infinity: asks nothing of it). */
  async ringBy(at: number): Promise<void> {
    if (at === Infinity) return;
    await this.read();
    if (this.known !== null && this.known <= at) return;
    this.ringsAt = at;
    await this.storage.setAlarm(at);
  }

  /** Makes sure an alarm is set, at `at` unless one is set already. */
  async ensure(at: () => number): Promise<void> {
    await this.read();
    if (this.known === null) await this.ringBy(at());
  }

  /** Sets the alarm to ring at `at`, later than it is set to if need be; Infinity: not at all. */
  async ringAt(at: number): Promise<void> {
    await this.read();
    if (at === (this.known ?? Infinity)) return;
    this.ringsAt = at === Infinity ? null : at;
    await (at === Infinity ? this.storage.deleteAlarm() : this.storage.setAlarm(at));
  }

  /**
   * Reads when the alarm is set, once. Callers that overlap all wait for the read, and the first of them to go on
   * may set the alarm: what it set is not overwritten by what the read found, and each caller decides by what is
   * known when it goes on (`known`), never by what was known when its read began.
   */
  private async read(): Promise<void> {
    if (this.ringsAt !== undefined) return;
    const stored = await this.storage.getAlarm();
    if (this.ringsAt === undefined) this.ringsAt = stored;
  }

  /** Whether the alarm is known to be set: `ensure` has nothing to do. */
  get isSet(): boolean {
    return typeof this.ringsAt === "number";
  }

  /** When the alarm is set to ring, once read; null if it is not set. */
  private get known(): number | null {
    return this.ringsAt ?? null;
  }

  /** The alarm rang (it is no longer set), or storage was cleared (which deletes it). */
  unset(): void {
    this.ringsAt = null;
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * Expired idempotency keys are deleted no more often than this: a room that takes a keyed post every second would
 * otherwise wake each second, a day later, for one key. A key past its life is ignored already (publish-keys.ts), so
 * one that waits here for its deletion changes nothing a retry sees.
 */
const KEY_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

export interface UpkeepState {
  now: number;
  /** The time of the oldest stored message, if any. */
  oldestTs: number | undefined;
  historyMaxAgeMs: number;
  /** When the first ban of the room's ends, if one does. */
  banEnds: number | undefined;
  /** When the first member's token expires, if a member came with one (token-expiry.ts). */
  tokenExpires: number | undefined;
  /** When the oldest idempotency key of the publish API expires, if the room keeps one (publish-keys.ts). */
  keyExpires: number | undefined;
  /** When undelivered webhook events are due to be sent again, while there are any (webhooks.ts). */
  webhooksDue: number | undefined;
  /** When a listed room is to tell the directory a count it has not told yet (directory-reports.ts). */
  reportDue: number | undefined;
}

/**
 * When the room next needs its alarm: to expire its oldest message (once a day at most), to forget a ban that ended
 * or an idempotency key that expired (once an hour at most), so that a room left with nothing else can delete its
 * storage, to close a member whose token expired, even a silent one, to send webhook events again, and to tell the
 * directory a count. Members alone need none. Infinity: no alarm is needed.
 */
export function nextUpkeep(state: UpkeepState): number {
  const { now } = state;
  const expiry =
    state.oldestTs === undefined ? Infinity : Math.max(state.oldestTs + state.historyMaxAgeMs, now + DAY_MS);
  const keys = state.keyExpires === undefined ? Infinity : Math.max(state.keyExpires, now + KEY_SWEEP_INTERVAL_MS);
  return Math.min(
    expiry,
    keys,
    state.banEnds ?? Infinity,
    state.tokenExpires ?? Infinity,
    state.webhooksDue ?? Infinity,
    state.reportDue ?? Infinity,
  );
}
