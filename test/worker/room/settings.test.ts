// A room's own settings (slow mode, listing, title), as members see them: a moderator's `settings` packet or the
// admin API changes them, everyone hears the change, a newcomer's welcome carries them, and they outlive a restart.
// Slow mode refuses a member's chat sooner than its seconds after the last one, with how long to wait, however the
// member reconnects; moderators and the game's backend are exempt. In the worker-sharded project the third member of
// a room is on a shard.

import { abortAllDurableObjects, env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RoomSettings } from "../../../src/shared/protocol";
import { type Client, connect, joinTutorial, type Packet, sleep, token, uniqueRoom, upToMarker } from "../client";

const DEFAULTS = { slowModeSeconds: 0, listed: false };

/** Joins `room` with a token for these claims, or anonymously; from `address` if given. */
async function member(room: string, name: string, options: { sub?: string; role?: string; address?: string } = {}) {
  const { sub, role, address } = options;
  const query = sub === undefined ? "" : `?token=${await token({ sub, name, ...(role && { role }) })}`;
  const client = await connect(`/rooms/${room}${query}`, address);
  client.send({ type: "join", name });
  return { client, welcome: await client.nextOfType("welcome") };
}

const moderator = (room: string, name = "Mod") => member(room, name, { sub: `mod-${name}`, role: "moderator" });

/** Changes room `room`'s settings through the admin API; its answer. */
const adminSettings = (room: string, body: unknown) =>
  SELF.fetch(`http://rooms.test/api/rooms/${room}/settings`, {
    method: "POST",
    headers: { Authorization: "Bearer admin-token-of-the-worker-pool", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

const isSettings = (p: Packet) => p.type === "settings";

/** How many rows room `room` keeps for its settings. */
const settingsRows = (room: string) =>
  runInDurableObject(
    env.ROOMS.getByName(room),
    (_, state) => state.storage.sql.exec(`SELECT 1 FROM room_settings`).toArray().length,
  );

/** Sends a chat; resolves with its echo, or the error that refused it. */
async function chat(client: Client, text: string, cid?: string): Promise<Packet> {
  client.send({ type: "chat", text, ...(cid && { cid }) });
  return client.next((p) => (p.type === "chat" && p.text === text) || (p.type === "error" && p.for === "chat"));
}

describe("room settings", () => {
  it("are the defaults in a new room's welcome", async () => {
    const { welcome } = await member(uniqueRoom("settings-new"), "ann");
    expect(welcome.settings).toEqual(DEFAULTS);
  });

  it("change by a moderator's packet, and everyone hears all of them with what changed", async () => {
    const room = uniqueRoom("settings-packet");
    const mod = await moderator(room);
    const ann = await member(room, "ann");
    const bob = await member(room, "bob", { sub: "u-bob" });
    mod.client.send({ type: "settings", slowModeSeconds: 10, title: "  Friday night  " });
    const told = { type: "settings", settings: { slowModeSeconds: 10, listed: false, title: "Friday night" } };
    for (const { client } of [mod, ann, bob]) {
      expect(await client.next(isSettings)).toEqual({ ...told, changed: ["slowModeSeconds", "title"] });
    }
    // Only what differs is changed; the rest stays.
    mod.client.send({ type: "settings", slowModeSeconds: 10, listed: true });
    expect(await ann.client.next(isSettings)).toEqual({
      type: "settings",
      settings: { slowModeSeconds: 10, listed: true, title: "Friday night" },
      changed: ["listed"],
    });
    const { welcome } = await member(room, "cy");
    expect(welcome.settings).toEqual({ slowModeSeconds: 10, listed: true, title: "Friday night" });
  });

  it("refuse a member who is no moderator, verified or not, and tell nobody", async () => {
    const room = uniqueRoom("settings-forbidden");
    const ann = await member(room, "ann");
    const bob = await member(room, "bob", { sub: "u-bob" });
    for (const { client } of [ann, bob]) {
      client.send({ type: "settings", slowModeSeconds: 5 });
      expect(await client.nextOfType("error")).toMatchObject({ code: "forbidden", for: "settings" });
    }
    const [seen] = await upToMarker(ann.client, [bob.client]);
    expect(seen!.filter(isSettings)).toEqual([]);
    expect((await member(room, "cy")).welcome.settings).toEqual(DEFAULTS);
  });

  it("refuse values out of bounds, and a change of nothing", async () => {
    const room = uniqueRoom("settings-invalid");
    const mod = await moderator(room);
    const refusals: [Record<string, unknown>, string][] = [
      [{}, "invalid_field"],
      [{ slowModeSeconds: 3601 }, "invalid_field"],
      [{ slowModeSeconds: -1 }, "invalid_field"],
      [{ slowModeSeconds: 1.5 }, "invalid_field"],
      [{ listed: "yes" }, "invalid_field"],
      [{ title: "   " }, "invalid_text"],
      [{ title: "t".repeat(65) }, "invalid_text"],
      [{ title: "two\nlines" }, "invalid_text"],
      [{ title: "a\u0007bell" }, "invalid_text"],
      [{ title: 7 }, "invalid_field"],
      // One bad field refuses the whole change.
      [{ slowModeSeconds: 5, title: "" }, "invalid_text"],
    ];
    for (const [fields, code] of refusals) {
      // Within the moderator's rate limit: five packets a second after a burst of ten.
      await sleep(200);
      mod.client.send({ type: "settings", ...fields });
      expect(await mod.client.nextOfType("error"), JSON.stringify(fields)).toMatchObject({ code, for: "settings" });
    }
    mod.client.send({ type: "settings", slowModeSeconds: 3600, title: "t".repeat(64) });
    expect(await mod.client.next(isSettings)).toMatchObject({ settings: { slowModeSeconds: 3600 } });
    expect(mod.client.received.filter(isSettings)).toHaveLength(1);
  });

  it("change through the admin API too, which answers them, and every member hears so", async () => {
    const room = uniqueRoom("settings-admin");
    const ann = await member(room, "ann");
    const answer = await adminSettings(room, { listed: true, title: "Lobby" });
    expect(answer.status).toBe(200);
    const settings = { slowModeSeconds: 0, listed: true, title: "Lobby" };
    expect(await answer.json()).toEqual({ ok: true, settings });
    expect(await ann.client.next(isSettings)).toEqual({ type: "settings", settings, changed: ["listed", "title"] });
    const refused = await adminSettings(room, { slowModeSeconds: "10" });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: "invalid_field" });
    const unauthorized = await SELF.fetch(`http://rooms.test/api/rooms/${room}/settings`, {
      method: "POST",
      body: JSON.stringify({ listed: false }),
    });
    expect(unauthorized.status).toBe(401);
  });

  it("outlive a restart of the room, and show in its public info", async () => {
    const room = uniqueRoom("settings-restart");
    const ann = await member(room, "ann");
    const settings = { slowModeSeconds: 5, listed: true, title: "Kept" };
    expect((await adminSettings(room, settings)).status).toBe(200);
    await ann.client.next(isSettings);
    await abortAllDurableObjects();
    expect(await ann.client.closed).toBe(1006);
    expect((await member(room, "ann")).welcome.settings).toEqual(settings);
    const info = (await (await SELF.fetch(`http://rooms.test/api/rooms/${room}`)).json()) as Packet;
    expect(info.settings).toEqual(settings);
  });

  it("of its own keep an empty room's storage; back to the defaults, they keep no row", async () => {
    const room = uniqueRoom("settings-storage");
    expect((await adminSettings(room, { slowModeSeconds: 5 })).status).toBe(200);
    expect(await settingsRows(room)).toBe(1);
    expect((await adminSettings(room, { slowModeSeconds: 0 })).status).toBe(200);
    expect(await settingsRows(room)).toBe(0);
    // The change's entry in the audit log is what keeps the room's storage now.
    const audit = await SELF.fetch(`http://rooms.test/api/rooms/${room}/audit`, {
      headers: { Authorization: "Bearer admin-token-of-the-worker-pool" },
    });
    const { entries } = (await audit.json()) as { entries: Packet[] };
    expect(entries.map(({ action, by, details }) => [action, by, details])).toEqual([
      ["settings", "admin", { slowModeSeconds: 0 }],
      ["settings", "admin", { slowModeSeconds: 5 }],
    ]);
  });

  it("reach a tutorial client only when slow mode changes", async () => {
    const room = uniqueRoom("settings-tutorial");
    const mod = await moderator(room);
    const godot = await joinTutorial(room, "godot");
    mod.client.send({ type: "settings", title: "Not for the tutorial" });
    await mod.client.next(isSettings);
    // Each change heard back before the next is sent: the pool's sockets may reorder frames one socket sends at once.
    mod.client.send({ type: "settings", slowModeSeconds: 10 });
    await mod.client.next((p) => isSettings(p) && (p.settings as RoomSettings).slowModeSeconds === 10);
    mod.client.send({ type: "settings", slowModeSeconds: 0, listed: true });
    await mod.client.next((p) => isSettings(p) && (p.settings as RoomSettings).listed);
    mod.client.send({ type: "chat", text: "marker" });
    const seen = await godot.upTo((p) => p.type === "chat_message" && p.message === "marker");
    const notices = seen.filter((p) => p.type === "server_message" && !/joined/.test(String(p.message)));
    expect(
      notices.map((p) => p.message),
      JSON.stringify([seen, mod.client.received]),
    ).toEqual(["Slow mode: one message per 10 s", "Slow mode is off"]);
  });
});

describe("slow mode", () => {
  it("refuses a member's chat sooner than its seconds after the last, with how long to wait", async () => {
    const room = uniqueRoom("slow-refuse");
    const ann = await member(room, "ann", { address: "203.0.113.10" });
    const bob = await member(room, "bob", { address: "203.0.113.11" });
    await adminSettings(room, { slowModeSeconds: 60 });
    await ann.client.next(isSettings);
    const first = await chat(ann.client, "one");
    expect(first).toMatchObject({ type: "chat", text: "one" });
    const refused = await chat(ann.client, "two", "c-two");
    expect(refused).toMatchObject({ type: "error", code: "slow_mode", for: "chat", cid: "c-two" });
    expect(refused.retryAfterMs).toBeGreaterThan(50_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    // Another member is not held up, and edits and reactions are not chats.
    expect(await chat(bob.client, "bob's")).toMatchObject({ type: "chat" });
    ann.client.send({ type: "edit", seq: first.seq, text: "one, edited" });
    expect(await ann.client.nextOfType("edited")).toMatchObject({ seq: first.seq });
    ann.client.send({ type: "react", seq: first.seq, reaction: "👍" });
    expect(await ann.client.nextOfType("reactions")).toMatchObject({ seq: first.seq });
    // Nobody heard the refused chat.
    await bob.client.nextOfType("reactions");
    expect(bob.client.received.filter((p) => p.type === "chat").map((p) => p.text)).toEqual(["one", "bob's"]);
    // Off again: the member chats at once.
    await adminSettings(room, { slowModeSeconds: 0 });
    await ann.client.next(isSettings);
    expect(await chat(ann.client, "three")).toMatchObject({ type: "chat", text: "three" });
  });

  it("answers a chat sent again (its cid stored already) as before, never with slow_mode", async () => {
    const room = uniqueRoom("slow-again");
    const ann = await member(room, "ann", { sub: "u-ann" });
    await adminSettings(room, { slowModeSeconds: 60 });
    const first = await chat(ann.client, "once", "c-once");
    ann.client.send({ type: "chat", text: "once", cid: "c-once" });
    expect(await ann.client.next((p) => p.cid === "c-once" && p !== first)).toMatchObject({
      type: "chat",
      seq: first.seq,
    });
  });

  it("is not reset by reconnecting: anonymous from the same address, or verified, even after a restart", async () => {
    const room = uniqueRoom("slow-reconnect");
    await adminSettings(room, { slowModeSeconds: 60 });
    const anon = await member(room, "anon", { address: "198.51.100.7" });
    const ann = await member(room, "ann", { sub: "u-ann", address: "198.51.100.8" });
    expect(await chat(anon.client, "anon's first")).toMatchObject({ type: "chat" });
    expect(await chat(ann.client, "ann's first")).toMatchObject({ type: "chat" });
    anon.client.socket.close(1000);
    ann.client.socket.close(1000);
    await Promise.all([anon.client.closed, ann.client.closed]);
    // A new connection, without a resume: the same address, or the same user.
    const anonAgain = await member(room, "anon2", { address: "198.51.100.7" });
    expect(await chat(anonAgain.client, "again")).toMatchObject({ code: "slow_mode" });
    const annAgain = await member(room, "ann", { sub: "u-ann", address: "192.0.2.1" });
    expect(await chat(annAgain.client, "again")).toMatchObject({ code: "slow_mode" });
    // The room restarts, forgetting all it held in memory: the verified user is still held to it.
    await abortAllDurableObjects();
    const annAfter = await member(room, "ann", { sub: "u-ann", address: "192.0.2.2" });
    expect(await chat(annAfter.client, "after the restart")).toMatchObject({ code: "slow_mode" });
    // Someone else from another address is not.
    const cy = await member(room, "cy", { address: "198.51.100.9" });
    expect(await chat(cy.client, "hello")).toMatchObject({ type: "chat" });
  });

  it("holds a member's other connections to the same wait", async () => {
    const room = uniqueRoom("slow-tabs");
    await adminSettings(room, { slowModeSeconds: 60 });
    const tab1 = await member(room, "ann", { sub: "u-ann" });
    const tab2 = await member(room, "ann", { sub: "u-ann" });
    expect(await chat(tab1.client, "from one tab")).toMatchObject({ type: "chat" });
    expect(await chat(tab2.client, "from the other")).toMatchObject({ code: "slow_mode" });
  });

  it("lets moderators and the game's backend chat as they like", async () => {
    const room = uniqueRoom("slow-exempt");
    const mod = await moderator(room);
    const ann = await member(room, "ann");
    await adminSettings(room, { slowModeSeconds: 60 });
    for (const text of ["m1", "m2", "m3"]) expect(await chat(mod.client, text)).toMatchObject({ type: "chat", text });
    for (const text of ["p1", "p2"]) {
      const posted = await SELF.fetch(`http://rooms.test/api/rooms/${room}/messages`, {
        method: "POST",
        headers: { Authorization: "Bearer publish-token-of-the-worker-pool" },
        body: JSON.stringify({ text }),
      });
      expect(posted.status).toBe(201);
      expect(await ann.client.next((p) => p.type === "chat" && p.text === text)).toBeTruthy();
    }
  });

  it("refuses a tutorial client's chat with a notice that names the code and the wait", async () => {
    const room = uniqueRoom("slow-tutorial");
    await adminSettings(room, { slowModeSeconds: 60 });
    const godot = await joinTutorial(room, "godot");
    godot.sendBinary({ type: "chat_message", message: "one" });
    await godot.next((p) => p.type === "chat_message" && p.message === "one");
    godot.sendBinary({ type: "chat_message", message: "two" });
    const notice = await godot.next((p) => p.type === "server_message" && p.code !== undefined);
    expect(notice).toMatchObject({ code: "slow_mode" });
    expect(notice.retryAfterMs).toBeGreaterThan(0);
  });
});
