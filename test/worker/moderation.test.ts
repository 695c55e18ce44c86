// Moderation from inside a room: moderators (by their token's role) kick, ban, unban and delete; everyone else is
// refused. What each member observes is what is checked: the packets, the close codes, the HTTP refusals.

import { abortAllDurableObjects, env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatRoom } from "../../src/server/room";
import { asGuest, connect, joinTutorial, sleep, token, uniqueRoom, UPGRADE, type Client, type Packet } from "./client";

/** Joins `room` with a token for these claims (or anonymously), from `address` if given. */
async function member(room: string, claims?: { sub: string; name: string; role?: string }, address?: string, anonName = "anon") {
  const query = claims ? `?token=${await token(claims)}` : "";
  const client = await connect(`/rooms/${room}${query}`, address);
  client.send({ type: "join", name: claims?.name ?? anonName });
  const welcome = await client.nextOfType("welcome");
  return { client, welcome, id: welcome.id as number };
}

const moderatorOf = (room: string, sub = "mod-1") => member(room, { sub, name: `Mod ${sub}`, role: "moderator" });

const upgradeStatus = async (path: string, address?: string) =>
  (await fetchUpgrade(path, address)).status;

async function fetchUpgrade(path: string, address?: string): Promise<Response> {
  const headers: Record<string, string> = { ...UPGRADE, ...(address === undefined ? {} : { "CF-Connecting-IP": address }) };
  const response = await SELF.fetch(`http://rooms.test${path}`, { headers });
  response.webSocket?.accept();
  response.webSocket?.close(1000);
  return response;
}

const say = async (client: Client, text: string): Promise<number> => {
  client.send({ type: "chat", text });
  return (await client.next((p) => p.type === "chat" && p.text === text)).seq as number;
};

describe("moderation packets", () => {
  it("refuses every moderation packet from a member without the moderator role, verified or not", async () => {
    const room = uniqueRoom("forbidden");
    const anon = await member(room);
    const verified = await member(room, { sub: "u-plain", name: "Plain" });
    const seq = await say(anon.client, "keep me");
    for (const { client } of [anon, verified]) {
      for (const packet of [
        { type: "kick", id: anon.id }, { type: "ban", id: anon.id }, { type: "unban", user: "u-plain" }, { type: "delete", seq },
      ]) {
        client.send(packet);
        expect(await client.nextOfType("error")).toMatchObject({ code: "forbidden" });
      }
    }
    expect(await env.ROOMS.getByName(room).info()).toMatchObject({ members: [{ id: anon.id }, { id: verified.id }] });
  });

  it("validates moderation packets like any other", async () => {
    const room = uniqueRoom("invalid-moderation");
    const mod = await moderatorOf(room);
    for (const packet of [
      { type: "kick" }, { type: "kick", id: "1" }, { type: "kick", id: 1, minutes: 5 }, { type: "ban", id: 1, minutes: 0 },
      { type: "ban", id: 1, minutes: 1.5 }, { type: "ban", id: 1, reason: "x".repeat(201) }, { type: "unban" },
      { type: "delete", seq: 0 }, { type: "ban", user: "someone" },
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
    expect(await target.client.nextOfType("error")).toMatchObject({ code: "kicked", message: expect.stringContaining("stop spamming") });
    expect(await target.client.closed).toBe(4001);
    expect(await mod.client.next((p) => p.type === "leave")).toEqual({ type: "leave", id: target.id, name: "spammer", guest: true, reason: "kicked" });
    expect(await godot.next((p) => p.type === "server_message" && String(p.message).includes("spammer")))
      .toMatchObject({ message: `${asGuest("spammer")}(#${target.id}) was removed by a moderator.` });
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
      expect(await tab.client.nextOfType("error")).toMatchObject({ code: "banned", message: expect.stringContaining("trolling") });
      expect(await tab.client.closed).toBe(4003);
    }
    const leaves = await bystander.client.collect((p) => p.type === "leave" || p.type === "leaves", 1);
    expect(leaves.flatMap((p) => (p.type === "leave" ? [p] : p.members as Packet[])).map((m) => [m.id, m.reason]))
      .toEqual([[tab1.id, "banned"], [tab2.id, "banned"]]);

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
    expect(await upgradeStatus(`/rooms/${room}?token=${await token({ sub: "u-same-net", name: "Neighbour" })}`, address)).toBe(101);
    // The room keeps no address in the clear.
    const stored = await runInDurableObject(env.ROOMS.getByName(room), (_: ChatRoom, state) =>
      JSON.stringify(state.storage.sql.exec(`SELECT * FROM bans`).toArray()));
    expect(stored).not.toContain(address);
    expect(stored).toContain(String(handle).slice("address:".length));

    mod.client.send({ type: "unban", user: handle });
    expect(await mod.client.nextOfType("unbanned")).toMatchObject({ user: handle });
    expect(await upgradeStatus(`/rooms/${room}`, address)).toBe(101);
  });

  it("forgets a ban once it ends, and a room left with nothing else then keeps nothing", async () => {
    const room = uniqueRoom("ban-ends");
    const stub = env.ROOMS.getByName(room);
    const mod = await moderatorOf(room);
    const target = await member(room, { sub: "u-brief", name: "Brief" });
    mod.client.send({ type: "ban", id: target.id, minutes: 1 });
    const { until } = await mod.client.nextOfType("banned");
    expect(await runInDurableObject(stub, (_: ChatRoom, state) => state.storage.getAlarm())).toBeLessThanOrEqual(until as number);
    mod.client.socket.close(1000);
    await sleep(200);
    // The alarm's upkeep, as if it rang after the ban's end.
    const tables = await runInDurableObject(stub, async (instance: ChatRoom, state) => {
      const internals = instance as unknown as { bans: { expire(now: number): void }; releaseIfEmpty(): Promise<boolean> };
      internals.bans.expire((until as number) + 1);
      await internals.releaseIfEmpty();
      return state.storage.sql.exec(`SELECT name FROM sqlite_master WHERE name IN ('bans', 'messages')`).toArray();
    });
    expect(tables).toEqual([]);
    expect(await upgradeStatus(`/rooms/${room}?token=${await token({ sub: "u-brief", name: "Brief" })}`)).toBe(101);
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
    expect(await author.client.nextOfType("deleted")).toEqual({ type: "deleted", seq });
    expect(await godot.next((p) => p.type === "server_message" && String(p.message).includes("deleted")))
      .toMatchObject({ message: `A moderator deleted message #${seq}.` });
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
    await sleep(100);
    expect(newGodot.received.filter((p) => p.type === "chat_message").map((p) => p.message)).toEqual(["fine", "also fine"]);
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
