// Tokens: the Worker verifies them before any room is reached; a verified member's name and user id are its token's.
// This pool signs with AUTH_SECRET = "test-secret-of-the-worker-pool" (vitest.config.ts) and leaves ROOM_ACCESS open.

import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../src/server/front-door/worker";
import { connect, joinNative, type Packet, storedBy, token, UPGRADE, uniqueRoom } from "../client";

const upgrade = (path: string) => SELF.fetch(`http://rooms.test${path}`, { headers: UPGRADE });

describe("tokens", () => {
  it("makes a member with a valid token the token's user, under the token's name, verified for all to see", async () => {
    const room = uniqueRoom("verified");
    const { client: ann } = await joinNative(room, "ann");
    const alice = await connect(`/rooms/${room}?token=${await token({ sub: "u-1", name: "Alice" })}`);
    alice.send({ type: "join", name: "whatever I type" });
    const welcome = await alice.nextOfType("welcome");
    expect(welcome).toMatchObject({ name: "Alice" });
    expect((welcome.members as Packet[]).find((m) => m.id === welcome.id)).toEqual({
      id: welcome.id,
      name: "Alice",
      user: "u-1",
      verified: true,
    });
    expect(await ann.next((p) => p.type === "join" && p.name === "Alice")).toEqual({
      type: "join",
      id: welcome.id,
      name: "Alice",
      user: "u-1",
      verified: true,
    });
    alice.send({ type: "rename", name: "Mallory" });
    expect(await alice.nextOfType("error")).toMatchObject({ code: "forbidden" });
  });

  it.each([
    [
      "a wrong signature",
      async () => token({ sub: "u", name: "N" }, { secret: new TextEncoder().encode("another secret") }),
      401,
      "invalid_token",
    ],
    [
      "no signature (alg none)",
      async () =>
        `${btoa(JSON.stringify({ alg: "none" }))}.${btoa(JSON.stringify({ sub: "u", name: "N", exp: 9e9 }))}.`,
      401,
      "invalid_token",
    ],
    ["garbage", async () => "not-a-token", 401, "invalid_token"],
    ["a bad name", async () => token({ sub: "u", name: "Admin(#1)" }), 401, "invalid_token"],
    ["a bad role", async () => token({ sub: "u", name: "N", role: "admin" }), 401, "invalid_token"],
    ["an expiry past the skew", async () => token({ sub: "u", name: "N" }, { expiresIn: -120 }), 401, "token_expired"],
    [
      "an iat in the future, past the skew",
      async () => token({ sub: "u", name: "N", iat: Math.floor(Date.now() / 1000) + 600 }),
      401,
      "invalid_token",
    ],
    // MAX_TOKEN_LIFE_SECONDS is a day by default: a token must not be good for longer, leaked or not.
    [
      "an exp further than the longest token life",
      async () => token({ sub: "u", name: "N" }, { expiresIn: 2 * 24 * 3600 }),
      401,
      "invalid_token",
    ],
    [
      "rooms that leave this one out",
      async () => token({ sub: "u", name: "N", rooms: ["elsewhere"] }),
      403,
      "room_not_allowed",
    ],
  ])("refuses a token with %s in the Worker", async (_, make, status, error) => {
    const room = uniqueRoom("refused");
    const response = await upgrade(`/rooms/${room}?token=${encodeURIComponent(await make())}`);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error });
    // The room was never reached: it has no connection, and nothing was written, no table and no alarm.
    expect((await env.ROOMS.getByName(room).info()).connections).toBe(0);
    expect(await storedBy(room)).toEqual({ tables: [], alarm: null });
  });

  it("accepts a token expired within the 60 s of clock skew, and one that admits this room", async () => {
    const room = uniqueRoom("skew");
    const late = await token({ sub: "u-2", name: "Late", rooms: [room] }, { expiresIn: -30 });
    expect((await upgrade(`/rooms/${room}?token=${late}`)).status).toBe(101);
    // Issued a little ahead of this server's clock, and good for the longest token life: both within the rules.
    const ahead = await token(
      { sub: "u-2", name: "Ahead", iat: Math.floor(Date.now() / 1000) + 30 },
      { expiresIn: 24 * 3600 },
    );
    expect((await upgrade(`/rooms/${room}?token=${ahead}`)).status).toBe(101);
  });

  it("never takes an identity from a client's own header", async () => {
    const room = uniqueRoom("spoof");
    const forged = JSON.stringify({ user: "u-admin", name: "Admin", role: "moderator" });
    const client = await connect(`/rooms/${room}`, undefined, { "X-Edge-Chat-Identity": forged });
    client.send({ type: "join", name: "eve" });
    const welcome = await client.nextOfType("welcome");
    expect(welcome.name).toBe("eve");
    expect((welcome.members as Packet[])[0]).toEqual({ id: welcome.id, name: "eve", guest: true });
  });

  it("keeps a verified user's name from anyone else, and lets the same user in twice", async () => {
    const room = uniqueRoom("verified-name");
    const alice = `/rooms/${room}?token=${await token({ sub: "u-3", name: "Alice" })}`;
    const first = await connect(alice);
    first.send({ type: "join", name: "x" });
    await first.nextOfType("welcome");
    const impostor = await connect(`/rooms/${room}`);
    impostor.send({ type: "join", name: "alice" });
    expect(await impostor.nextOfType("error")).toMatchObject({ code: "name_taken" });
    const secondTab = await connect(alice);
    secondTab.send({ type: "join", name: "x" });
    expect(await secondTab.nextOfType("welcome")).toMatchObject({ name: "Alice" });
  });

  it("admits only connections with a token when ROOM_ACCESS is token", async () => {
    const closed = { ...env, ROOM_ACCESS: "token" };
    const room = uniqueRoom("closed");
    const without = await worker.fetch(new Request(`http://rooms.test/rooms/${room}`, { headers: UPGRADE }), closed);
    expect(without.status).toBe(401);
    expect(await without.json()).toMatchObject({ error: "invalid_token" });
    const withToken = await worker.fetch(
      new Request(`http://rooms.test/rooms/${room}?token=${await token({ sub: "u-4", name: "Member" })}`, {
        headers: UPGRADE,
      }),
      closed,
    );
    expect(withToken.status).toBe(101);
    withToken.webSocket?.accept();
    withToken.webSocket?.close(1000);
  });
});
