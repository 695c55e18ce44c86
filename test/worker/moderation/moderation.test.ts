// Moderation from inside a room: moderators (by their token's role) kick, ban, unban and delete; everyone else is
// refused. What each member observes is what is checked: the packets, the close codes, the HTTP refusals.

import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatRoom } from "../../../src/server/room/room";
import { ROUTING_HEADERS, SHARD_HEADER, shardName } from "../../../src/server/shards/wire";
import { asGuest, type Client, connect, joinTutorial, type Packet, sleep, token, UPGRADE, uniqueRoom } from "../client";
import { member, moderatorOf } from "./members";

const upgradeStatus = async (path: string, address?: string) => (await fetchUpgrade(path, address)).status;

async function fetchUpgrade(path: string, address?: string): Promise<Response> {
  const headers: Record<string, string> = {
    ...UPGRADE,
    ...(address === undefined ? {} : { "CF-Connecting-IP": address }),
  };
  const response = await SELF.fetch(`http://rooms.test${path}`, { headers });
  response.webSocket?.accept();
  response.webSocket?.close(1000);
  return response;
}

/** The tables in a room's SQLite database, the runtime's own (`_cf_…`) left out. */
const tablesOf = (room: string) =>
  runInDurableObject(env.ROOMS.getByName(room), (_: ChatRoom, state) =>
    state.storage.sql
      .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`)
      .toArray()
      .map(({ name }) => name)
      .filter((name) => !name.startsWith("_cf_")),
  );

const alarmOf = (room: string) =>
  runInDurableObject(env.ROOMS.getByName(room), (_: ChatRoom, state) => state.storage.getAlarm());

/** Makes every ban of the room with an end look as if it had ended a moment ago, as if its time had passed. */
const endBans = (room: string) =>
  runInDurableObject(env.ROOMS.getByName(room), (_: ChatRoom, state) => {
    state.storage.sql.exec(`UPDATE bans SET until = ? WHERE until IS NOT NULL`, Date.now() - 1);
  });

const say = async (client: Client, text: string): Promise<number> => {
  client.send({ type: "chat", text });
  return (await client.next((p) => p.type === "chat" && p.text === text)).seq as number;
};

describe("moderation packets", () => {
  it("refuses every moderation packet from a member without the moderator role, verified or not", async () => {
    const room = uniqueRoom("forbidden");
    const anon = await member(room);
    const verified = await member(room, { sub: "u-plain", name: "Plain" });
    // Another member's message: its author may delete its own (message-changes.test.ts).
    const seq = await say((await member(room, undefined, undefined, "author")).client, "keep me");
    for (const { client } of [anon, verified]) {
      for (const packet of [
        { type: "kick", id: anon.id },
        { type: "ban", id: anon.id },
        { type: "unban", user: "u-plain" },
        { type: "delete", seq },
      ]) {
        client.send(packet);
        expect(await client.nextOfType("error")).toMatchObject({ code: "forbidden" });
      }
    }
    expect(await env.ROOMS.getByName(room).info()).toMatchObject({
      members: [{ id: anon.id }, { id: verified.id }, {}],
      lastSeq: seq,
    });
  });

  it("validates moderation packets like any other", async () => {
    const room = uniqueRoom("invalid-moderation");
    const mod = await moderatorOf(room);
    for (const packet of [
      { type: "kick" },
      { type: "kick", id: "1" },
      { type: "kick", id: 1, minutes: 5 },
      { type: "ban", id: 1, minutes: 0 },
      { type: "ban", id: 1, minutes: 1.5 },
      { type: "ban", id: 1, reason: "x".repeat(201) },
      { type: "unban" },
      { type: "delete", seq: 0 },
      { type: "ban", user: "someone" },
    ]) {
      mod.client.send(packet);
      const { code } = await mod.client.nextOfType("error");
      expect(code).toBe(packet.reason === undefined ? "invalid_field" : "invalid_text");
    }
  });

  it("kicks a member: it hears why and is closed with 4001, everyone hears it was kicked, in both dialects", async () => {
    const room = uniqueRoom("kick");
    const mod = await moderatorOf(room);
    const target = await member(room, undefined, undefined, "spammer");
    const godot = await joinTutorial(room, "godot");
    mod.client.send({ type: "kick", id: target.id, reason: "stop spamming" });
    expect(await target.client.nextOfType("error")).toMatchObject({
      code: "kicked",
      message: expect.stringContaining("stop spamming"),
    });
    expect(await target.client.closed).toBe(4001);
    expect(await mod.client.next((p) => p.type === "leave")).toEqual({
      type: "leave",
      id: target.id,
      name: "spammer",
      guest: true,
      reason: "kicked",
    });
    expect(await godot.next((p) => p.type === "server_message" && String(p.message).includes("spammer"))).toMatchObject(
      { message: `${asGuest("spammer")}(#${target.id}) was removed by a moderator.` },
    );
    // A kick is not a ban: the member may come back.
    expect((await member(room, undefined, undefined, "spammer")).welcome.name).toBe("spammer");
    mod.client.send({ type: "kick", id: 999_999 });
    expect(await mod.client.nextOfType("error")).toMatchObject({ code: "not_found" });
  });

  it("lets no moderator remove another", async () => {
    const room = uniqueRoom("mod-vs-mod");
    const first = await moderatorOf(room, "mod-a");
    const second = await moderatorOf(room, "mod-b");
    first.client.send({ type: "ban", id: second.id });
    expect(await first.client.nextOfType("error")).toMatchObject({ code: "forbidden" });
    expect((await env.ROOMS.getByName(room).info()).members).toHaveLength(2);
  });

  it("bans a verified user, every connection of it, across a restart of the room, until unbanned", async () => {
    const room = uniqueRoom("ban-user");
    const mod = await moderatorOf(room);
    const troll = { sub: "u-troll", name: "Troll" };
    const tab1 = await member(room, troll);
    const tab2 = await member(room, troll);
    const bystander = await member(room, { sub: "u-ok", name: "Fine" });
    mod.client.send({ type: "ban", id: tab1.id, minutes: 60, reason: "trolling" });
    const answer = await mod.client.nextOfType("banned");
    expect(answer).toMatchObject({ id: tab1.id, name: "Troll", user: "u-troll" });
    expect(answer.until).toBeGreaterThan(Date.now() + 59 * 60_000);
    for (const tab of [tab1, tab2]) {
      expect(await tab.client.nextOfType("error")).toMatchObject({
        code: "banned",
        message: expect.stringContaining("trolling"),
      });
      expect(await tab.client.closed).toBe(4003);
    }
    const leaves = await bystander.client.collect((p) => p.type === "leave" || p.type === "leaves", 1);
    expect(
      leaves.flatMap((p) => (p.type === "leave" ? [p] : (p.members as Packet[]))).map((m) => [m.id, m.reason]),
    ).toEqual([
      [tab1.id, "banned"],
      [tab2.id, "banned"],
    ]);

    const trollPath = `/rooms/${room}?token=${await token(troll)}`;
    const refused = await fetchUpgrade(trollPath);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: "banned", message: expect.stringContaining("until 2") });
    await abortAllDurableObjects();
    expect(await upgradeStatus(trollPath)).toBe(403);
    expect(await upgradeStatus(`/rooms/${room}?token=${await token({ sub: "u-ok", name: "Fine" })}`)).toBe(101);

    const back = await moderatorOf(room);
    back.client.send({ type: "unban", user: "u-troll" });
    expect(await back.client.nextOfType("unbanned")).toEqual({ type: "unbanned", user: "u-troll" });
    expect(await upgradeStatus(trollPath)).toBe(101);
    back.client.send({ type: "unban", user: "u-troll" });
    expect(await back.client.nextOfType("error")).toMatchObject({ code: "not_found" });
  });

  it("bans an anonymous member by a salted hash of its address, which refuses that address's anonymous connections only", async () => {
    const room = uniqueRoom("ban-address");
    const mod = await moderatorOf(room);
    const address = "203.0.113.77";
    const anon = await member(room, undefined, address);
    mod.client.send({ type: "ban", id: anon.id });
    const { user: handle, until } = await mod.client.nextOfType("banned");
    expect(handle).toMatch(/^address:[0-9a-f]{32}$/);
    expect(until).toBeUndefined();
    expect(await anon.client.closed).toBe(4003);

    expect(await upgradeStatus(`/rooms/${room}`, address)).toBe(403);
    expect(await upgradeStatus(`/rooms/${room}`, "203.0.113.78")).toBe(101);
    expect(
      await upgradeStatus(`/rooms/${room}?token=${await token({ sub: "u-same-net", name: "Neighbour" })}`, address),
    ).toBe(101);
    // The room keeps no address in the clear.
    const stored = await runInDurableObject(env.ROOMS.getByName(room), (_: ChatRoom, state) =>
      JSON.stringify(state.storage.sql.exec(`SELECT * FROM bans`).toArray()),
    );
    expect(stored).not.toContain(address);
    expect(stored).toContain(String(handle).slice("address:".length));

    mod.client.send({ type: "unban", user: handle });
    expect(await mod.client.nextOfType("unbanned")).toMatchObject({ user: handle });
    expect(await upgradeStatus(`/rooms/${room}`, address)).toBe(101);
  });

  it("forgets a ban once it ends, and a room left with nothing else then keeps nothing once its audit log ages", async () => {
    const room = uniqueRoom("ban-ends");
    const mod = await moderatorOf(room);
    const target = await member(room, { sub: "u-brief", name: "Brief" });
    mod.client.send({ type: "ban", id: target.id, minutes: 1 });
    const { until } = await mod.client.nextOfType("banned");
    expect(await alarmOf(room)).toBeLessThanOrEqual(until as number);
    mod.client.socket.close(1000);
    // The ban keeps the room's storage; with nobody left, the alarm rings at the ban's end.
    await expect.poll(() => alarmOf(room)).toBe(until);
    expect(await tablesOf(room)).toContain("bans");
    await endBans(room);
    expect(await runDurableObjectAlarm(env.ROOMS.getByName(room))).toBe(true);
    expect(await upgradeStatus(`/rooms/${room}?token=${await token({ sub: "u-brief", name: "Brief" })}`)).toBe(101);
    // The ban is gone; its entry in the audit log stays, as long as history would (HISTORY_MAX_AGE_DAYS), and then
    // goes too.
    const rows = (table: string) =>
      runInDurableObject(
        env.ROOMS.getByName(room),
        (_: ChatRoom, state) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n,
      );
    expect([await rows("bans"), await rows("audit_log")]).toEqual([0, 1]);
    await runInDurableObject(env.ROOMS.getByName(room), (_: ChatRoom, state) => {
      state.storage.sql.exec(`UPDATE audit_log SET at = at - ?`, 31 * 24 * 60 * 60 * 1000);
    });
    expect(await runDurableObjectAlarm(env.ROOMS.getByName(room))).toBe(true);
    expect(await tablesOf(room)).toEqual([]);
  });

  it("deletes a message: everyone hears so, and welcomes, resumes and history pages show the tombstone, restarts included", async () => {
    const room = uniqueRoom("delete");
    const mod = await moderatorOf(room);
    const author = await member(room, undefined, undefined, "author");
    const godot = await joinTutorial(room, "godot");
    const before = await say(author.client, "fine");
    const seq = await say(author.client, "something awful");
    await say(author.client, "also fine");
    mod.client.send({ type: "delete", seq });
    expect(await author.client.nextOfType("deleted")).toEqual({ type: "deleted", seq, at: seq + 2 });
    expect(await godot.next((p) => p.type === "server_message" && String(p.message).includes("deleted"))).toMatchObject(
      { message: `A moderator deleted message #${seq}.` },
    );
    mod.client.send({ type: "delete", seq });
    expect(await mod.client.nextOfType("error")).toMatchObject({ code: "not_found" });

    const tombstone = { seq, text: "", deleted: true, sender: { id: author.id, name: "author" } };
    await abortAllDurableObjects();
    const late = await member(room, undefined, undefined, "late");
    expect((late.welcome.history as Packet[]).find((m) => m.seq === seq)).toMatchObject(tombstone);
    const resumed = await connect(`/rooms/${room}`);
    resumed.send({ type: "join", name: "resumed", since: before });
    expect(((await resumed.nextOfType("welcome")).history as Packet[])[0]).toMatchObject(tombstone);
    late.client.send({ type: "history", before: seq + 1, limit: 1 });
    expect(((await late.client.nextOfType("history")).messages as Packet[])[0]).toMatchObject(tombstone);
    expect(JSON.stringify(late.client.received)).not.toContain("something awful");
    const newGodot = await joinTutorial(room, "godot2");
    // Up to a chat sent after its join: the history it was given, and nothing else.
    late.client.send({ type: "chat", text: "after godot2 joined" });
    const heard = await newGodot.upTo((p) => p.type === "chat_message" && p.message === "after godot2 joined");
    expect(heard.filter((p) => p.type === "chat_message").map((p) => p.message)).toEqual([
      "fine",
      "also fine",
      "after godot2 joined",
    ]);
  });

  it("carries a verified sender's user in its chats, live and from history", async () => {
    const room = uniqueRoom("verified-sender");
    const alice = await member(room, { sub: "u-alice", name: "Alice" });
    alice.client.send({ type: "chat", text: "signed" });
    const sender = { id: alice.id, name: "Alice", user: "u-alice", verified: true };
    expect(await alice.client.nextOfType("chat")).toMatchObject({ sender });
    const late = await member(room, undefined, undefined, "late");
    expect((late.welcome.history as Packet[])[0]!.sender).toEqual(sender);
  });
});

/** The close code, or "open" if the socket is still open after `ms`. */
const closedWithin = (client: Client, ms = 1000) =>
  Promise.race([client.closed, sleep(ms).then(() => "open" as const)]);

const admin = (room: string, action: string, body: unknown) =>
  SELF.fetch(`http://rooms.test/api/rooms/${room}/${action}`, {
    method: "POST",
    headers: { Authorization: "Bearer admin-token-of-the-worker-pool", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

describe("what a ban reaches", () => {
  it("refuses anonymous connections from a banned user's address while the ban lasts; verified ones there still come in", async () => {
    const room = uniqueRoom("ban-address-half");
    const mod = await moderatorOf(room);
    const address = "198.51.100.6";
    const troll = { sub: "u-troll6", name: "Troll" };
    const target = await member(room, troll, address);
    mod.client.send({ type: "ban", id: target.id, minutes: 30 });
    expect(await mod.client.nextOfType("banned")).toMatchObject({ user: "u-troll6" });
    expect(await target.client.closed).toBe(4003);

    // The same person without its token, from the same address: refused, restarts included.
    const troll2 = await fetchUpgrade(`/rooms/${room}`, address);
    expect(troll2.status).toBe(403);
    expect(await troll2.json()).toMatchObject({ error: "banned" });
    await abortAllDurableObjects();
    expect(await upgradeStatus(`/rooms/${room}`, address)).toBe(403);
    // Others there with their own token, and anonymous ones elsewhere, come in.
    expect(
      await upgradeStatus(`/rooms/${room}?token=${await token({ sub: "u-classmate", name: "Classmate" })}`, address),
    ).toBe(101);
    expect(await upgradeStatus(`/rooms/${room}`, "198.51.100.7")).toBe(101);
    // No address is stored in the clear, the half's included.
    const stored = await runInDurableObject(env.ROOMS.getByName(room), (_: ChatRoom, state) =>
      JSON.stringify(state.storage.sql.exec(`SELECT * FROM ban_addresses`).toArray()),
    );
    expect(stored).toContain("u-troll6");
    expect(stored).not.toContain(address);

    // Lifting the user's ban lifts its address half.
    const back = await moderatorOf(room);
    back.client.send({ type: "unban", user: "u-troll6" });
    await back.client.nextOfType("unbanned");
    expect(await upgradeStatus(`/rooms/${room}`, address)).toBe(101);
  });

  it("forgets a user ban's address half when the ban ends", async () => {
    const room = uniqueRoom("ban-half-ends");
    const address = "198.51.100.16";
    const target = await member(room, { sub: "u-brief6", name: "Brief" }, address);
    const mod = await moderatorOf(room);
    mod.client.send({ type: "ban", id: target.id, minutes: 1 });
    await mod.client.nextOfType("banned");
    expect(await upgradeStatus(`/rooms/${room}`, address)).toBe(403);
    await endBans(room);
    expect(await runDurableObjectAlarm(env.ROOMS.getByName(room))).toBe(true);
    const left = await runInDurableObject(env.ROOMS.getByName(room), (_: ChatRoom, state) =>
      state.storage.sql.exec(`SELECT * FROM ban_addresses`).toArray(),
    );
    expect(left).toEqual([]);
    expect(await upgradeStatus(`/rooms/${room}`, address)).toBe(101);
  });

  it("shows whom a ban of a shared address would remove, and bans only once the moderator confirmed each of them", async () => {
    const room = uniqueRoom("ban-shared");
    const mod = await moderatorOf(room);
    const address = "198.51.100.9";
    const players = [];
    for (const name of ["p1", "p2", "p3"]) players.push(await member(room, undefined, address, name));
    const [p1, p2, p3] = players as [(typeof players)[0], (typeof players)[0], (typeof players)[0]];
    const removes = players.map(({ id, welcome }) => ({ id, name: welcome.name, guest: true }));

    mod.client.send({ type: "ban", id: p1.id, preview: true });
    expect(await mod.client.nextOfType("ban_preview")).toEqual({ type: "ban_preview", target: removes[0], removes });
    // Unconfirmed, or confirmed for fewer than it removes: nobody goes, and the moderator sees whom it would remove.
    for (const confirm of [undefined, [p2.id]]) {
      mod.client.send({ type: "ban", id: p1.id, ...(confirm && { confirm }) });
      expect(await mod.client.nextOfType("ban_preview")).toMatchObject({ removes });
    }
    expect((await env.ROOMS.getByName(room).info()).members).toHaveLength(4);
    expect(mod.client.received.some((p) => p.type === "banned")).toBe(false);

    mod.client.send({ type: "ban", id: p1.id, confirm: [p2.id, p3.id] });
    expect(await mod.client.nextOfType("banned")).toMatchObject({ id: p1.id });
    for (const { client } of [p1, p2, p3]) expect(await client.closed).toBe(4003);
  });

  it("asks the same confirmation of a verified member's ban that would remove anonymous members at its address", async () => {
    const room = uniqueRoom("ban-verified-shared");
    const mod = await moderatorOf(room);
    const address = "198.51.100.10";
    const troll = await member(room, { sub: "u-troll10", name: "Troll" }, address);
    const sibling = await member(room, undefined, address, "sibling");
    mod.client.send({ type: "ban", id: troll.id });
    const preview = await mod.client.nextOfType("ban_preview");
    expect(preview.removes).toEqual([
      { id: troll.id, name: "Troll", user: "u-troll10", verified: true },
      { id: sibling.id, name: "sibling", guest: true },
    ]);
    mod.client.send({ type: "ban", id: troll.id, confirm: [sibling.id] });
    await mod.client.nextOfType("banned");
    expect(await sibling.client.closed).toBe(4003);
    // The admin API is asked the same, with HTTP 409.
    const other = await member(room, { sub: "u-other10", name: "Other" }, "198.51.100.11");
    const cousin = await member(room, undefined, "198.51.100.11", "cousin");
    const unconfirmed = await admin(room, "ban", { id: other.id });
    expect(unconfirmed.status).toBe(409);
    expect(await unconfirmed.json()).toMatchObject({
      error: "confirm_required",
      removes: [{ id: other.id }, { id: cousin.id }],
    });
    expect((await admin(room, "ban", { id: other.id, confirm: [cousin.id] })).status).toBe(200);
  });

  it("refuses malformed previews and confirmations with a clear error", async () => {
    const room = uniqueRoom("ban-preview-invalid");
    const mod = await moderatorOf(room);
    for (const packet of [
      { type: "ban", id: 1, preview: true, minutes: 5 },
      { type: "ban", id: 1, preview: "yes" },
      { type: "ban", id: 1, confirm: 2 },
      { type: "ban", id: 1, confirm: ["2"] },
      { type: "ban", id: 1, confirm: [0] },
    ]) {
      mod.client.send(packet);
      expect(await mod.client.nextOfType("error")).toMatchObject({ code: "invalid_field" });
    }
  });

  it("closes at once every connection the ban refuses: joined or not, the user's and anonymous ones from its address", async () => {
    const room = uniqueRoom("ban-unjoined");
    const mod = await moderatorOf(room);
    const address = "198.51.100.13";
    const troll = { sub: "u-troll13", name: "Troll" };
    const joined = await member(room, troll, address);
    // In the worker-sharded project these are on shards.
    const pendingTab = await connect(`/rooms/${room}?token=${await token(troll)}`, "198.51.100.14");
    const pendingAnon = await connect(`/rooms/${room}`, address);
    const elsewhere = await connect(`/rooms/${room}`, "198.51.100.15");
    mod.client.send({ type: "ban", id: joined.id });
    await mod.client.nextOfType("banned");
    for (const client of [joined.client, pendingTab, pendingAnon]) {
      expect(await closedWithin(client)).toBe(4003);
      expect(client.received).toContainEqual(expect.objectContaining({ type: "error", code: "banned" }));
    }
    elsewhere.send({ type: "join", name: "bystander" });
    expect(await elsewhere.nextOfType("welcome")).toMatchObject({ name: "bystander" });
  });
});

describe("who may lift a ban", () => {
  it("lets a moderator lift a moderator's ban but not the admin's, which the admin API lifts", async () => {
    const room = uniqueRoom("unban-setter");
    const mod = await moderatorOf(room);
    expect((await admin(room, "ban", { user: "u-admins" })).status).toBe(200);
    const target = await member(room, { sub: "u-mods", name: "Modded" });
    mod.client.send({ type: "ban", id: target.id });
    await mod.client.nextOfType("banned");

    const other = await moderatorOf(room, "mod-2");
    other.client.send({ type: "unban", user: "u-admins" });
    expect(await other.client.nextOfType("error")).toMatchObject({
      code: "forbidden",
      message: expect.stringContaining("only the admin API may lift it"),
    });
    expect(await upgradeStatus(`/rooms/${room}?token=${await token({ sub: "u-admins", name: "A" })}`)).toBe(403);
    other.client.send({ type: "unban", user: "u-mods" });
    expect(await other.client.nextOfType("unbanned")).toMatchObject({ user: "u-mods" });

    const lifted = await admin(room, "unban", { user: "u-admins" });
    expect(await lifted.json()).toMatchObject({ ok: true, user: "u-admins" });
    expect(await upgradeStatus(`/rooms/${room}?token=${await token({ sub: "u-admins", name: "A" })}`)).toBe(101);
  });

  it("lets no moderator lift the admin's ban of a moderator", async () => {
    const room = uniqueRoom("unban-admins-mod");
    const mod = await moderatorOf(room);
    const rogue = await moderatorOf(room, "mod-rogue");
    const ban = await admin(room, "ban", { id: rogue.id });
    expect(ban.status).toBe(200);
    expect(await rogue.client.closed).toBe(4003);
    mod.client.send({ type: "unban", user: "mod-rogue" });
    expect(await mod.client.nextOfType("error")).toMatchObject({ code: "forbidden" });
  });

  it("counts a ban stored before bans knew their setter as the admin's, once the room has added the column", async () => {
    const room = uniqueRoom("unban-legacy");
    const stub = env.ROOMS.getByName(room);
    // A room of the previous version, with one ban in its table.
    await runInDurableObject(stub, (_: ChatRoom, state) => {
      state.storage.sql.exec(
        `CREATE TABLE bans (kind TEXT NOT NULL, value TEXT NOT NULL, until INTEGER, PRIMARY KEY (kind, value))`,
      );
      state.storage.sql.exec(`CREATE TABLE ban_salt (salt TEXT NOT NULL)`);
      state.storage.sql.exec(`INSERT INTO ban_salt (salt) VALUES ('old-salt')`);
      state.storage.sql.exec(`INSERT INTO bans (kind, value, until) VALUES ('user', 'u-legacy', NULL)`);
    });
    await abortAllDurableObjects();
    const legacyPath = `/rooms/${room}?token=${await token({ sub: "u-legacy", name: "Old" })}`;
    expect(await upgradeStatus(legacyPath)).toBe(403);
    // A stub made before the abort is broken: a new one.
    const columns = await runInDurableObject(
      env.ROOMS.getByName(room),
      (_: ChatRoom, state) => state.storage.sql.exec(`SELECT * FROM bans LIMIT 0`).columnNames,
    );
    expect(columns).toContain("set_by");

    const mod = await moderatorOf(room);
    mod.client.send({ type: "unban", user: "u-legacy" });
    expect(await mod.client.nextOfType("error")).toMatchObject({ code: "forbidden" });
    expect((await admin(room, "unban", { user: "u-legacy" })).status).toBe(200);
    expect(await upgradeStatus(legacyPath)).toBe(101);
  });

  it("keeps no ban and no salt for a room that never banned anyone, however many it checked", async () => {
    const room = uniqueRoom("no-bans-no-rows");
    await member(room, undefined, "198.51.100.30");
    await abortAllDurableObjects();
    await member(room, undefined, "198.51.100.31", "again");
    await member(room, { sub: "u-checked", name: "Checked" }, "198.51.100.32");
    const rows = await runInDurableObject(env.ROOMS.getByName(room), (_: ChatRoom, state) =>
      ["bans", "ban_salt", "ban_addresses"].map(
        (table) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n,
      ),
    );
    expect(rows).toEqual([0, 0, 0]);
  });
});

describe("a ban on a connection's way in", () => {
  it("closes a connection placed before the ban as it arrives, telling it why, not after it tries to join", async () => {
    const room = uniqueRoom("ban-in-flight");
    await moderatorOf(room);
    // In the worker-sharded project the room now holds SHARD_CAPACITY connections: the next goes to a shard.
    await member(room, undefined, "198.51.100.40", "filler");
    const url = `http://rooms.test/rooms/${room}`;
    // The Worker's two steps, taken by hand so that the ban comes between them: the room places the connection...
    const identity = { user: "u-in-flight", name: "Flight", role: "member" };
    const headers = {
      ...UPGRADE,
      "X-Edge-Chat-Identity": JSON.stringify(identity),
      "CF-Connecting-IP": "198.51.100.41",
    };
    const placed = await env.ROOMS.getByName(room).fetch(new Request(url, { headers }));
    expect((await admin(room, "ban", { user: "u-in-flight" })).status).toBe(200);
    await sleep(100);
    // ...and the upgrade reaches the shard it names (a room that is not full accepted it itself).
    const routing = Object.fromEntries(ROUTING_HEADERS.map((header) => [header, placed.headers.get(header) ?? ""]));
    const socket =
      placed.webSocket ??
      (
        await env.SHARDS.getByName(shardName(room, Number(routing[SHARD_HEADER]))).fetch(
          new Request(url, { headers: { ...UPGRADE, ...routing } }),
        )
      ).webSocket!;
    const received: Packet[] = [];
    socket.addEventListener("message", (event) => received.push(JSON.parse(String(event.data)) as Packet));
    const closed = new Promise((resolve) => socket.addEventListener("close", (event) => resolve(event.code)));
    socket.accept();
    expect(await Promise.race([closed, sleep(1000).then(() => "open")])).toBe(4003);
    expect(received).toEqual([expect.objectContaining({ type: "error", code: "banned" })]);
  });
});
