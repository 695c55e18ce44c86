// The admin API: moderation over HTTP for whoever bears ADMIN_TOKEN ("admin-token-of-the-worker-pool" in this pool,
// vitest.config.ts), and no such routes at all without it.

import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../src/server/front-door/worker";
import { connect, joinNative, type Packet, token, UPGRADE, uniqueRoom } from "../client";

const BEARER = { Authorization: "Bearer admin-token-of-the-worker-pool" };

const admin = (room: string, action: string, body: unknown, headers: Record<string, string> = BEARER) =>
  SELF.fetch(`http://rooms.test/api/rooms/${room}/${action}`, {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

describe("admin API", () => {
  it("does not exist without ADMIN_TOKEN", async () => {
    const unset = { ...env, ADMIN_TOKEN: undefined };
    for (const [method, path] of [
      ["POST", "/api/rooms/x/kick"],
      ["DELETE", "/api/rooms/x"],
    ] as const) {
      const response = await worker.fetch(
        new Request(`http://rooms.test${path}`, { method, headers: BEARER, body: "{}" }),
        unset,
      );
      expect(response.status).toBe(404);
    }
    // The public view of a room stays.
    expect((await worker.fetch(new Request("http://rooms.test/api/rooms/x"), unset)).status).toBe(200);
  });

  it("answers 401 without the token or with a wrong one, 405 to a GET, 404 to an unknown action", async () => {
    const room = uniqueRoom("admin-auth");
    for (const headers of [
      {},
      { Authorization: "Bearer wrong" },
      { Authorization: "admin-token-of-the-worker-pool" },
    ] as Record<string, string>[]) {
      const response = await admin(room, "kick", { id: 1 }, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get("WWW-Authenticate")).toContain("Bearer");
      expect(await response.json()).toMatchObject({ error: "unauthorized" });
      expect((await SELF.fetch(`http://rooms.test/api/rooms/${room}`, { method: "DELETE", headers })).status).toBe(401);
    }
    const get = await SELF.fetch(`http://rooms.test/api/rooms/${room}/kick`, { headers: BEARER });
    expect(get.status).toBe(405);
    expect(get.headers.get("Allow")).toBe("POST");
    expect((await admin(room, "explode", {})).status).toBe(404);
    expect((await admin(room, "kick/more", {})).status).toBe(404);
  });

  it("refuses a body that is not a valid action before the room is reached", async () => {
    const room = uniqueRoom("admin-body");
    const cases: [BodyInit, number, string][] = [
      ["not json", 400, "invalid_json"],
      ["[1]", 400, "invalid_packet"],
      [JSON.stringify({ id: "x" }), 400, "invalid_field"],
      [JSON.stringify({ id: 1, reason: "x".repeat(5000) }), 413, "too_large"],
    ];
    for (const [body, status, error] of cases) {
      const response = await SELF.fetch(`http://rooms.test/api/rooms/${room}/kick`, {
        method: "POST",
        headers: BEARER,
        body,
      });
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ error });
    }
    // Without a Content-Length too: the body is read no further than the bound.
    const streamed = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode(" ".repeat(1000)));
        controller.close();
      },
    });
    const response = await SELF.fetch(`http://rooms.test/api/rooms/${room}/kick`, {
      method: "POST",
      headers: BEARER,
      body: streamed,
    });
    expect(response.status).toBe(413);
    expect((await env.ROOMS.getByName(room).info()).connections).toBe(0);
  });

  it("kicks, bans by user, unbans and deletes, moderators included, answering 404 for what is not there", async () => {
    const room = uniqueRoom("admin-acts");
    const modPath = `/rooms/${room}?token=${await token({ sub: "mod", name: "Mod", role: "moderator" })}`;
    const moderator = await connect(modPath);
    moderator.send({ type: "join", name: "x" });
    const modId = (await moderator.nextOfType("welcome")).id as number;
    const { client: watcher } = await joinNative(room, "watcher");

    const kicked = await admin(room, "kick", { id: modId, reason: "rogue moderator" });
    expect(kicked.status).toBe(200);
    expect(await kicked.json()).toEqual({ ok: true });
    expect(await moderator.closed).toBe(4001);
    expect(await watcher.next((p) => p.type === "leave")).toMatchObject({ id: modId, reason: "kicked" });
    expect((await admin(room, "kick", { id: modId })).status).toBe(404);

    // A user who is not here can be banned ahead of time.
    const banned = await admin(room, "ban", { user: "mod", minutes: 30 });
    expect(banned.status).toBe(200);
    expect(await banned.json()).toMatchObject({ ok: true, type: "banned", user: "mod", until: expect.any(Number) });
    expect((await SELF.fetch(`http://rooms.test${modPath}`, { headers: UPGRADE })).status).toBe(403);
    expect(await (await admin(room, "unban", { user: "mod" })).json()).toEqual({
      ok: true,
      type: "unbanned",
      user: "mod",
    });
    expect((await admin(room, "unban", { user: "mod" })).status).toBe(404);

    watcher.send({ type: "chat", text: "to be deleted" });
    const { seq } = await watcher.nextOfType("chat");
    expect((await admin(room, "delete", { seq })).status).toBe(200);
    expect(await watcher.nextOfType("deleted")).toEqual({ type: "deleted", seq, at: (seq as number) + 1 });
    expect((await admin(room, "delete", { seq: 12345 })).status).toBe(404);
  });

  it("wipes a room: everyone closed with 4002, history and bans gone, and the room keeps nothing", async () => {
    const room = uniqueRoom("admin-wipe");
    const { client: ann } = await joinNative(room, "ann");
    ann.send({ type: "chat", text: "soon gone" });
    await ann.nextOfType("chat");
    expect((await admin(room, "ban", { user: "someone" })).status).toBe(200);

    const wiped = await SELF.fetch(`http://rooms.test/api/rooms/${room}`, { method: "DELETE", headers: BEARER });
    expect(wiped.status).toBe(200);
    expect(await ann.closed).toBe(4002);
    expect(await (await SELF.fetch(`http://rooms.test/api/rooms/${room}`)).json()).toMatchObject({
      members: [],
      lastSeq: 0,
      connections: 0,
    });
    const tables = await runInDurableObject(env.ROOMS.getByName(room), (_, state) =>
      state.storage.sql.exec(`SELECT name FROM sqlite_master WHERE name IN ('messages', 'bans', 'counters')`).toArray(),
    );
    expect(tables).toEqual([]);
    const { welcome } = await joinNative(room, "after");
    expect(welcome.history as Packet[]).toEqual([]);
    expect((await admin(room, "unban", { user: "someone" })).status).toBe(404);
  });
});
