// The connection and its token's life: the room closes a verified connection with 4010 once its token expired. With
// a way to get a new token, the connection comes straight back in with it and resumes, and the app sees no drop and
// loses nothing; without one, it stops and says why.

import { describe, expect, it } from "vitest";
import { type ConnectionOptions, RoomConnection } from "../../../src/client/connection";
import type { ConnectionEvent } from "../../../src/client/connection-events";
import { FakeClock, message, messages, socketFactory, welcome } from "./fakes";

const URL = "ws://chat.test/rooms/r";

function setup(options: Partial<ConnectionOptions> = {}) {
  const clock = new FakeClock();
  const sockets = socketFactory();
  const events: ConnectionEvent[] = [];
  const connection = new RoomConnection({
    url: URL,
    name: "me",
    createSocket: sockets.create,
    onEvent: (event) => events.push(event),
    clock,
    random: () => 1,
    backoff: { baseMs: 1_000, maxMs: 16_000, maxAttempts: 4 },
    ...options,
  });
  const of = <T extends ConnectionEvent["type"]>(type: T) =>
    events.filter((event): event is Extract<ConnectionEvent, { type: T }> => event.type === type);
  return {
    clock,
    sockets,
    events,
    connection,
    of,
    delivered: () => of("messages").flatMap((e) => e.messages.map((m) => m.seq)),
  };
}

/** Lets a token provider's promise settle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A backend that hands out token-1, token-2, … */
function backend() {
  const given: string[] = [];
  const token = async () => {
    given.push(`token-${given.length + 1}`);
    return given.at(-1)!;
  };
  return { given, token };
}

describe("a token that expires", () => {
  it("is replaced on 4010: the connection resumes with a new one, and the app sees no drop and loses nothing", async () => {
    const tokens = backend();
    const t = setup({ token: tokens.token });
    t.connection.open();
    await settle();
    const first = t.sockets.last();
    expect(first.url).toBe(`${URL}?token=token-1`);
    first.open();
    first.receive(welcome(1, messages(1, 5)));
    t.connection.sendChat("said just before it expired");
    expect(first.packets().at(-1)).toEqual({ type: "chat", text: "said just before it expired" });
    const seenBefore = t.events.length;

    first.drop(4010);
    t.connection.sendChat("typed while it was replaced");
    await settle();
    const second = t.sockets.last();
    expect(second).not.toBe(first);
    expect(second.url).toBe(`${URL}?token=token-2`);
    second.open();
    // The rejoin resumes: what came after the newest message, with the resume key that hands the member its name back.
    expect(second.packets()[0]).toEqual({ type: "join", name: "me", since: 5, resume: "key-of-1" });
    second.receive(welcome(2, [message(6)], { lastSeq: 6 }));
    // The chat the room never took is sent again, then the one typed meanwhile.
    expect(second.packets().slice(1)).toEqual([
      { type: "chat", text: "said just before it expired" },
      { type: "chat", text: "typed while it was replaced" },
    ]);
    second.receive({ type: "chat", ...message(7, "said just before it expired", { id: 2, name: "me" }) });

    const after = t.events.slice(seenBefore);
    expect(after.filter((e) => e.type === "status")).toEqual([]);
    expect(t.connection.status).toEqual({ state: "online" });
    expect(after.filter((e) => e.type === "welcome")).toMatchObject([{ resumed: true }]);
    expect(t.delivered()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(t.clock.nextDelay()).toBeGreaterThan(1_000); // the keep-alive ping, no reconnect pending
  });

  it("asks for a token before every attempt, and takes a backend that fails as a failed attempt", async () => {
    let fail = true;
    const urls: string[] = [];
    const t = setup({ token: async () => (fail ? Promise.reject(new Error("backend down")) : "fresh") });
    t.connection.open();
    await settle();
    expect(t.sockets.sockets).toHaveLength(0);
    expect(t.connection.status).toMatchObject({ state: "reconnecting", attempt: 1 });
    fail = false;
    t.clock.advance(1_000);
    await settle();
    urls.push(...t.sockets.sockets.map((s) => s.url));
    expect(urls).toEqual([`${URL}?token=fresh`]);
  });

  it("without a way to get a new token, stops on 4010 and says why: the same token would be refused", () => {
    const t = setup();
    t.connection.open();
    const socket = t.sockets.last();
    socket.open();
    socket.receive(welcome(1, messages(1, 2)));
    socket.drop(4010);
    expect(t.connection.status).toMatchObject({
      state: "offline",
      reason: "removed",
      removal: { kind: "token_expired" },
    });
    t.clock.advance(60_000);
    expect(t.sockets.sockets).toHaveLength(1);
    t.connection.retryNow();
    expect(t.sockets.sockets).toHaveLength(1);
  });
});
