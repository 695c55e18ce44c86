import { describe, expect, it } from "vitest";
import { AlarmClock, nextUpkeep, type UpkeepState } from "../../../../src/server/room/alarm-clock";

const DAY = 24 * 60 * 60 * 1000;
const base: UpkeepState = {
  now: 10 * DAY,
  oldestTs: undefined,
  historyMaxAgeMs: 30 * DAY,
  banEnds: undefined,
  tokenExpires: undefined,
  keyExpires: undefined,
  webhooksDue: undefined,
  reportDue: undefined,
};

describe("nextUpkeep", () => {
  it("needs no alarm for a room with no history, ending ban or anything else due: members alone need none", () => {
    expect(nextUpkeep(base)).toBe(Infinity);
  });

  it("rings for whichever comes first: history expiry (daily at most), a ban's end", () => {
    expect(nextUpkeep({ ...base, oldestTs: base.now - 30 * DAY + 1000 })).toBe(base.now + DAY);
    expect(nextUpkeep({ ...base, oldestTs: base.now - 2 * DAY })).toBe(base.now + 28 * DAY);
    expect(nextUpkeep({ ...base, oldestTs: base.now, banEnds: base.now + 5000 })).toBe(base.now + 5000);
    expect(nextUpkeep({ ...base, oldestTs: base.now - 30 * DAY, banEnds: base.now + 5 * DAY })).toBe(base.now + DAY);
  });

  it("rings when the oldest idempotency key expires, an hour after the last ring at the soonest", () => {
    expect(nextUpkeep({ ...base, oldestTs: base.now, keyExpires: base.now + DAY - 5000 })).toBe(base.now + DAY - 5000);
    expect(nextUpkeep({ ...base, keyExpires: base.now + 1000 })).toBe(base.now + 60 * 60_000);
  });

  it("rings when a listed room is to tell the directory its count", () => {
    expect(nextUpkeep({ ...base, reportDue: base.now + 5000 })).toBe(base.now + 5000);
  });

  it("rings when a member's token expires, however far ahead", () => {
    expect(nextUpkeep({ ...base, tokenExpires: base.now + 5000 })).toBe(base.now + 5000);
    expect(nextUpkeep({ ...base, tokenExpires: base.now + 2 * DAY })).toBe(base.now + 2 * DAY);
  });

  it("rings when undelivered webhook events are due, and for nothing of theirs once none wait", () => {
    expect(nextUpkeep({ ...base, webhooksDue: base.now + 1000 })).toBe(base.now + 1000);
    expect(nextUpkeep({ ...base, oldestTs: base.now, webhooksDue: base.now + 2 * DAY })).toBe(base.now + 2 * DAY);
    expect(nextUpkeep({ ...base, webhooksDue: undefined })).toBe(Infinity);
  });

  it("rings by whichever is first of history expiry, an idempotency key's expiry and a webhook retry", () => {
    const HOUR = 60 * 60_000;
    // A retry sooner than the keys' hourly floor rings then; the floor still holds for the keys themselves.
    expect(nextUpkeep({ ...base, keyExpires: base.now + 1000, webhooksDue: base.now + 5000 })).toBe(base.now + 5000);
    expect(nextUpkeep({ ...base, keyExpires: base.now + 1000, webhooksDue: base.now + 2 * HOUR })).toBe(
      base.now + HOUR,
    );
    const history = { ...base, oldestTs: base.now - 30 * DAY + 1000 };
    expect(nextUpkeep({ ...history, keyExpires: base.now + 2 * DAY, webhooksDue: base.now + 3 * DAY })).toBe(
      base.now + DAY,
    );
  });
});

describe("AlarmClock", () => {
  /** A storage whose alarm is read and set after a turn of the event loop, as the runtime's is. */
  function storage() {
    const kept: { alarm: number | null } = { alarm: null };
    const later = <T>(value: () => T) => new Promise<T>((resolve) => setTimeout(() => resolve(value()), 1));
    const fake = {
      getAlarm: () => later(() => kept.alarm),
      setAlarm: (at: number) =>
        later(() => {
          kept.alarm = at;
        }),
      deleteAlarm: () =>
        later(() => {
          kept.alarm = null;
        }),
    };
    return { kept, storage: fake as unknown as DurableObjectStorage };
  }

  it("keeps the soonest of calls that overlap its first read, in whichever order they began", async () => {
    for (const times of [
      [5000, 30_000],
      [30_000, 5000],
    ]) {
      const { kept, storage: fake } = storage();
      const clock = new AlarmClock(fake);
      await Promise.all(times.map((at) => clock.ringBy(at)));
      expect(kept.alarm).toBe(5000);
    }
  });
});
