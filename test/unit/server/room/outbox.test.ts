import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { announceJoins, broadcast, sendPacket } from "../../../../src/server/connections/fan-out";
import { batchBudget } from "../../../../src/server/connections/frame-fit";
import { memberOf } from "../../../../src/server/connections/session";
import { Sessions } from "../../../../src/server/connections/sessions";
import { SIGNALS_WINDOW_MS } from "../../../../src/server/room/live-signals";
import { Outbox, PRESENCE_WINDOW_MS, type StoreLog } from "../../../../src/server/room/outbox";
import type { UnstoredChat } from "../../../../src/server/storage/room-storage";
import type { ChatMessage, Dialect, Member, ServerPacket } from "../../../../src/shared/protocol";
import { DEFAULT_LIMITS } from "../../../../src/shared/protocol";
import { FakeSocket } from "../fakes";

const BATCH_BUDGET = batchBudget(DEFAULT_LIMITS);

/** A room's sessions and outbox, with a store that numbers chats in memory and records each write. */
function room() {
  const sessions = new Sessions<FakeSocket>([]);
  const writes: UnstoredChat[][] = [];
  let seq = 0;
  let failNext = false;
  const store: StoreLog = (entries) => {
    if (failNext) {
      failNext = false;
      throw new Error("disk full");
    }
    const chats = entries.flatMap((entry) => (entry.kind === "chat" ? [entry.chat] : []));
    writes.push(chats);
    return chats.map(({ ts, sender, text }, of) => ({
      to: "all" as const,
      of,
      packet: { type: "chat" as const, ...({ seq: ++seq, ts, sender, text } as ChatMessage) },
    }));
  };
  // A room of one object: everyone it announces to is on its own sockets.
  const audience = {
    broadcast: (packet: ServerPacket) => broadcast(sessions.joined(), packet),
    announceJoins: (joins: { member: Member; socket: FakeSocket }[]) =>
      announceJoins(sessions.joined(), joins, BATCH_BUDGET),
    tell: (socket: FakeSocket, dialect: Dialect, packet: ServerPacket) => sendPacket(socket, dialect, packet),
  };
  const outbox = new Outbox(sessions, audience, store, BATCH_BUDGET, DEFAULT_LIMITS);
  let nextId = 1;
  /** Connects and joins a member as the room does: the welcome comes after what the outbox had to deliver. */
  const join = (name: string, dialect: Dialect = "native") => {
    const socket = new FakeSocket(name);
    sessions.open(socket, 0);
    outbox.flushBeforeWelcome();
    const session = sessions.join(socket, { id: nextId++, name: name, dialect: dialect });
    outbox.join(memberOf(session), socket);
    return { socket, member: memberOf(session) };
  };
  const say = (from: { socket: FakeSocket; member: { id: number; name: string } }, text: string) =>
    outbox.chat({ ts: 0, sender: from.member, text }, from.socket);
  const leave = (who: { socket: FakeSocket }) => {
    const session = sessions.remove(who.socket);
    if (session) outbox.leave(memberOf(session));
  };
  return { sessions, outbox, writes, join, say, leave, failNextWrite: () => (failNext = true) };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("Outbox", () => {
  it("stores the chats of one burst in one write, then broadcasts them in sequence order to every member's dialect", () => {
    const r = room();
    const ann = r.join("ann");
    const godot = r.join("godot", "tutorial");
    vi.advanceTimersByTime(PRESENCE_WINDOW_MS);
    const before = ann.socket.frames.length;
    r.say(ann, "one");
    r.say(godot, "two");
    expect(ann.socket.frames).toHaveLength(before); // not before the zero-delay timer
    vi.advanceTimersByTime(0);
    expect(r.writes.map((write) => write.map((chat) => chat.text))).toEqual([["one", "two"]]);
    expect(ann.socket.packets().slice(before)).toEqual([
      { type: "chat", seq: 1, ts: 0, sender: ann.member, text: "one" },
      { type: "chat", seq: 2, ts: 0, sender: godot.member, text: "two" },
    ]);
    expect(
      godot.socket
        .packets()
        .filter((p) => p.type === "chat_message")
        .map((p) => [p.seq, p.name, p.message]),
    ).toEqual([
      [1, "ann", "one"],
      [2, "godot", "two"],
    ]);
  });

  it("announces presence before any chat sent after it, and chats sent before a leave before the leave", () => {
    const r = room();
    const ann = r.join("ann");
    const bob = r.join("bob");
    vi.advanceTimersByTime(PRESENCE_WINDOW_MS);
    const cat = r.join("cat"); // inside no window: announced at once
    r.say(cat, "hi from cat");
    r.say(bob, "bye from bob");
    r.leave(bob);
    r.say(ann, "after bob");
    vi.runAllTimers();
    const seen = ann.socket
      .packets()
      .slice(2)
      .map((p) => (p.type === "chat" ? p.text : `${p.type} ${p.name}`));
    expect(seen).toEqual(["join cat", "hi from cat", "bye from bob", "leave bob", "after bob"]);
  });

  it("announces a rename before the chats that carry the new name", () => {
    const r = room();
    const ann = r.join("ann");
    vi.advanceTimersByTime(PRESENCE_WINDOW_MS);
    r.say(ann, "as ann");
    const renamed = memberOf(r.sessions.rename(ann.socket, "annie"));
    r.outbox.announce({ type: "rename", ...renamed, previous: "ann" });
    r.say({ socket: ann.socket, member: renamed }, "as annie");
    vi.runAllTimers();
    expect(
      ann.socket
        .packets()
        .slice(1)
        .map((p) => [p.type, p.sender ?? p.previous]),
    ).toEqual([
      ["chat", { id: 1, name: "ann" }],
      ["rename", "ann"],
      ["chat", { id: 1, name: "annie" }],
    ]);
  });

  it("gathers a burst of joins into one frame per member, each hearing its own join and the later ones", () => {
    const r = room();
    const first = r.join("first"); // a calm room: announced at once
    expect(first.socket.types()).toEqual(["join"]);
    const burst = ["b1", "b2", "b3"].map((name) => r.join(name));
    for (const { socket } of [first, ...burst]) expect(socket.frames.length).toBeLessThanOrEqual(1);
    vi.advanceTimersByTime(PRESENCE_WINDOW_MS);
    const names = (socket: FakeSocket) =>
      socket
        .packets()
        .flatMap((p) =>
          p.type === "joins" ? (p.members as { name: string }[]).map((m) => m.name) : p.type === "join" ? [p.name] : [],
        );
    expect(names(first.socket)).toEqual(["first", "b1", "b2", "b3"]);
    expect(first.socket.types()).toEqual(["join", "joins"]);
    expect(names(burst[0]!.socket)).toEqual(["b1", "b2", "b3"]);
    expect(names(burst[2]!.socket)).toEqual(["b3"]);
    expect(vi.getTimerCount()).toBe(0); // nothing keeps an idle room awake
  });

  it("never announces a member that leaves before its join went out, unless someone joined after it", () => {
    const r = room();
    const ann = r.join("ann"); // a calm room: announced at once
    const churner = r.join("churner"); // within ann's window: waits
    r.leave(churner);
    const stayer = r.join("stayer");
    const witness = r.join("witness"); // its welcome lists stayer
    r.leave(stayer);
    vi.runAllTimers();
    const announced = (socket: FakeSocket) =>
      socket
        .packets()
        .map((p) => [
          p.type,
          ...(p.type === "joins" || p.type === "leaves"
            ? (p.members as { name: string }[]).map((m) => m.name)
            : [p.name]),
        ]);
    expect(announced(ann.socket)).toEqual([
      ["join", "ann"],
      ["joins", "stayer", "witness"],
      ["leave", "stayer"],
    ]);
    expect(witness.socket.types()).toEqual(["join", "leave"]);
  });

  it("before a welcome delivers pending chats and leaves, but keeps an open batch of joins open for the newcomer", () => {
    const r = room();
    const ann = r.join("ann");
    const bob = r.join("bob"); // within ann's window: waits
    r.say(ann, "pending");
    vi.advanceTimersByTime(0); // the chat forces bob's join out first
    expect(ann.socket.packets().map((p) => (p.type === "chat" ? p.text : p.name))).toEqual(["ann", "bob", "pending"]);

    r.leave(bob); // within the window again: waits
    const cat = r.join("cat");
    // The leave went out before cat's welcome, so cat, whose welcome does not list bob, never hears of it.
    expect(ann.socket.types().slice(3)).toEqual(["leave"]);
    expect(cat.socket.types()).toEqual([]);
    const dan = r.join("dan"); // cat's join is still open: dan joins that batch
    expect(ann.socket.types().slice(4)).toEqual([]);
    vi.runAllTimers();
    expect(ann.socket.packets().at(-1)).toMatchObject({ type: "joins", members: [{ name: "cat" }, { name: "dan" }] });
    expect(dan.socket.packets()).toEqual([{ type: "join", ...dan.member }]);
    expect(cat.socket.types()).toEqual(["joins"]);
  });

  it("tells every sender when a write fails, tells the others nothing, and goes on with the next burst", () => {
    const r = room();
    const ann = r.join("ann");
    const bob = r.join("bob", "tutorial");
    const cat = r.join("cat");
    vi.runAllTimers();
    const before = cat.socket.frames.length;
    vi.spyOn(console, "error").mockImplementation(() => {});
    r.failNextWrite();
    r.say(ann, "lost");
    r.say(bob, "lost too");
    vi.runAllTimers();
    expect(ann.socket.packets().at(-1)).toMatchObject({ type: "error", code: "internal_error" });
    expect(bob.socket.packets().at(-1)).toMatchObject({ type: "server_message", code: "internal_error" });
    expect(cat.socket.frames).toHaveLength(before);
    r.say(ann, "again");
    vi.runAllTimers();
    expect(cat.socket.packets().at(-1)).toMatchObject({ type: "chat", seq: 1, text: "again" });
  });

  it("goes on broadcasting to everyone else when one member's socket fails", () => {
    const r = room();
    const ann = r.join("ann");
    const closing = r.join("closing");
    const cat = r.join("cat");
    vi.runAllTimers();
    closing.socket.broken = true;
    r.say(ann, "still delivered");
    vi.runAllTimers();
    expect(cat.socket.packets().at(-1)).toMatchObject({ type: "chat", text: "still delivered" });
  });
});

describe("Outbox: live signals", () => {
  const signalsHeard = (socket: FakeSocket) => socket.packets().filter((p) => p.type === "signals");

  it("takes 1,000 typing signals in a second with no write, one frame per window, and no timer left after", () => {
    const r = room();
    const ann = r.join("ann");
    const bob = r.join("bob");
    vi.advanceTimersByTime(SIGNALS_WINDOW_MS);
    let timersSet = 0;
    const setTimer = globalThis.setTimeout;
    const counting = ((...args: Parameters<typeof setTimeout>) => {
      timersSet++;
      return setTimer(...args);
    }) as typeof setTimeout;
    vi.stubGlobal("setTimeout", counting);
    for (let i = 0; i < 1000; i++) {
      r.outbox.typed(bob.member.id, i % 2 === 0, Date.now());
      vi.advanceTimersByTime(1);
    }
    vi.unstubAllGlobals();
    vi.advanceTimersByTime(SIGNALS_WINDOW_MS);
    expect(r.writes).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    // The first signal goes at once; the rest wait out windows: one timer each, and one frame each.
    expect(timersSet).toBe(2);
    expect(signalsHeard(ann.socket)).toEqual([
      { type: "signals", typing: [bob.member.id] },
      { type: "signals", stopped: [bob.member.id] },
      { type: "signals", stopped: [bob.member.id] },
    ]);
  });

  it("names a member only after its join and never after its leave, and drops a start its sender's chat made stale", () => {
    const r = room();
    const ann = r.join("ann");
    const bob = r.join("bob");
    vi.advanceTimersByTime(SIGNALS_WINDOW_MS);
    const cat = r.join("cat"); // announced at once: it opens the window of joins
    const dan = r.join("dan"); // waits in that window...
    r.outbox.typed(dan.member.id, true, Date.now()); // ...and so does what it says
    r.outbox.typed(bob.member.id, true, Date.now());
    r.leave(bob);
    r.outbox.typed(cat.member.id, true, Date.now());
    // As the room does with a chat: its sender's typing is over.
    r.outbox.chatted(cat.member.id);
    r.say(cat, "cat's chat");
    vi.runAllTimers();
    const seen = ann.socket
      .packets()
      .slice(2)
      .map((p) => (p.type === "signals" ? `typing ${p.typing}` : p.type === "chat" ? p.text : `${p.type} ${p.name}`));
    expect(seen).toEqual(["join cat", "join dan", "leave bob", "cat's chat", `typing ${dan.member.id}`]);
    // The tutorial's client hears none of it.
    const godot = r.join("godot", "tutorial");
    vi.advanceTimersByTime(SIGNALS_WINDOW_MS);
    const heardBefore = godot.socket.frames.length;
    r.outbox.typed(ann.member.id, true, Date.now());
    r.outbox.stateChanged(ann.member.id, { status: "away" });
    vi.runAllTimers();
    expect(godot.socket.packets().slice(heardBefore)).toEqual([]);
    // Past a quiet window, a signal goes at once; the next waits out the window that it opened.
    expect(signalsHeard(dan.socket).slice(-2)).toEqual([
      { type: "signals", typing: [ann.member.id] },
      { type: "signals", states: [{ id: ann.member.id, state: { status: "away" } }] },
    ]);
  });
});
