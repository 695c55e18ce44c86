import { describe, expect, it } from "vitest";
import { FloodControl } from "../../../src/server/flood-control";
import { FakeSocket } from "./fakes";

describe("FloodControl", () => {
  it("passes a burst, refuses with a retry time, and closes a connection that keeps going", () => {
    const flood = new FloodControl<FakeSocket>({ burst: 3, perSecond: 10, closeAfter: 4 });
    const socket = new FakeSocket();
    for (let i = 0; i < 3; i++) expect(flood.charge(socket, 0)).toEqual({ kind: "pass" });
    for (let i = 0; i < 3; i++) expect(flood.charge(socket, 0)).toEqual({ kind: "refuse", retryAfterMs: 100 });
    expect(flood.charge(socket, 0)).toEqual({ kind: "close", refusedInARow: 4 });
  });

  it("forgives refusals once a frame is let through again", () => {
    const flood = new FloodControl<FakeSocket>({ burst: 1, perSecond: 10, closeAfter: 3 });
    const socket = new FakeSocket();
    flood.charge(socket, 0);
    expect(flood.charge(socket, 0).kind).toBe("refuse");
    expect(flood.charge(socket, 0).kind).toBe("refuse");
    expect(flood.charge(socket, 100)).toEqual({ kind: "pass" });
    expect(flood.charge(socket, 100).kind).toBe("refuse");
    expect(flood.charge(socket, 100).kind).toBe("refuse");
  });

  it("charges each connection on its own", () => {
    const flood = new FloodControl<FakeSocket>({ burst: 1, perSecond: 1, closeAfter: 10 });
    const [a, b] = [new FakeSocket(), new FakeSocket()];
    expect(flood.charge(a, 0).kind).toBe("pass");
    expect(flood.charge(a, 0).kind).toBe("refuse");
    expect(flood.charge(b, 0).kind).toBe("pass");
  });
});
