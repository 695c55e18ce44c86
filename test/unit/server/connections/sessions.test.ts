import { describe, expect, it } from "vitest";
import { authorOf } from "../../../../src/server/connections/session";
import { Sessions } from "../../../../src/server/connections/sessions";
import { FakeSocket } from "../fakes";

function room() {
  const sessions = new Sessions<FakeSocket>([]);
  const connect = (openedAt: number) => {
    const socket = new FakeSocket(`opened at ${openedAt}`);
    sessions.open(socket, openedAt);
    return socket;
  };
  return { sessions, connect };
}

describe("Sessions", () => {
  it("passes a membership on through resume keys, and keeps each connection's key its own", () => {
    const { sessions, connect } = room();
    const first = sessions.join(connect(100), { id: 1, name: "ann", dialect: "native" });
    const resumed = sessions.join(connect(200), { id: 2, name: "ann", dialect: "native" }, first.resumeKey);
    const again = sessions.join(connect(300), { id: 3, name: "ann", dialect: "native" }, resumed.resumeKey);
    const fresh = sessions.join(connect(400), { id: 4, name: "bo", dialect: "native" });
    for (const key of [first, resumed, again, fresh].map((session) => session.resumeKey))
      expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set([first, resumed, again, fresh].map((session) => session.resumeKey)).size).toBe(4);
    expect(authorOf(resumed)).toBe(authorOf(first));
    expect(authorOf(again)).toBe(authorOf(first));
    expect(authorOf(fresh)).not.toBe(authorOf(first));
    // A verified member is its user, whatever its connection.
    const verified = {
      joined: true as const,
      id: 5,
      name: "kim",
      dialect: "native" as const,
      resumeKey: fresh.resumeKey,
      identity: { user: "u-1", name: "kim", role: "member" as const, exp: 2e9 },
    };
    expect(authorOf(verified)).toBe("user:u-1");
  });

  it("lists joined members only; a connection gets its id when it joins", () => {
    const { sessions, connect } = room();
    const [a, b, c] = [connect(100), connect(200), connect(300)];
    sessions.join(a, { id: 1, name: "ann", dialect: "native" });
    sessions.join(b, { id: 2, name: "bob", dialect: "tutorial" });
    expect(sessions.size).toBe(3);
    expect(sessions.membersAfter(0, 100).members).toEqual([
      { id: 1, name: "ann" },
      { id: 2, name: "bob" },
    ]);
    expect([...sessions.joinedHere()].map(([socket, session]) => [socket, session.dialect])).toEqual([
      [a, "native"],
      [b, "tutorial"],
    ]);
    expect(sessions.get(c)).toEqual({ joined: false, openedAt: 300 });
    expect([...sessions.unjoined()]).toEqual([[c, 300]]);
  });

  it("rebuilds every session from the attachments after an eviction, whatever order the runtime returns them in", () => {
    const { sessions, connect } = room();
    const [a, b, c] = [connect(100), connect(200), connect(300)];
    sessions.join(a, { id: 1, name: "ann", dialect: "native" });
    sessions.join(c, { id: 3, name: "cat", dialect: "tutorial" });
    sessions.rename(a, "annie");

    const rebuilt = new Sessions([c, b, a]);
    expect(rebuilt.membersAfter(0, 100).members).toEqual([
      { id: 1, name: "annie" },
      { id: 3, name: "cat" },
    ]);
    expect(rebuilt.get(b)).toEqual({ joined: false, openedAt: 200 });
    expect(rebuilt.get(c)).toEqual({
      id: 3,
      joined: true,
      name: "cat",
      dialect: "tutorial",
      resumeKey: expect.any(String),
    });
  });

  it("hands out a member's leave once, however many ways its connection ends", () => {
    const { sessions, connect } = room();
    const [a, lurker] = [connect(100), connect(200)];
    sessions.join(a, { id: 1, name: "ann", dialect: "native" });
    expect(sessions.remove(a)).toEqual({
      id: 1,
      joined: true,
      name: "ann",
      dialect: "native",
      resumeKey: expect.any(String),
    });
    expect(sessions.remove(a)).toBeUndefined();
    expect(sessions.remove(lurker)).toBeUndefined();
    expect(sessions.size).toBe(0);
    expect(sessions.membersAfter(0, 100).members).toEqual([]);
  });

  it("marks a connection the room closes itself as gone in its attachment, so a re-created room does not list it", () => {
    const { sessions, connect } = room();
    const [a, flooder] = [connect(100), connect(200)];
    sessions.join(a, { id: 1, name: "ann", dialect: "native" });
    sessions.join(flooder, { id: 2, name: "flooder", dialect: "native" });
    expect(sessions.retire(flooder)).toMatchObject({ id: 2, name: "flooder" });
    expect(sessions.get(flooder)).toBeUndefined();
    // Its close has not arrived yet, so the runtime still returns its socket to a re-created room.
    const rebuilt = new Sessions([a, flooder]);
    expect(rebuilt.membersAfter(0, 100).members).toEqual([{ id: 1, name: "ann" }]);
    expect(rebuilt.size).toBe(1);
    expect(rebuilt.get(flooder)).toBeUndefined();
  });

  it("does not count a retired connection that never joined, after a re-creation either", () => {
    const { sessions, connect } = room();
    const lurker = connect(100);
    expect(sessions.retire(lurker)).toBeUndefined();
    expect(sessions.size).toBe(0);
    expect(new Sessions([lurker]).size).toBe(0);
  });

  it("counts a retired connection against its address until the runtime reports it gone, after a re-creation too", () => {
    const sessions = new Sessions<FakeSocket>([]);
    const [lurker, member] = [new FakeSocket("lurker"), new FakeSocket("member")];
    sessions.open(lurker, 100, { address: "192.0.2.1" });
    sessions.open(member, 100, { address: "192.0.2.1" });
    sessions.join(member, { id: 1, name: "ann", dialect: "native" });
    expect(sessions.retire(lurker)).toBeUndefined();
    expect(sessions.retire(member)).toMatchObject({ id: 1 });
    expect(sessions.size).toBe(0);
    expect(sessions.connectionsFrom("192.0.2.1")).toBe(2);

    // Its peer never answered the close, and the room was evicted meanwhile: the sockets still count.
    const rebuilt = new Sessions([lurker, member]);
    expect(rebuilt.size).toBe(0);
    expect(rebuilt.membersAfter(0, 100).members).toEqual([]);
    expect(rebuilt.connectionsFrom("192.0.2.1")).toBe(2);
    expect(rebuilt.remove(lurker)).toBeUndefined();
    expect(rebuilt.remove(member)).toBeUndefined();
    expect(rebuilt.connectionsFrom("192.0.2.1")).toBe(0);
    expect(rebuilt.remove(member)).toBeUndefined();
    expect(rebuilt.connectionsFrom("192.0.2.1")).toBe(0);
  });

  it("refuses to join a connection it does not hold, or to rename one that has not joined", () => {
    const { sessions, connect } = room();
    expect(() => sessions.join(new FakeSocket(), { id: 1, name: "ghost", dialect: "native" })).toThrow(/does not hold/);
    expect(() => sessions.rename(connect(100), "early")).toThrow(/not joined/);
  });

  it("lets a name be claimed once per room, by its look-alikes too, but twice by one verified user", () => {
    const { sessions, connect } = room();
    const [ann, other, alice1, alice2, mallory] = [connect(1), connect(2), connect(3), connect(4), connect(5)];
    sessions.join(ann, { id: 1, name: "Ann", dialect: "native" });
    expect(sessions.claim(other, "ann")).toEqual({ free: false });
    expect(sessions.claim(other, "ＡＮＮ")).toEqual({ free: false });
    expect(sessions.claim(ann, "ann")).toEqual({ free: true, squatters: [] });
    expect(sessions.claim(other, "bob")).toEqual({ free: true, squatters: [] });

    const alice = { user: "u-1", name: "Alice", role: "member", exp: 2e9 } as const;
    for (const socket of [alice1, alice2]) sessions.open(socket, 3, { identity: alice });
    sessions.open(mallory, 5, { identity: { ...alice, user: "u-2" } });
    sessions.join(alice1, { id: 2, name: "Alice", dialect: "native" });
    expect(sessions.claim(alice2, "Alice")).toEqual({ free: true, squatters: [] });
    expect(sessions.claim(mallory, "Alice")).toEqual({ free: false });
  });

  it("gives a verified member its name: the anonymous holders of it are squatters", () => {
    const { sessions, connect } = room();
    const [guest, other, alice] = [connect(1), connect(2), connect(3)];
    sessions.join(guest, { id: 1, name: "ALİCE", dialect: "tutorial" });
    sessions.open(alice, 3, { identity: { user: "u-1", name: "Alice", role: "member", exp: 9e9 } });
    expect(sessions.claim(alice, "Alice")).toEqual({ free: true, squatters: [guest] });
    expect(sessions.claim(other, "Alice")).toEqual({ free: false });
    expect(sessions.holds("alice")).toBe(true);
    expect(sessions.holds("bob")).toBe(false);
  });
});
