import { describe, expect, it } from "vitest";
import { FLOOD_WINDOW_MS, FloodControl } from "../../../../src/server/limits/flood-control";
import { FakeSocket } from "../fakes";

describe("FloodControl", () => {
  it("passes a burst, answers the first refusal of a window only, and closes a connection that keeps going", () => {
    const flood = new FloodControl<FakeSocket>({ burst: 3, perSecond: 10, closeAfter: 4 });
    const socket = new FakeSocket();
    for (let i = 0; i < 3; i++) expect(flood.charge(socket, 0)).toEqual({ kind: "pass" });
    expect(flood.charge(socket, 0)).toEqual({ kind: "refuse", code: "rate_limited", retryAfterMs: 100, answer: true });
    expect(flood.charge(socket, 0)).toEqual({ kind: "refuse", code: "rate_limited", retryAfterMs: 100, answer: false });
    expect(flood.charge(socket, 0)).toEqual({ kind: "refuse", code: "rate_limited", retryAfterMs: 100, answer: false });
    expect(flood.charge(socket, 0)).toEqual({ kind: "close", refusedInWindow: 4 });
  });

  it("counts refusals per window, so that a frame let through now and then does not reset the count", () => {
    const flood = new FloodControl<FakeSocket>({ burst: 1, perSecond: 10, closeAfter: 20 });
    const socket = new FakeSocket();
    let verdict: ReturnType<typeof flood.charge> | undefined;
    // One frame through, then a volley of refused ones, every 110 ms: the dodge that a count in a row allowed.
    for (let t = 0; t < FLOOD_WINDOW_MS; t += 110) {
      expect(flood.charge(socket, t).kind).toBe("pass");
      for (let i = 0; i < 5; i++) verdict = flood.charge(socket, t);
      if (verdict?.kind === "close") break;
    }
    expect(verdict).toEqual({ kind: "close", refusedInWindow: 20 });
  });

  it("starts a new window, with a new answer, once the window has passed", () => {
    const flood = new FloodControl<FakeSocket>({ burst: 1, perSecond: 1, closeAfter: 3 });
    const socket = new FakeSocket();
    flood.charge(socket, 0);
    expect(flood.charge(socket, 0)).toMatchObject({ kind: "refuse", answer: true });
    expect(flood.charge(socket, 10)).toMatchObject({ kind: "refuse", answer: false });
    expect(flood.charge(socket, FLOOD_WINDOW_MS + 10)).toEqual({ kind: "pass" });
    expect(flood.charge(socket, FLOOD_WINDOW_MS + 10)).toMatchObject({ kind: "refuse", answer: true });
    expect(flood.charge(socket, FLOOD_WINDOW_MS + 20)).toMatchObject({ kind: "refuse", answer: false });
  });

  it("charges each connection on its own", () => {
    const flood = new FloodControl<FakeSocket>({ burst: 1, perSecond: 1, closeAfter: 10 });
    const [a, b] = [new FakeSocket(), new FakeSocket()];
    expect(flood.charge(a, 0).kind).toBe("pass");
    expect(flood.charge(a, 0).kind).toBe("refuse");
    expect(flood.charge(b, 0).kind).toBe("pass");
  });
});
