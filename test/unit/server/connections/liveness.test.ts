import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Liveness } from "../../../../src/server/connections/liveness";

describe("Liveness", () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  function setUp() {
    const unjoined = new Map<object, number>();
    const pings = new Map<object, number>();
    const closed: [object, string][] = [];
    const liveness = new Liveness<object>(
      { joinTimeoutMs: 10_000, silenceMs: 60_000 },
      {
        unjoined: () => unjoined,
        lastPing: (socket) => pings.get(socket),
        close: (socket, reason) => {
          closed.push([socket, reason]);
          unjoined.delete(socket);
        },
      },
    );
    return { liveness, unjoined, pings, closed };
  }

  it("closes each connection that has not joined by its own deadline, and none that joined", () => {
    const { liveness, unjoined, closed } = setUp();
    const [early, late, joiner] = [{}, {}, {}];
    for (const [socket, at] of [
      [early, 0],
      [joiner, 1000],
      [late, 4000],
    ] as const) {
      vi.advanceTimersByTime(at - Date.now());
      unjoined.set(socket, at);
      liveness.expectJoin(at);
    }
    unjoined.delete(joiner);
    vi.advanceTimersByTime(10_000 - 4000);
    expect(closed).toEqual([[early, "no join within 10 s"]]);
    vi.advanceTimersByTime(4000);
    expect(closed.map(([socket]) => socket)).toEqual([early, late]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("keeps no timer once nobody is left to join", () => {
    const { liveness } = setUp();
    liveness.expectJoin(0);
    liveness.noJoinsPending();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("judges silent only a member that has pinged, by its last ping or frame", () => {
    const { liveness, pings } = setUp();
    const [frozen, chatty, neverPings] = [{}, {}, {}];
    pings.set(frozen, 1000);
    pings.set(chatty, 1000);
    liveness.heard(chatty, 50_000);
    liveness.heard(neverPings, 0);
    expect(liveness.silent([frozen, chatty, neverPings], 61_000)).toEqual([]);
    expect(liveness.silent([frozen, chatty, neverPings], 61_001)).toEqual([frozen]);
    expect(liveness.silent([frozen, chatty, neverPings], 200_000)).toEqual([frozen, chatty]);
  });
});
