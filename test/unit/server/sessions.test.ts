import { describe, expect, it } from "vitest";
import { Sessions } from "../../../src/server/sessions";
import { FakeSocket } from "./fakes";

function room() {
  const sessions = new Sessions<FakeSocket>([]);
  const connect = (id: number) => {
    const socket = new FakeSocket(`#${id}`);
    sessions.open(socket, id);
    return socket;
  };
  return { sessions, connect };
}

describe("Sessions", () => {
  it("lists joined members only, in the order they connected", () => {
    const { sessions, connect } = room();
    const [a, b, c] = [connect(1), connect(2), connect(3)];
    sessions.join(b, "bob", "tutorial");
    sessions.join(a, "ann", "native");
    expect(sessions.size).toBe(3);
    expect(sessions.members()).toEqual([{ id: 1, name: "ann" }, { id: 2, name: "bob" }]);
    expect([...sessions.joined()].map(([socket, session]) => [socket, session.dialect])).toEqual([[a, "native"], [b, "tutorial"]]);
    expect(sessions.get(c)).toEqual({ id: 3, joined: false });
  });

  it("rebuilds every session from the attachments after an eviction, whatever order the runtime returns them in", () => {
    const { sessions, connect } = room();
    const [a, b, c] = [connect(1), connect(2), connect(3)];
    sessions.join(a, "ann", "native");
    sessions.join(c, "cat", "tutorial");
    sessions.rename(a, "annie");

    const rebuilt = new Sessions([c, b, a]);
    expect(rebuilt.members()).toEqual([{ id: 1, name: "annie" }, { id: 3, name: "cat" }]);
    expect(rebuilt.get(b)).toEqual({ id: 2, joined: false });
    expect(rebuilt.get(c)).toEqual({ id: 3, joined: true, name: "cat", dialect: "tutorial" });
  });

  it("hands out a member's leave once, however many ways its connection ends", () => {
    const { sessions, connect } = room();
    const [a, lurker] = [connect(1), connect(2)];
    sessions.join(a, "ann", "native");
    expect(sessions.remove(a)).toEqual({ id: 1, joined: true, name: "ann", dialect: "native" });
    expect(sessions.remove(a)).toBeUndefined();
    expect(sessions.remove(lurker)).toBeUndefined();
    expect(sessions.size).toBe(0);
    expect(sessions.members()).toEqual([]);
  });

  it("marks a connection the room closes itself as gone in its attachment, so a re-created room does not list it", () => {
    const { sessions, connect } = room();
    const [a, flooder] = [connect(1), connect(2)];
    sessions.join(a, "ann", "native");
    sessions.join(flooder, "flooder", "native");
    expect(sessions.retire(flooder)).toMatchObject({ id: 2, name: "flooder" });
    expect(sessions.get(flooder)).toBeUndefined();
    // Its close has not arrived yet, so the runtime still returns its socket to a re-created room.
    const rebuilt = new Sessions([a, flooder]);
    expect(rebuilt.members()).toEqual([{ id: 1, name: "ann" }]);
    expect(rebuilt.size).toBe(1);
    expect(rebuilt.get(flooder)).toBeUndefined();
  });

  it("does not count a retired connection that never joined, after a re-creation either", () => {
    const { sessions, connect } = room();
    const lurker = connect(1);
    expect(sessions.retire(lurker)).toBeUndefined();
    expect(sessions.size).toBe(0);
    expect(new Sessions([lurker]).size).toBe(0);
  });

  it("refuses to join a connection it does not hold, or to rename one that has not joined", () => {
    const { sessions, connect } = room();
    expect(() => sessions.join(new FakeSocket(), "ghost", "native")).toThrow(/does not hold/);
    expect(() => sessions.rename(connect(1), "early")).toThrow(/not joined/);
  });
});
