// The SDK's live side beyond the shared spec (clients/spec pins the rules both clients share): the events an app
// gets for typers and states, the checks a state passes before it goes, and our state's own wait after a refusal.

import { describe, expect, it } from "vitest";
import { RoomConnection } from "../../../src/client/connection";
import type { ConnectionEvent } from "../../../src/client/connection-events";
import { OwnState } from "../../../src/client/own-state";
import type { MemberState, RosterMember, ServerPacket } from "../../../src/shared/protocol";
import { FakeClock, LIMITS, socketFactory, welcome } from "./fakes";

function setup(members: RosterMember[] = [{ id: 1, name: "me" }]) {
  const clock = new FakeClock();
  const sockets = socketFactory();
  const events: ConnectionEvent[] = [];
  const connection = new RoomConnection({
    url: "ws://chat.test/rooms/r",
    name: "me",
    createSocket: sockets.create,
    onEvent: (event) => events.push(event),
    clock,
  });
  connection.open();
  const socket = sockets.last();
  socket.open();
  socket.receive({ ...welcome(1, []), members, memberCount: members.length } as ServerPacket);
  const of = <T extends ConnectionEvent["type"]>(type: T) =>
    events.filter((event): event is Extract<ConnectionEvent, { type: T }> => event.type === type);
  return { clock, socket, connection, events, of, sent: () => socket.packets().slice(1) };
}

const ann: RosterMember = { id: 2, name: "ann" };
const bo: RosterMember = { id: 3, name: "bo" };

describe("the typing event", () => {
  it("tells each change with the typers as members, and only changes: a refresh that moves nothing is not told", () => {
    const t = setup([{ id: 1, name: "me" }, ann, bo]);
    t.socket.receive({ type: "signals", typing: [2] });
    t.clock.advance(1000);
    t.socket.receive({ type: "signals", typing: [2] });
    t.socket.receive({ type: "signals", typing: [3] });
    expect(t.of("typing")).toEqual([
      { type: "typing", typers: [ann] },
      { type: "typing", typers: [ann, bo] },
    ]);
    expect(t.connection.typers).toEqual([ann, bo]);
  });

  it("tells a typer's new name, so that a line naming the typers follows a rename", () => {
    const t = setup([{ id: 1, name: "me" }, ann, bo]);
    t.socket.receive({ type: "signals", typing: [2] });
    t.socket.receive({ type: "rename", id: 3, name: "bob", previous: "bo" });
    expect(t.of("typing")).toHaveLength(1);
    t.socket.receive({ type: "rename", id: 2, name: "anna", previous: "ann" });
    expect(t.of("typing").at(-1)).toEqual({ type: "typing", typers: [{ id: 2, name: "anna" }] });
  });
});

describe("members' states", () => {
  it("tells each state a member changed, as the list has it now, vouched fields kept; not one of a stranger", () => {
    const vouched: RosterMember = { id: 2, name: "ann", state: { avatar: "a.png" }, vouched: ["avatar"] };
    const t = setup([{ id: 1, name: "me" }, vouched]);
    t.socket.receive({
      type: "signals",
      states: [
        { id: 2, state: { avatar: "a.png", status: "away" } },
        { id: 9, state: { status: "who?" } },
      ],
    });
    const member = { id: 2, name: "ann", state: { avatar: "a.png", status: "away" }, vouched: ["avatar"] };
    expect(t.of("state")).toEqual([{ type: "state", member }]);
    expect(t.connection.members[1]).toEqual(member);
    t.socket.receive({ type: "signals", states: [{ id: 2, state: {} }] });
    expect(t.connection.members[1]).toEqual({ id: 2, name: "ann", vouched: ["avatar"] });
    expect(t.connection.members[1]).not.toHaveProperty("state");
  });
});

describe("setState", () => {
  it("keeps the state it set, sent or not, for the next join", () => {
    const t = setup();
    expect(t.connection.state).toBeUndefined();
    t.connection.setState({ status: "away" });
    expect(t.connection.state).toEqual({ status: "away" });
    expect(t.sent()).toEqual([{ type: "state", state: { status: "away" } }]);
  });

  it("refuses at once, and never sends or keeps, a state the room would refuse: not an object, too deep, too large", () => {
    const t = setup();
    let deep: MemberState = {};
    for (let i = 0; i < 9; i++) deep = { deep };
    const refused: unknown[] = [[], "away", null, deep, { status: "x".repeat(LIMITS.maxStateBytes) }];
    for (const state of refused) t.connection.setState(state as MemberState);
    expect(t.of("error").map((event) => [event.error.code, event.error.for])).toEqual(
      refused.map(() => ["invalid_state", "state"]),
    );
    expect(t.of("error")[3]!.error.message).toMatch(/^state must nest at most 8/);
    expect(t.sent()).toEqual([]);
    expect(t.connection.state).toBeUndefined();
  });

  it("refuses a field our token vouches for set to another value (the same value is fine), and counts the token's fields in the size", () => {
    const self: RosterMember = { id: 1, name: "me", state: { team: "red", status: "x" }, vouched: ["team"] };
    const t = setup([self]);
    t.connection.setState({ team: "blue" });
    expect(t.of("error").map((event) => event.error.code)).toEqual(["forbidden"]);
    t.connection.setState({ team: "red", status: "ok" });
    expect(t.sent()).toEqual([{ type: "state", state: { team: "red", status: "ok" } }]);
    // Fits alone (500 bytes and the braces), not with the token's team.
    t.connection.setState({ s: "x".repeat(LIMITS.maxStateBytes - 8) });
    expect(t.of("error").map((event) => event.error.code)).toEqual(["forbidden", "invalid_state"]);
  });

  it("after a refusal for now, waits what the room asked before the latest goes, whatever else is paused", () => {
    const clock = new FakeClock();
    let woken = 0;
    const own = new OwnState(clock, () => woken++);
    own.set({ status: "a" });
    own.joining();
    own.welcomed();
    own.set({ status: "b" });
    const packet = own.next(clock.now())!;
    own.went(packet, clock.now(), LIMITS);
    own.refused({ code: "rate_limited", message: "slow down", retryAfterMs: 400, for: "state" }, clock.now());
    expect(woken).toBe(1);
    clock.advance(399);
    expect(own.next(clock.now())).toBeUndefined();
    clock.advance(1);
    expect(own.next(clock.now())).toEqual({ type: "state", state: { status: "b" } });
  });
});
