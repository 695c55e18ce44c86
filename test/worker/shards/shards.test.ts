// Rooms of many objects, run with SHARD_CAPACITY 2 (vitest.config.ts, project "worker-sharded"): the hub holds the
// first two connections of a room, shard 1 the next two, and so on. Every other worker test runs on such rooms
// too; these are about what only sharding has: which object holds whom, crashes of one object, and the order of
// deliveries between them.

import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RoomShard } from "../../../src/server/shards/shard";
import { type Delivery, shardName } from "../../../src/server/shards/wire";
import {
  announcedJoins,
  announcedLeaves,
  type Client,
  connect,
  joinNative,
  knownMemberIds,
  type Packet,
  uniqueRoom,
  upToMarker,
} from "../client";

const shardOf = (room: string, shard: number) => env.SHARDS.getByName(shardName(room, shard));
const socketsOn = (stub: DurableObjectStub) => runInDurableObject(stub, (_, state) => state.getWebSockets().length);

/** Crashes one object, as the runtime would: its sockets drop (1006), its storage stays. */
async function crash(stub: DurableObjectStub): Promise<void> {
  // abort() throws, in the object and to whoever called into it.
  await expect(runInDurableObject(stub, (_, state) => state.abort("crash"))).rejects.toThrow("crash");
}

/** Members ann and bob on the hub, cat and dan on shard 1, each having heard of everyone. */
async function fourMembers(label: string) {
  const room = uniqueRoom(label);
  const members: Record<string, { client: Client; welcome: Packet }> = {};
  for (const name of ["ann", "bob", "cat", "dan"]) members[name] = await joinNative(room, name);
  const everyone = Object.values(members)
    .map(({ welcome }) => welcome.id as number)
    .sort((a, b) => a - b);
  for (const member of Object.values(members)) await expect.poll(() => knownMemberIds(member)).toEqual(everyone);
  return { room, ...(members as Record<"ann" | "bob" | "cat" | "dan", { client: Client; welcome: Packet }>) };
}

describe("a room of many objects", () => {
  it("places connections past SHARD_CAPACITY on shards, and every member hears every message once, in one order", async () => {
    const room = uniqueRoom("shards-order");
    const names = ["a", "b", "c", "d", "e"];
    const members = [];
    for (const name of names) members.push(await joinNative(room, name));
    expect(await socketsOn(env.ROOMS.getByName(room))).toBe(2);
    expect(await socketsOn(shardOf(room, 1))).toBe(2);
    expect(await socketsOn(shardOf(room, 2))).toBe(1);

    for (let round = 0; round < 4; round++) {
      for (const { client, welcome } of members) client.send({ type: "chat", text: `${welcome.name} ${round}` });
    }
    const heard = await Promise.all(members.map(({ client }) => client.collect((p) => p.type === "chat", 20)));
    const order = heard[0]!.map((p) => p.seq);
    expect(new Set(order).size).toBe(20);
    expect(order).toEqual([...order].sort((x, y) => (x as number) - (y as number)));
    for (const packets of heard)
      expect(packets.map((p) => [p.seq, p.text])).toEqual(heard[0]!.map((p) => [p.seq, p.text]));
    // A chat sent now reaches everyone after all twenty: up to it, nobody heard any of them twice.
    const upToMarkers = await upToMarker(
      members[0]!.client,
      members.map(({ client }) => client),
    );
    for (const packets of upToMarkers) expect(packets.filter((p) => p.type === "chat")).toHaveLength(21);
    expect((await env.ROOMS.getByName(room).info()).members.map((m) => m.name)).toEqual(names);
  });

  it("loses only a crashed shard's sockets: they come back with their resume key and miss nothing, the rest are dropped", async () => {
    const { room, ann, bob, cat, dan } = await fourMembers("shard-crash");
    await crash(shardOf(room, 1));
    expect(await cat.client.closed).toBe(1006);
    expect(await dan.client.closed).toBe(1006);

    ann.client.send({ type: "chat", text: "while cat was away" });
    const missed = await bob.client.nextOfType("chat");
    const back = await connect(`/rooms/${room}`);
    back.send({ type: "join", name: "cat", since: 0, resume: cat.welcome.resumeKey });
    const welcome = await back.nextOfType("welcome");
    expect((welcome.history as Packet[]).map((p) => p.text)).toEqual(["while cat was away"]);
    expect(welcome.lastSeq).toBe(missed.seq);
    // The ghost cat leaves as cat comes back; dan, who does not, is dropped by the hub's next upkeep.
    const catLeft = await ann.client.next((p) => announcedLeaves(p).some((m) => m.id === cat.welcome.id));
    expect(announcedLeaves(catLeft).map((m) => m.name)).not.toContain("dan");
    await runDurableObjectAlarm(env.ROOMS.getByName(room));
    const danLeft = await ann.client.next((p) => announcedLeaves(p).some((m) => m.id === dan.welcome.id));
    expect(announcedLeaves(danLeft)).toEqual([{ id: dan.welcome.id, name: "dan" }]);
    expect((await env.ROOMS.getByName(room).info()).members.map((m) => m.name)).toEqual(["ann", "bob", "cat"]);

    back.send({ type: "chat", text: "back" });
    expect(await ann.client.next((p) => p.type === "chat" && p.text === "back")).toMatchObject({
      sender: { name: "cat" },
    });
  });

  it("loses nothing anyone saw when the hub restarts: its shards' members stay, and its own come back and resume", async () => {
    const { room, ann, bob, cat, dan } = await fourMembers("hub-crash");
    ann.client.send({ type: "chat", text: "before" });
    const before = await dan.client.nextOfType("chat");
    await crash(env.ROOMS.getByName(room));
    expect(await ann.client.closed).toBe(1006);
    expect(await bob.client.closed).toBe(1006);

    // The hub starts again at the shard's next frame, and asks its shards whom they hold first. Its own members'
    // sockets died with it: the shards' members hear that they left, before anything said after.
    cat.client.send({ type: "chat", text: "after" });
    const after = await dan.client.next((p) => p.type === "chat" && p.text === "after");
    expect(after.seq).toBe((before.seq as number) + 1);
    const leaves = dan.client.received.slice(0, dan.client.received.indexOf(after)).flatMap(announcedLeaves);
    expect(leaves.map((m) => m.id)).toEqual([ann.welcome.id, bob.welcome.id]);
    expect((await env.ROOMS.getByName(room).info()).members.map((m) => m.name)).toEqual(["cat", "dan"]);

    const { client: annBack, welcome } = await joinNative(room, "ann", before.seq as number);
    expect((welcome.history as Packet[]).map((p) => p.text)).toEqual(["after"]);
    expect(await cat.client.next((p) => p.type === "join" && p.name === "ann")).toMatchObject({ id: welcome.id });
    // Up to a chat sent now, dan heard each chat once.
    const [danHeard] = await upToMarker(annBack, [dan.client]);
    expect(danHeard!.filter((p) => p.type === "chat").map((p) => p.text)).toEqual([
      "before",
      "after",
      expect.stringMatching(/^marker /),
    ]);
  });

  it("keeps its own members for its shards' sake only once a shard has one, and as they are named when it crashes", async () => {
    const room = uniqueRoom("hub-roster");
    // A fresh stub each time: a crashed object's stays broken. Undefined: the roster has not started (the first
    // join made its tables, empty).
    const kept = () =>
      runInDurableObject(env.ROOMS.getByName(room), (_, state) => {
        const started = state.storage.sql.exec(`SELECT 1 FROM hub_roster_started`).toArray().length > 0;
        return !started
          ? undefined
          : state.storage.sql
              .exec<{ member: string }>(`SELECT member FROM hub_members ORDER BY id`)
              .toArray()
              .map((row) => (JSON.parse(row.member) as { name: string }).name);
      });
    const ann = await joinNative(room, "ann");
    const bob = await joinNative(room, "bob");
    expect(await kept()).toBeUndefined();
    const cat = await joinNative(room, "cat");
    await ann.client.next((p) => announcedJoins(p).some((m) => m.name === "cat"));
    expect(await kept()).toEqual(["ann", "bob"]);

    bob.client.send({ type: "rename", name: "bea" });
    await cat.client.nextOfType("rename");
    ann.client.socket.close(1000);
    expect(announcedLeaves(await cat.client.next((p) => announcedLeaves(p).length > 0))).toMatchObject([
      { name: "ann" },
    ]);
    expect(await kept()).toEqual(["bea"]);

    await crash(env.ROOMS.getByName(room));
    cat.client.send({ type: "chat", text: "anyone?" });
    const chat = await cat.client.next((p) => p.type === "chat");
    const leaves = cat.client.received.slice(0, cat.client.received.indexOf(chat)).flatMap(announcedLeaves);
    expect(leaves).toEqual([
      { id: ann.welcome.id, name: "ann" },
      { id: bob.welcome.id, name: "bea" },
    ]);
    expect(await kept()).toEqual([]);
  });

  it("applies the hub's deliveries in the hub's order, each once, whatever order they arrive in", async () => {
    const { room, cat } = await fourMembers("shard-reorder");
    const chat = (seq: number) =>
      ({
        kind: "packet",
        packet: { type: "chat", seq, ts: 0, sender: { id: 1, name: "x" }, text: `m${seq}` },
      }) as const;
    // An epoch later than the hub's: the shard follows it from tick 1, as it would a hub that started again.
    const epoch = Date.now() + 60_000;
    const delivery = (tick: number, ...seqs: number[]): Delivery => ({ epoch, tick, items: seqs.map(chat) });
    const shard = shardOf(room, 1) as DurableObjectStub<RoomShard>;
    for (const arriving of [
      delivery(3, 9005),
      delivery(1, 9001, 9002),
      delivery(1, 9001, 9002),
      delivery(4, 9006),
      delivery(2, 9003, 9004),
      delivery(3, 9005),
    ]) {
      await shard.deliver(arriving);
    }
    await shard.deliver({ epoch: epoch - 1, tick: 5, items: [chat(9007)] });
    // The next tick, last: once it is heard, everything delivered before it has been applied.
    await shard.deliver(delivery(5, 9008));
    const heard = await cat.client.upTo((p) => p.type === "chat" && p.seq === 9008);
    expect(heard.filter((p) => p.type === "chat" && (p.seq as number) > 9000).map((p) => p.seq)).toEqual([
      9001, 9002, 9003, 9004, 9005, 9006, 9008,
    ]);
  });

  it("lets no client place itself on a shard or bring a session: the Worker drops such headers", async () => {
    const room = uniqueRoom("shard-forged");
    const forged = {
      "X-Room-Shard": "1",
      "X-Room-Connection": "forged",
      "X-Room-Session": JSON.stringify({ joined: true, id: 99, name: "root", dialect: "native", resumeKey: "k" }),
    };
    const intruder = await connect(`/rooms/${room}`, undefined, forged);
    intruder.send({ type: "chat", text: "as root" });
    expect(await intruder.nextOfType("error")).toMatchObject({ code: "not_joined" });
    expect(await socketsOn(env.ROOMS.getByName(room))).toBe(1);
    expect(await socketsOn(shardOf(room, 1))).toBe(0);
    expect(
      await env.SHARDS.getByName(shardName(room, 1))
        .fetch("http://shard/", { headers: { "X-Room-Connection": "x" } })
        .then((r) => r.status),
    ).toBe(400);
  });

  it("numbers from 1 again on its shards too once the room is deleted and people come back", async () => {
    const { room, ann, cat } = await fourMembers("shard-wipe");
    ann.client.send({ type: "chat", text: "before" });
    expect(await cat.client.nextOfType("chat")).toMatchObject({ seq: 1 });
    ann.client.send({ type: "chat", text: "and again" });
    expect(await cat.client.nextOfType("chat")).toMatchObject({ seq: 2 });
    const wiped = await SELF.fetch(`http://rooms.test/api/rooms/${room}`, {
      method: "DELETE",
      headers: { Authorization: "Bearer admin-token-of-the-worker-pool" },
    });
    expect(wiped.status).toBe(200);
    expect(await cat.client.closed).toBe(4002);

    const back = [];
    for (const name of ["ann", "bob", "cat"]) back.push(await joinNative(room, name));
    expect(await socketsOn(shardOf(room, 1))).toBe(1);
    back[0]!.client.send({ type: "chat", text: "a new room" });
    expect(await back[2]!.client.nextOfType("chat")).toMatchObject({ seq: 1, text: "a new room" });
  });
});
