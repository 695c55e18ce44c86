import { describe, expect, it } from "vitest";
import { readClaims, takeToken, withToken } from "../../../src/client/token";
import { joinedConnection, message, messages } from "./fakes";

const joined = () => joinedConnection(messages(1, 3), { backoff: { baseMs: 1_000, maxMs: 16_000, maxAttempts: 4 } });

describe("removal by the room", () => {
  it("stops reconnecting after a kick, says why, and rejoins only when asked", () => {
    const t = joined();
    t.socket.receive({ type: "error", code: "kicked", message: "a moderator removed you from the room: spam" });
    t.socket.drop(4001);
    expect(t.connection.status).toEqual({
      state: "offline",
      reason: "removed",
      removal: { kind: "kicked", message: "a moderator removed you from the room: spam" },
    });
    // The kick notice is not an error to show under the composer.
    expect(t.events.filter((event) => event.type === "error")).toEqual([]);
    t.clock.advance(60_000);
    expect(t.sockets.sockets).toHaveLength(1);
    t.connection.retryNow();
    expect(t.sockets.sockets).toHaveLength(2);
  });

  it("never reconnects into a ban, even when asked", () => {
    const t = joined();
    t.socket.receive({ type: "error", code: "banned", message: "a moderator banned you from the room" });
    t.socket.drop(4003);
    expect(t.connection.status).toMatchObject({ state: "offline", reason: "removed", removal: { kind: "banned" } });
    t.connection.retryNow();
    t.clock.advance(60_000);
    expect(t.sockets.sockets).toHaveLength(1);
  });

  it("tells of a deleted room by its close code alone, and reconnects after any other close", () => {
    const deleted = joined();
    deleted.socket.drop(4002);
    expect(deleted.connection.status).toMatchObject({
      removal: { kind: "room_deleted", message: "the room was deleted" },
    });
    const dropped = joined();
    // A notice without its close (the connection died first) does not stop the next drop's reconnect.
    dropped.socket.receive({ type: "error", code: "kicked", message: "a moderator removed you from the room" });
    dropped.socket.drop(1006);
    expect(dropped.connection.status).toMatchObject({ state: "reconnecting" });
  });
});

describe("moderation", () => {
  it("sends a moderator's packets, and hands on deletions and the answers to bans", () => {
    const t = joined();
    expect(t.connection.moderate({ type: "delete", seq: 2 })).toBe(true);
    expect(t.socket.packets().at(-1)).toEqual({ type: "delete", seq: 2 });
    t.socket.receive({ type: "deleted", seq: 2, at: 5 });
    t.socket.receive({ type: "banned", id: 4, name: "Troll", user: "u-4" });
    expect(t.events.slice(-3)).toEqual([
      { type: "deleted", seq: 2 },
      { type: "changed", message: { ...message(2), text: "", deleted: true }, change: "deleted" },
      { type: "moderated", packet: { type: "banned", id: 4, name: "Troll", user: "u-4" } },
    ]);
    t.socket.drop();
    expect(t.connection.moderate({ type: "kick", id: 4 })).toBe(false);
  });
});

describe("tokens in the page address", () => {
  const base64url = (value: unknown) =>
    btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
  const jwt = `${base64url({ alg: "HS256" })}.${base64url({ sub: "u-1", name: "Zoë 🎮", role: "moderator", exp: 1 })}.sig`;

  it("takes the token from the fragment, out of the address bar, and keeps it for a reload of the tab", () => {
    const stored = new Map<string, string>();
    const storage = {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => void stored.set(key, value),
    };
    const replaced: string[] = [];
    const history = { replaceState: (_: unknown, __: string, url: string) => void replaced.push(url) };
    const location = { hash: `#token=${jwt}`, pathname: "/rooms/lobby", search: "?x=1" };
    expect(takeToken({ location, history, storage })).toBe(jwt);
    expect(replaced).toEqual(["/rooms/lobby?x=1"]);
    expect(takeToken({ location: { ...location, hash: "" }, history, storage })).toBe(jwt);
    expect(
      takeToken({ location: { ...location, hash: "" }, history, storage: { getItem: () => null, setItem: () => {} } }),
    ).toBeUndefined();
  });

  it("reads the claims it shows, and survives a token it cannot read", () => {
    expect(readClaims(jwt)).toEqual({ sub: "u-1", name: "Zoë 🎮", role: "moderator" });
    expect(readClaims("garbage")).toEqual({});
    expect(withToken("wss://h/rooms/r", "a.b+c")).toBe("wss://h/rooms/r?token=a.b%2Bc");
    expect(withToken("wss://h/rooms/r", undefined)).toBe("wss://h/rooms/r");
  });
});
