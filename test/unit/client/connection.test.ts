import { describe, expect, it } from "vitest";
import { type ConnectionOptions, RoomConnection } from "../../../src/client/connection";
import type { ConnectionEvent } from "../../../src/client/connection-events";
import type { ChatMessage, ServerPacket } from "../../../src/shared/protocol";
import { FakeClock, type FakeSocket, LIMITS, message, messages, socketFactory, welcome } from "./fakes";

const BACKOFF = { baseMs: 1_000, maxMs: 16_000, maxAttempts: 4 };

function setup(options: Partial<ConnectionOptions> = {}) {
  const clock = new FakeClock();
  const sockets = socketFactory();
  const events: ConnectionEvent[] = [];
  const connection = new RoomConnection({
    url: "ws://chat.test/rooms/r",
    name: "me",
    createSocket: sockets.create,
    onEvent: (event) => events.push(event),
    clock,
    random: () => 1,
    backoff: BACKOFF,
    pingIntervalMs: 25_000,
    answerTimeoutMs: 10_000,
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
    /** Every sequence number delivered, in delivery order. */
    delivered: () => of("messages").flatMap((event) => event.messages.map((m) => m.seq)),
    status: () => connection.status,
    /** Opens the connection and completes a first join with the given history. */
    join(history: ChatMessage[] = messages(1, 5), more = false): FakeSocket {
      connection.open();
      const socket = sockets.last();
      socket.open();
      socket.receive(welcome(1, history, { more }));
      return socket;
    },
  };
}

describe("joining", () => {
  it("joins with the name, delivers the recent history and goes online", () => {
    const t = setup();
    t.connection.open();
    expect(t.status()).toEqual({ state: "connecting", attempt: 0 });
    const socket = t.sockets.last();
    expect(socket.url).toBe("ws://chat.test/rooms/r");
    socket.open();
    expect(socket.packets()).toEqual([{ type: "join", name: "me" }]);
    socket.receive(welcome(7, messages(1, 3), { more: true }));
    expect(t.status()).toEqual({ state: "online" });
    expect(t.of("messages")).toEqual([{ type: "messages", messages: messages(1, 3), origin: "recent" }]);
    expect(t.of("older").at(-1)).toEqual({ type: "older", more: true, loading: false });
    expect(t.of("welcome")[0]).toMatchObject({ self: { id: 7, name: "me" }, limits: LIMITS, resumed: false });
  });

  it("ignores the pong keep-alive answer and frames that are not JSON", () => {
    const t = setup();
    const socket = t.join();
    const before = t.events.length;
    socket.receive("pong");
    (socket as unknown as { handlers: { message(d: string): void } }).handlers.message("not json");
    expect(t.events.length).toBe(before);
  });

  it("stops for good when the room refuses the join, since trying again would not help", () => {
    const t = setup();
    t.connection.open();
    const socket = t.sockets.last();
    socket.open();
    socket.receive({ type: "error", code: "invalid_name", message: "name must be 1 to 32 characters" });
    expect(t.status()).toEqual({
      state: "offline",
      reason: "rejected",
      error: { code: "invalid_name", message: "name must be 1 to 32 characters" },
    });
    expect(socket.closed).toBe(true);
    t.clock.advance(120_000);
    expect(t.sockets.sockets.length).toBe(1);
  });

  it("comes back when the room says when: a join refused for a busy room is tried again after the wait", () => {
    const t = setup();
    t.connection.open();
    const first = t.sockets.last();
    first.open();
    first.receive({ type: "error", code: "room_busy", message: "too many joins at once", retryAfterMs: 3000 });
    expect(first.closed).toBe(true);
    expect(t.status()).toMatchObject({ state: "reconnecting" });
    t.clock.advance(2999);
    expect(t.sockets.sockets.length).toBe(1);
    t.clock.advance(1);
    const second = t.sockets.last();
    expect(second).not.toBe(first);
    second.open();
    expect(second.packets()).toEqual([{ type: "join", name: "me" }]);
    second.receive(welcome(1, []));
    expect(t.status()).toEqual({ state: "online" });
  });
});

describe("dedupe by sequence number", () => {
  it("delivers every sequence number once, whichever way it arrives", () => {
    const t = setup();
    const socket = t.join(messages(1, 3));
    socket.receive({ type: "chat", ...message(3) });
    socket.receive({ type: "chat", ...message(4) });
    socket.receive({ type: "chat", ...message(4) });
    expect(t.delivered()).toEqual([1, 2, 3, 4]);
  });
});

describe("reconnecting", () => {
  it("retries with a growing, capped delay and counts the tries", () => {
    const t = setup();
    t.join();
    t.sockets.last().drop();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const status = t.status();
      expect(status).toMatchObject({ state: "reconnecting", attempt });
      if (status.state !== "reconnecting") throw new Error("unreachable");
      delays.push(status.retryAt - t.clock.now());
      t.clock.advance(delays[delays.length - 1]! - 1);
      const socketsBefore = t.sockets.sockets.length;
      t.clock.advance(1);
      expect(t.sockets.sockets.length).toBe(socketsBefore + 1);
      expect(t.status()).toEqual({ state: "connecting", attempt });
      t.sockets.last().drop(); // the server is still down
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000]);
    // Past maxAttempts it gives up, until asked to try again.
    expect(t.status()).toEqual({ state: "offline", reason: "gave_up" });
    t.clock.advance(600_000);
    expect(t.sockets.sockets.length).toBe(5);
    t.connection.retryNow();
    expect(t.sockets.sockets.length).toBe(6);
  });

  it("caps the delay at the policy's maximum", () => {
    const t = setup({ backoff: { baseMs: 1_000, maxMs: 3_000, maxAttempts: 10 } });
    t.join();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      t.sockets.last().drop();
      const status = t.status();
      if (status.state !== "reconnecting") throw new Error(`not reconnecting: ${JSON.stringify(status)}`);
      delays.push(status.retryAt - t.clock.now());
      t.clock.advance(delays[i]!);
    }
    expect(delays).toEqual([1_000, 2_000, 3_000, 3_000, 3_000]);
  });

  it("starts the count again after a successful rejoin", () => {
    const t = setup();
    t.join();
    t.sockets.last().drop();
    t.clock.advance(1_000);
    t.sockets.last().drop();
    expect(t.status()).toMatchObject({ attempt: 2 });
    t.clock.advance(2_000);
    t.sockets.last().open();
    t.sockets.last().receive(welcome(2, [], { lastSeq: 5 }));
    t.sockets.last().drop();
    expect(t.status()).toMatchObject({ state: "reconnecting", attempt: 1 });
  });

  it("stops reconnecting once the user closes the connection", () => {
    const t = setup();
    const socket = t.join();
    t.connection.close();
    expect(socket.closed).toBe(true);
    expect(t.status()).toEqual({ state: "offline", reason: "closed" });
    socket.drop(); // the close event arrives afterwards
    t.clock.advance(600_000);
    expect(t.sockets.sockets.length).toBe(1);
    expect(t.status()).toEqual({ state: "offline", reason: "closed" });
  });

  it("cancels a pending retry when closed while waiting", () => {
    const t = setup();
    t.join();
    t.sockets.last().drop();
    expect(t.status().state).toBe("reconnecting");
    t.connection.close();
    t.clock.advance(600_000);
    expect(t.sockets.sockets.length).toBe(1);
  });

  it("retries at once when asked, without waiting out the delay", () => {
    const t = setup();
    t.join();
    t.sockets.last().drop();
    t.connection.retryNow();
    expect(t.sockets.sockets.length).toBe(2);
    expect(t.status()).toEqual({ state: "connecting", attempt: 1 });
  });
});

describe("keep-alive", () => {
  it("pings periodically and gives up on a connection that stops answering", () => {
    const t = setup();
    const socket = t.join();
    t.clock.advance(25_000);
    expect(socket.sent.at(-1)).toBe("ping");
    socket.receive("pong");
    t.clock.advance(25_000);
    expect(socket.sent.filter((frame) => frame === "ping").length).toBe(2);
    // No pong this time: after the answer timeout the socket is abandoned and a new one is on its way.
    t.clock.advance(10_000);
    expect(socket.closed).toBe(true);
    expect(t.status()).toMatchObject({ state: "reconnecting", attempt: 1 });
  });

  it("gives up on a connection that never gets to the welcome", () => {
    const t = setup();
    t.connection.open();
    t.clock.advance(10_000);
    expect(t.sockets.last().closed).toBe(true);
    expect(t.status()).toMatchObject({ state: "reconnecting", attempt: 1 });
  });
});

describe("resuming", () => {
  it("rejoins with since = the newest sequence number seen and delivers exactly what was missed", () => {
    const t = setup();
    const first = t.join(messages(1, 5));
    first.receive({ type: "chat", ...message(6) });
    first.drop();
    t.clock.advance(1_000);
    const second = t.sockets.last();
    second.open();
    expect(second.packets()[0]).toEqual({ type: "join", name: "me", since: 6, resume: "key-of-1" });
    second.receive(welcome(2, messages(7, 9)));
    second.receive({ type: "chat", ...message(9) }); // a duplicate must not show twice
    second.receive({ type: "chat", ...message(10) });
    expect(t.delivered()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(t.of("messages").at(-2)?.origin).toBe("live");
    expect(t.of("welcome").at(-1)).toMatchObject({ resumed: true, reset: false });
    expect(t.status()).toEqual({ state: "online" });
  });

  it("fills a gap larger than one page with history requests down to the last seen message", () => {
    const t = setup(); // historyPageMax is 3
    t.join(messages(1, 2));
    t.sockets.last().drop();
    t.clock.advance(1_000);
    const socket = t.sockets.last();
    socket.open();
    // 3 to 10 were missed; the welcome holds the newest page, 8 to 10.
    socket.receive(welcome(2, messages(8, 10), { more: true }));
    expect(socket.packets().at(-1)).toEqual({ type: "history", before: 8, limit: 3 });
    socket.receive({ type: "history", messages: messages(5, 7), more: true });
    expect(socket.packets().at(-1)).toEqual({ type: "history", before: 5, limit: 3 });
    // The room answers with the newest 3 before 5, which reaches back past what we had.
    socket.receive({ type: "history", messages: messages(2, 4), more: true });
    expect(socket.packets().filter((p) => p.type === "history").length).toBe(2);
    expect(t.delivered()).toEqual([1, 2, 8, 9, 10, 5, 6, 7, 3, 4]);
    expect([...t.delivered()].sort((a, b) => a - b)).toEqual(messages(1, 10).map((m) => m.seq));
    expect(
      t
        .of("messages")
        .slice(-2)
        .map((e) => e.origin),
    ).toEqual(["gap", "gap"]);
    expect(t.of("missing")).toEqual([]);
  });

  it("marks the part of a gap the room no longer keeps", () => {
    const t = setup();
    t.join(messages(1, 2));
    t.sockets.last().drop();
    t.clock.advance(1_000);
    const socket = t.sockets.last();
    socket.open();
    socket.receive(welcome(2, messages(20, 22), { more: true }));
    socket.receive({ type: "history", messages: messages(17, 19), more: false }); // 3 to 16 were pruned
    expect(t.of("missing")).toEqual([{ type: "missing", after: 2, before: 17 }]);
    expect(socket.packets().filter((p) => p.type === "history").length).toBe(1);
  });

  it("starts over when the room's history was reset", () => {
    const t = setup();
    t.join(messages(1, 5));
    t.sockets.last().drop();
    t.clock.advance(1_000);
    t.sockets.last().open();
    t.sockets.last().receive(welcome(1, [], { lastSeq: 0 }));
    expect(t.of("welcome").at(-1)).toMatchObject({ resumed: false, reset: true });
    t.sockets.last().receive({ type: "chat", ...message(1, "fresh start") });
    expect(t.of("messages").at(-1)?.messages[0]?.text).toBe("fresh start");
  });
});

describe("sending", () => {
  it("queues chats while disconnected and sends them, in order, after the rejoin", () => {
    const t = setup();
    t.join();
    t.sockets.last().drop();
    t.connection.sendChat("one");
    t.connection.sendChat("two");
    expect(t.of("queue").at(-1)).toEqual({ type: "queue", size: 2 });
    t.clock.advance(1_000);
    const socket = t.sockets.last();
    socket.open();
    expect(socket.packets()).toEqual([{ type: "join", name: "me", since: 5, resume: "key-of-1" }]); // nothing before the welcome
    socket.receive(welcome(2, [], { lastSeq: 5 }));
    expect(socket.packets().slice(1)).toEqual([
      { type: "chat", text: "one" },
      { type: "chat", text: "two" },
    ]);
    expect(t.of("queue").at(-1)).toEqual({ type: "queue", size: 0 });
  });

  it("holds queued chats until a gap is filled, then sends them", () => {
    const t = setup();
    t.join(messages(1, 2));
    t.sockets.last().drop();
    t.connection.sendChat("typed while away");
    t.clock.advance(1_000);
    const socket = t.sockets.last();
    socket.open();
    socket.receive(welcome(2, messages(6, 8), { more: true }));
    expect(socket.packets().map((p) => p.type)).toEqual(["join", "history"]);
    socket.receive({ type: "history", messages: messages(3, 5), more: true });
    expect(socket.packets().at(-1)).toEqual({ type: "chat", text: "typed while away" });
  });

  it("sends again a chat the room never got because the connection dropped under it", () => {
    const t = setup();
    const first = t.join(messages(1, 2));
    t.connection.sendChat("lost in transit");
    t.connection.sendChat("made it");
    expect(
      first
        .packets()
        .slice(1)
        .map((p) => p.text),
    ).toEqual(["lost in transit", "made it"]);
    first.drop();
    t.clock.advance(1_000);
    const second = t.sockets.last();
    second.open();
    // The room stored only the second one, from our old connection id 1.
    second.receive(welcome(2, [message(3, "made it", { id: 1, name: "me" })]));
    expect(second.packets().slice(1)).toEqual([{ type: "chat", text: "lost in transit" }]);
  });

  it("does not send again a chat whose echo came back", () => {
    const t = setup();
    const first = t.join(messages(1, 2));
    t.connection.sendChat("hello");
    first.receive({ type: "chat", ...message(3, "hello", { id: 1, name: "me" }) });
    first.drop();
    t.clock.advance(1_000);
    const second = t.sockets.last();
    second.open();
    second.receive(welcome(2, [], { lastSeq: 3 }));
    expect(second.packets()).toEqual([{ type: "join", name: "me", since: 3, resume: "key-of-1" }]);
  });

  it("paces chats to the room's rate limit instead of having them refused", () => {
    const t = setup(); // burst 10 at 5 per second: we allow ourselves one less in a burst
    const socket = t.join();
    for (let i = 1; i <= 12; i++) t.connection.sendChat(`burst ${i}`);
    expect(socket.packets().filter((p) => p.type === "chat").length).toBe(9);
    expect(t.of("queue").at(-1)).toEqual({ type: "queue", size: 3 });
    t.clock.advance(200); // one token
    expect(
      socket
        .packets()
        .filter((p) => p.type === "chat")
        .map((p) => p.text)
        .slice(-2),
    ).toEqual(["burst 9", "burst 10"]);
    t.clock.advance(400);
    expect(
      socket
        .packets()
        .filter((p) => p.type === "chat")
        .map((p) => p.text)
        .slice(-2),
    ).toEqual(["burst 11", "burst 12"]);
    expect(t.of("queue").at(-1)).toEqual({ type: "queue", size: 0 });
  });

  it("sends again a chat the room refused (room_busy), not one it took, once the echoes had time to come back", () => {
    const t = setup();
    const socket = t.join();
    t.connection.sendChat("taken");
    t.connection.sendChat("refused");
    const chats = () =>
      socket
        .packets()
        .filter((p) => p.type === "chat")
        .map((p) => p.text);
    expect(chats()).toEqual(["taken", "refused"]);
    socket.receive({
      type: "error",
      code: "room_busy",
      message: "the room is busy; retry in 300 ms",
      retryAfterMs: 300,
    });
    socket.receive({ type: "chat", ...message(6, "taken", { id: 1, name: "me" }) });
    t.clock.advance(999);
    expect(chats()).toEqual(["taken", "refused"]);
    t.clock.advance(1);
    expect(chats()).toEqual(["taken", "refused", "refused"]);
    socket.receive({ type: "chat", ...message(7, "refused", { id: 1, name: "me" }) });
    t.clock.advance(5000);
    expect(chats()).toEqual(["taken", "refused", "refused"]);
  });

  it("waits out a rate-limit refusal before sending more, and reports it", () => {
    const t = setup();
    const socket = t.join();
    socket.receive({
      type: "error",
      code: "rate_limited",
      message: "too many packets; retry in 800 ms",
      retryAfterMs: 800,
    });
    expect(t.of("error").at(-1)?.error).toEqual({
      code: "rate_limited",
      message: "too many packets; retry in 800 ms",
      retryAfterMs: 800,
    });
    t.connection.sendChat("patience");
    expect(socket.packets().length).toBe(1);
    t.clock.advance(800);
    expect(socket.packets().at(-1)).toEqual({ type: "chat", text: "patience" });
  });

  it("renames while joined, and rejoins under the new name when renamed while away", () => {
    const t = setup();
    const socket = t.join();
    t.connection.rename("alice");
    expect(socket.packets().at(-1)).toEqual({ type: "rename", name: "alice" });
    socket.drop();
    t.connection.rename("alicia");
    t.clock.advance(1_000);
    t.sockets.last().open();
    expect(t.sockets.last().packets()).toEqual([{ type: "join", name: "alicia", since: 5, resume: "key-of-1" }]);
  });
});

describe("older history", () => {
  it("pages back from the oldest message shown until the room has no more", () => {
    const t = setup();
    const socket = t.join(messages(7, 9), true);
    expect(t.connection.loadOlder()).toBe(true);
    expect(t.connection.loadOlder()).toBe(false); // one page at a time
    expect(socket.packets().at(-1)).toEqual({ type: "history", before: 7, limit: 3 });
    expect(t.of("older").at(-1)).toEqual({ type: "older", more: true, loading: true });
    socket.receive({ type: "history", messages: messages(4, 6), more: true });
    expect(t.connection.loadOlder()).toBe(true);
    expect(socket.packets().at(-1)).toEqual({ type: "history", before: 4, limit: 3 });
    socket.receive({ type: "history", messages: messages(1, 3), more: false });
    expect(t.of("older").at(-1)).toEqual({ type: "older", more: false, loading: false });
    expect(t.connection.loadOlder()).toBe(false);
    expect(t.of("messages").map((e) => e.origin)).toEqual(["recent", "older", "older"]);
    expect(t.delivered()).toEqual([7, 8, 9, 4, 5, 6, 1, 2, 3]);
  });

  it("asks again after a rejoin when the page was lost with the connection", () => {
    const t = setup();
    t.join(messages(7, 9), true);
    t.connection.loadOlder();
    t.sockets.last().drop();
    t.clock.advance(1_000);
    const socket = t.sockets.last();
    socket.open();
    socket.receive(welcome(2, [], { lastSeq: 9 }));
    expect(socket.packets().at(-1)).toEqual({ type: "history", before: 7, limit: 3 });
  });
});

describe("members of a large room", () => {
  const member = (id: number) => ({ id, name: `m${id}` });
  const largeWelcome = (count: number): ServerPacket => ({
    ...(welcome(9, []) as Extract<ServerPacket, { type: "welcome" }>),
    members: [1, 2, 3].map(member),
    memberCount: count,
  });

  /** Joins a room of `count` members whose welcome lists the first three. */
  function joinLarge(t: ReturnType<typeof setup>, count: number): FakeSocket {
    t.connection.open();
    const socket = t.sockets.last();
    socket.open();
    socket.receive(largeWelcome(count));
    return socket;
  }

  it("pages through the members a welcome leaves out, one request at a time, and hands each page on", () => {
    const t = setup();
    const socket = joinLarge(t, 7);
    expect(t.of("welcome")[0]).toMatchObject({ memberCount: 7, members: [1, 2, 3].map(member) });
    expect(socket.packets().slice(1)).toEqual([{ type: "members", after: 3, limit: 3 }]);
    socket.receive({ type: "members", members: [4, 5, 6].map(member), more: true });
    expect(socket.packets().slice(1)).toEqual([
      { type: "members", after: 3, limit: 3 },
      { type: "members", after: 6, limit: 3 },
    ]);
    socket.receive({ type: "members", members: [member(8)], more: false });
    expect(t.of("members").map((e) => e.members.map((m) => m.id))).toEqual([[4, 5, 6], [8]]);
    t.clock.advance(60_000);
    expect(socket.packets().filter((p) => p.type === "members")).toHaveLength(2);
  });

  it("asks again for a page that never came (refused), and starts over after a rejoin", () => {
    const t = setup();
    const socket = joinLarge(t, 5);
    t.clock.advance(10_000);
    expect(socket.packets().filter((p) => p.type === "members")).toEqual([
      { type: "members", after: 3, limit: 3 },
      { type: "members", after: 3, limit: 3 },
    ]);
    socket.drop();
    t.clock.advance(1_000);
    const again = t.sockets.last();
    again.open();
    again.receive({ ...(largeWelcome(4) as Extract<ServerPacket, { type: "welcome" }>), members: [1, 2].map(member) });
    expect(again.packets().filter((p) => p.type === "members")).toEqual([{ type: "members", after: 2, limit: 3 }]);
  });

  it("asks for nothing when the welcome lists everyone", () => {
    const t = setup();
    const socket = t.join();
    t.clock.advance(30_000);
    expect(socket.packets().some((p) => p.type === "members")).toBe(false);
  });
});

describe("summary presence", () => {
  const member = (id: number) => ({ id, name: `m${id}` });
  /** Joins as member 9 a room in summary presence of 2,000 members, near to 1 and 4 (typing: 4). */
  function joinSummary(t: ReturnType<typeof setup>): FakeSocket {
    t.connection.open();
    const socket = t.sockets.last();
    socket.open();
    socket.receive({
      ...(welcome(9, []) as Extract<ServerPacket, { type: "welcome" }>),
      presence: "summary",
      members: [1, 4, 9].map(member),
      moreMembers: true,
      memberCount: 2_000,
      typing: [4],
    });
    return socket;
  }

  it("tells the mode with the welcome, and a chat's new sender as a member added, once", () => {
    const t = setup();
    joinSummary(t);
    expect(t.of("welcome")[0]).toMatchObject({ presence: "summary", memberCount: 2_000 });
    expect(t.connection.presence).toBe("summary");
    const chat = (seq: number, sender: ChatMessage["sender"]): ServerPacket => ({
      type: "chat",
      ...message(seq),
      sender,
    });
    t.sockets.last().receive(chat(1, member(6)));
    t.sockets.last().receive(chat(2, member(6)));
    t.sockets.last().receive(chat(3, { id: 0, name: "system", system: true }));
    expect(t.of("members").map((e) => e.members.map((m) => m.id))).toEqual([[6]]);
    expect(t.connection.members.map((m) => m.id)).toEqual([1, 4, 6, 9]);
  });

  it("tells a rename only of a member it lists, and of ourselves; an older room's welcome is list presence", () => {
    const t = setup();
    const socket = joinSummary(t);
    socket.receive({ type: "rename", id: 300, name: "far", previous: "m300" });
    socket.receive({ type: "rename", id: 4, name: "four", previous: "m4" });
    socket.receive({ type: "rename", id: 9, name: "nine", previous: "me" });
    expect(t.of("presence").map((e) => e.packet.type === "rename" && e.packet.id)).toEqual([4, 9]);
    socket.drop();
    t.clock.advance(1_000);
    t.sockets.last().open();
    t.sockets.last().receive(welcome(10, []));
    expect(t.connection.presence).toBe("list");
    expect(t.of("welcome")[1]).toMatchObject({ presence: "list", self: { name: "me" } });
  });

  it("drops the typers a switch to summary leaves out of the list, and tells the switch", () => {
    const t = setup();
    const socket = joinSummary(t);
    expect(t.connection.typers.map((m) => m.id)).toEqual([4]);
    socket.receive({ type: "presence", mode: "summary", memberCount: 2_100, members: [member(1)] });
    expect(t.connection.typers).toEqual([]);
    expect(t.of("typing").at(-1)).toEqual({ type: "typing", typers: [] });
    expect(t.connection.members.map((m) => m.id)).toEqual([1, 9]);
    expect(t.connection.memberCount).toBe(2_100);
    expect(t.of("presence").at(-1)?.packet).toMatchObject({ type: "presence", memberCount: 2_100 });
  });
});
