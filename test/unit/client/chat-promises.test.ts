// sendChat's promise (rule `final-refusals`, clients/spec): it settles with the room's echo, or rejects with a
// Refusal when the room refused the chat for good; a "not now" leaves it pending while the chat goes again.

import { describe, expect, it } from "vitest";
import { Refusal } from "../../../src/client/refusal";
import { type FakeSocket, joinedConnection } from "./fakes";

/** Node's, which these tests run in (the client's own code knows no Node: tsconfig.client.json). */
declare const process: {
  on(event: "unhandledRejection", listener: (reason: unknown) => void): void;
  off(event: "unhandledRejection", listener: (reason: unknown) => void): void;
};

function joined() {
  const joined = joinedConnection();
  /** The cid of the last chat sent. */
  const lastCid = (s: FakeSocket) => (JSON.parse(s.sent.at(-1)!) as { cid: string }).cid;
  return { ...joined, lastCid: () => lastCid(joined.socket) };
}

/** Whether the promise has settled, and how, as of now. */
async function outcome<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown } | "pending"> {
  const pending = Symbol("pending");
  const result = await Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    Promise.resolve().then(() => Promise.resolve(pending)),
  ]);
  return result === pending ? "pending" : (result as { value: T } | { error: unknown });
}

describe("sendChat's promise", () => {
  it("resolves with the message as the room stored it, once its echo comes", async () => {
    const t = joined();
    const sent = t.connection.sendChat("hello");
    const cid = t.lastCid();
    expect(await outcome(sent)).toBe("pending");
    const echo = { seq: 1, ts: 5, sender: { id: 1, name: "me" }, text: "hello", cid };
    t.socket.receive({ type: "chat", ...echo });
    expect(await sent).toEqual(echo);
  });

  it.each([
    ["slow_mode", 8000],
    ["muted", 60_000],
    ["blocked_word", undefined],
  ] as const)("rejects with a Refusal of code %s, its wait as the room gave it", async (code, retryAfterMs) => {
    const t = joined();
    const sent = t.connection.sendChat("hello");
    const cid = t.lastCid();
    t.socket.receive({
      type: "error",
      code,
      message: "refused",
      for: "chat",
      cid,
      ...(retryAfterMs && { retryAfterMs }),
    });
    const error = await sent.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Refusal);
    expect(error).toMatchObject({ code, retryAfterMs, for: "chat", cid, message: "refused" });
    // The app heard it as an error event too.
    expect(t.events.filter((e) => e.type === "error")).toHaveLength(1);
  });

  it("stays pending through a refusal for now: the chat goes again, and its echo resolves it", async () => {
    const t = joined();
    const sent = t.connection.sendChat("hello");
    const cid = t.lastCid();
    t.socket.receive({
      type: "error",
      code: "rate_limited",
      message: "slow down",
      for: "chat",
      cid,
      retryAfterMs: 300,
    });
    expect(await outcome(sent)).toBe("pending");
    t.clock.advance(300);
    expect(t.lastCid()).toBe(cid);
    t.socket.receive({ type: "chat", seq: 1, ts: 5, sender: { id: 1, name: "me" }, text: "hello", cid });
    expect(await outcome(sent)).toMatchObject({ value: { seq: 1, cid } });
  });

  it("rejects at once, without sending, game data the room would refuse", async () => {
    const t = joined();
    const before = t.socket.sent.length;
    const sent = t.connection.sendChat("hello", { data: [] as unknown as Record<string, unknown> });
    expect(await outcome(sent)).toMatchObject({ error: { code: "invalid_data" } });
    expect(t.socket.sent.length).toBe(before);
  });

  it("leaves no unhandled rejection for an app that does not await it", async () => {
    const unhandled: unknown[] = [];
    const listen = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", listen);
    try {
      const t = joined();
      void t.connection.sendChat("hello");
      t.socket.receive({ type: "error", code: "blocked_word", message: "no", for: "chat", cid: t.lastCid() });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", listen);
    }
  });
});
