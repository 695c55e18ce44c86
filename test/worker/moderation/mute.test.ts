// Timed mutes: a muted member stays and reads, but its chats, edits, reactions, renames and state changes are refused
// with `muted` (and never reach anyone), its typing is dropped; it hears of its mute on every connection, and again in
// its welcome when it comes back, restarts of the room included. Who may mute and lift whose mute; expiry.

import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatRoom } from "../../../src/server/room/room";
import { connect, type Packet, sleep, storedBy, uniqueRoom, upToMarker } from "../client";
import { admin, member, moderatorOf, say } from "./members";

/** Makes every mute of the room with an end look as if it had ended a moment ago. */
const endMutes = (room: string) =>
  runInDurableObject(env.ROOMS.getByName(room), (_: ChatRoom, state) => {
    state.storage.sql.exec(`UPDATE mutes SET until = ? WHERE until IS NOT NULL`, Date.now() - 1);
  });

const errorsOf = (packets: Packet[]) => packets.filter((p) => p.type === "error");

describe("mute", () => {
  it("silences a verified member on every connection: refused with muted, heard by nobody, while it still reads", async () => {
    const room = uniqueRoom("mute-user");
    const mod = await moderatorOf(room);
    const noisy = { sub: "u-noisy", name: "Noisy" };
    const tab1 = await member(room, noisy);
    const tab2 = await member(room, noisy);
    const bystander = await member(room, { sub: "u-calm", name: "Calm" });
    const earlier = await say(tab1.client, "said before the mute");

    mod.client.send({ type: "mute", id: tab1.id, minutes: 10, reason: "cool down" });
    const answer = await mod.client.nextOfType("muted");
    expect(answer).toMatchObject({ id: tab1.id, name: "Noisy", user: "u-noisy" });
    const until = answer.until as number;
    expect(until).toBeGreaterThan(Date.now() + 9 * 60_000);
    for (const tab of [tab1, tab2]) {
      expect(await tab.client.nextOfType("mute_status")).toEqual({
        type: "mute_status",
        muted: true,
        until,
        reason: "cool down",
      });
    }
    // Nobody else hears of it.
    expect(bystander.client.received.some((p) => p.type === "mute_status")).toBe(false);

    const refusedPackets = [
      { type: "chat", text: "let me speak", cid: "c1" },
      { type: "edit", seq: earlier, text: "changed" },
      { type: "react", seq: earlier, reaction: "👍" },
      { type: "state", state: { status: "angry" } },
    ];
    for (const packet of refusedPackets) {
      tab2.client.send(packet);
      const refused = await tab2.client.nextOfType("error");
      expect(refused, packet.type).toMatchObject({ code: "muted", for: packet.type });
      expect(refused.message).toContain("cool down");
      expect(refused.retryAfterMs as number).toBeGreaterThan(9 * 60_000);
      expect(refused.retryAfterMs as number).toBeLessThanOrEqual(until - Date.now() + 1000);
    }
    // Typing is dropped unanswered; the others' typing still goes round.
    tab1.client.send({ type: "typing" });
    bystander.client.send({ type: "typing" });
    const [heard, own] = await upToMarker(bystander.client, [mod.client, tab1.client]);
    expect(heard!.some((p) => p.type === "chat" && p.text === "let me speak")).toBe(false);
    expect(heard!.some((p) => p.type === "edited" || p.type === "reactions")).toBe(false);
    // It still reads: the bystander's marker reached it.
    expect(own!.at(-1)).toMatchObject({ type: "chat", sender: { id: bystander.id } });
    await sleep(800);
    const typers = mod.client.received.flatMap((p) => (p.type === "signals" ? ((p.typing as number[]) ?? []) : []));
    expect(typers).toContain(bystander.id);
    expect(typers).not.toContain(tab1.id);
    expect(mod.client.received.some((p) => p.type === "signals" && JSON.stringify(p).includes("angry"))).toBe(false);
    expect(errorsOf(tab1.client.received)).toEqual([]);
    // A muted member may still take back what it said.
    tab1.client.send({ type: "delete", seq: earlier });
    expect(await bystander.client.nextOfType("deleted")).toMatchObject({ seq: earlier, by: "author" });
  });

  it("tells a muted member again in its welcome, across a restart of the room, until unmuted", async () => {
    const room = uniqueRoom("mute-welcome");
    const mod = await moderatorOf(room);
    const target = await member(room, { sub: "u-back", name: "Back" });
    mod.client.send({ type: "mute", id: target.id, reason: "spam" });
    expect(await mod.client.nextOfType("muted")).toEqual({
      type: "muted",
      id: target.id,
      name: "Back",
      user: "u-back",
    });
    expect(await target.client.nextOfType("mute_status")).toEqual({ type: "mute_status", muted: true, reason: "spam" });

    await abortAllDurableObjects();
    const again = await member(room, { sub: "u-back", name: "Back" });
    expect(again.welcome.muted).toEqual({ reason: "spam" });
    again.client.send({ type: "chat", text: "after the restart" });
    const refused = await again.client.nextOfType("error");
    expect(refused).toMatchObject({ code: "muted" });
    expect(refused.retryAfterMs).toBeUndefined();
    expect((await member(room, { sub: "u-other", name: "Other" })).welcome.muted).toBeUndefined();

    const back = await moderatorOf(room);
    back.client.send({ type: "unmute", user: "u-back" });
    expect(await back.client.nextOfType("unmuted")).toEqual({ type: "unmuted", user: "u-back" });
    expect(await again.client.nextOfType("mute_status")).toEqual({ type: "mute_status", muted: false });
    expect(await say(again.client, "free again")).toBeGreaterThan(0);
    back.client.send({ type: "unmute", user: "u-back" });
    expect(await back.client.nextOfType("error")).toMatchObject({ code: "not_found" });
    expect((await member(room, { sub: "u-back", name: "Back" })).welcome.muted).toBeUndefined();
  });

  it("mutes an anonymous member by its address: its anonymous connections there, not others, across a restart", async () => {
    const room = uniqueRoom("mute-address");
    const mod = await moderatorOf(room);
    const address = "198.51.100.7";
    const anon = await member(room, undefined, address, "loud");
    const sibling = await member(room, undefined, address, "sibling");
    const elsewhere = await member(room, undefined, "198.51.100.8", "elsewhere");
    const verified = await member(room, { sub: "u-same-net", name: "Neighbour" }, address);
    mod.client.send({ type: "mute", id: anon.id, minutes: 5 });
    const { user: handle } = await mod.client.nextOfType("muted");
    expect(handle).toMatch(/^address:[0-9a-f]{32}$/);
    for (const silenced of [anon, sibling]) {
      expect(await silenced.client.nextOfType("mute_status")).toMatchObject({ muted: true });
      silenced.client.send({ type: "chat", text: "hello?" });
      expect(await silenced.client.nextOfType("error")).toMatchObject({ code: "muted" });
    }
    expect(await say(elsewhere.client, "I may speak")).toBeGreaterThan(0);
    expect(await say(verified.client, "so may I")).toBeGreaterThan(0);
    // The room keeps no address in the clear.
    const stored = await runInDurableObject(env.ROOMS.getByName(room), (_: ChatRoom, state) =>
      JSON.stringify(state.storage.sql.exec(`SELECT * FROM mutes`).toArray()),
    );
    expect(stored).not.toContain(address);

    // The room starts again: its anonymous members from that address are still muted, and newcomers from there too.
    await abortAllDurableObjects();
    const returning = await member(room, undefined, address, "loud");
    expect(returning.welcome.muted).toMatchObject({ until: expect.any(Number) });
    returning.client.send({ type: "rename", name: "quiet" });
    expect(await returning.client.nextOfType("error")).toMatchObject({ code: "muted", for: "rename" });
    expect((await member(room, undefined, "198.51.100.9", "fresh")).welcome.muted).toBeUndefined();

    const back = await moderatorOf(room);
    back.client.send({ type: "unmute", user: handle });
    expect(await returning.client.nextOfType("mute_status")).toEqual({ type: "mute_status", muted: false });
    expect(await say(returning.client, "thanks")).toBeGreaterThan(0);
  });

  it("keeps an address's members muted after the idle room is evicted and re-created", {
    timeout: 60_000,
  }, async () => {
    const room = uniqueRoom("mute-hibernate");
    const stub = env.ROOMS.getByName(room);
    const mod = await moderatorOf(room);
    const address = "198.51.100.20";
    const anon = await member(room, undefined, address, "loud");
    // A third member: in a sharded room (the worker-sharded project) it is on a shard, and the room that wakes a hub.
    const sibling = await member(room, undefined, address, "sibling");
    mod.client.send({ type: "mute", id: anon.id, minutes: 30 });
    await mod.client.nextOfType("muted");
    await sibling.client.nextOfType("mute_status");
    const marker = Symbol.for("test.instance");
    await runInDurableObject(stub, (instance) => {
      (instance as unknown as Record<symbol, boolean>)[marker] = true;
    });
    // The runtime evicts an object idle for about 10 s; looking at it is activity, so look only after that long.
    let evicted = false;
    for (let look = 0; look < 3 && !evicted; look++) {
      await sleep(11_000);
      evicted = await runInDurableObject(
        stub,
        (instance) => (instance as unknown as Record<symbol, boolean>)[marker] === undefined,
      );
    }
    expect(evicted).toBe(true);
    // The new instance knows them by their addresses' hashes before it takes their frames.
    for (const silenced of [anon, sibling]) {
      silenced.client.send({ type: "chat", text: "after sleep" });
      expect(await silenced.client.nextOfType("error")).toMatchObject({ code: "muted", for: "chat" });
    }
    const [heard] = await upToMarker(mod.client, [mod.client]);
    expect(heard!.some((p) => p.type === "chat" && p.text === "after sleep")).toBe(false);
  });

  it("tells a tutorial client of its mute in its own words, and refuses its chat", async () => {
    const room = uniqueRoom("mute-tutorial");
    const mod = await moderatorOf(room);
    const godot = await connect(`/rooms/${room}`, "192.0.2.44");
    godot.sendBinary({ type: "user_joined", name: "godot" });
    await godot.next((p) => p.type === "server_message" && String(p.message).includes("joined"));
    const { members } = await (await env.ROOMS.getByName(room)).info();
    const id = members.find((m) => m.name === "godot")!.id;
    mod.client.send({ type: "mute", id, minutes: 10, reason: "language" });
    await mod.client.nextOfType("muted");
    expect(await godot.next((p) => p.type === "server_message" && String(p.message).includes("muted"))).toMatchObject({
      message: "A moderator muted you for 10 minutes: language",
    });
    godot.sendBinary({ type: "chat_message", message: "hi" });
    expect(await godot.next((p) => p.type === "server_message" && p.code !== undefined)).toMatchObject({
      code: "muted",
    });
    mod.client.send({ type: "unmute", user: (await mod.client.received.find((p) => p.type === "muted"))!.user });
    expect(await godot.next((p) => p.type === "server_message" && String(p.message).includes("speak"))).toMatchObject({
      message: "You may speak again.",
    });
  });

  it("lets only moderators mute, never another moderator; a moderator cannot lift or replace the admin's mute", async () => {
    const room = uniqueRoom("mute-rules");
    const mod = await moderatorOf(room, "mod-a");
    const other = await moderatorOf(room, "mod-b");
    const plain = await member(room, { sub: "u-plain", name: "Plain" });
    const target = await member(room, { sub: "u-t", name: "Target" });
    plain.client.send({ type: "mute", id: target.id });
    expect(await plain.client.nextOfType("error")).toMatchObject({ code: "forbidden" });
    plain.client.send({ type: "unmute", user: "u-t" });
    expect(await plain.client.nextOfType("error")).toMatchObject({ code: "forbidden" });
    mod.client.send({ type: "mute", id: other.id });
    expect(await mod.client.nextOfType("error")).toMatchObject({
      code: "forbidden",
      message: expect.stringContaining("moderator"),
    });
    for (const packet of [
      { type: "mute", id: target.id, minutes: 0 },
      { type: "mute", user: "u-t" },
      { type: "unmute" },
    ]) {
      mod.client.send(packet);
      expect(await mod.client.nextOfType("error")).toMatchObject({ code: "invalid_field" });
    }
    mod.client.send({ type: "mute", id: 999_999 });
    expect(await mod.client.nextOfType("error")).toMatchObject({ code: "not_found" });

    // The admin mutes a user by id, in the room or not; a moderator may neither lift nor replace that mute.
    const muted = await admin(room, "mute", "POST", { user: "u-t", minutes: 30, reason: "by the admin" });
    expect(muted.status).toBe(200);
    expect(await muted.json()).toMatchObject({ ok: true, type: "muted", user: "u-t", until: expect.any(Number) });
    expect(await target.client.nextOfType("mute_status")).toMatchObject({ muted: true, reason: "by the admin" });
    mod.client.send({ type: "unmute", user: "u-t" });
    expect(await mod.client.nextOfType("error")).toMatchObject({ code: "forbidden" });
    mod.client.send({ type: "mute", id: target.id, minutes: 1 });
    expect(await mod.client.nextOfType("error")).toMatchObject({ code: "forbidden" });
    // The admin may mute a moderator.
    expect((await admin(room, "mute", "POST", { id: other.id })).status).toBe(200);
    other.client.send({ type: "chat", text: "mods too" });
    expect(await other.client.nextOfType("error")).toMatchObject({ code: "muted" });

    const lifted = await admin(room, "unmute", "POST", { user: "u-t" });
    expect(await lifted.json()).toEqual({ ok: true, type: "unmuted", user: "u-t" });
    expect(await target.client.nextOfType("mute_status")).toEqual({ type: "mute_status", muted: false });
    expect((await admin(room, "unmute", "POST", { user: "u-t" })).status).toBe(404);
    expect((await admin(room, "mute", "POST", { user: "u-x", id: 3 })).status).toBe(400);
    const get = await admin(room, "mute");
    expect([get.status, get.headers.get("Allow")]).toEqual([405, "POST"]);
  });

  it("ends a timed mute at its end, unannounced, and the alarm forgets it", async () => {
    const room = uniqueRoom("mute-ends");
    const mod = await moderatorOf(room);
    const target = await member(room, { sub: "u-brief", name: "Brief" });
    mod.client.send({ type: "mute", id: target.id, minutes: 1 });
    const { until } = await mod.client.nextOfType("muted");
    expect((await storedBy(room)).alarm).toBeLessThanOrEqual(until as number);
    await endMutes(room);
    // Its end is not announced; a client ends it itself. A restart reads the mute as it is stored: ended.
    await abortAllDurableObjects();
    const again = await member(room, { sub: "u-brief", name: "Brief" });
    expect(again.welcome.muted).toBeUndefined();
    expect(await say(again.client, "my time is up")).toBeGreaterThan(0);
    const mutesKept = () =>
      runInDurableObject(
        env.ROOMS.getByName(room),
        (_: ChatRoom, state) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM mutes`).one().n,
      );
    expect(await mutesKept()).toBe(1);
    // Kept until the alarm, which the room set for the mute's end, rings.
    await runDurableObjectAlarm(env.ROOMS.getByName(room));
    expect(await mutesKept()).toBe(0);
  });

  it("keeps a room's storage for a mute without end, with nobody in it", async () => {
    const room = uniqueRoom("mute-keeps");
    expect((await admin(room, "mute", "POST", { user: "u-away" })).status).toBe(200);
    const { tables } = await storedBy(room);
    expect(tables).toContain("mutes");
    const back = await member(room, { sub: "u-away", name: "Away" });
    expect(back.welcome.muted).toEqual({});
  });
});
