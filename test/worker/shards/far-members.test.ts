// A hub keeps its shards' members in its storage, not in its memory (shards/shard-members.ts), run with
// SHARD_CAPACITY 2 (project "worker-sharded"): ann and bob on the hub, cat and dan on shard 1, eve on shard 2. What
// the room must know of everyone still holds: names unique across the room, pages that list everyone, moderation
// by id that reaches a member on any shard, and each leave announced once, across a restart of the hub.

import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatRoom } from "../../../src/server/room/room";
import {
  announcedLeaves,
  type Client,
  connect,
  joinNative,
  knownMemberIds,
  type Packet,
  uniqueRoom,
  upToMarker,
} from "../client";

const NAMES = ["ann", "bob", "cat", "dan", "eve"] as const;

async function fiveMembers(label: string) {
  const room = uniqueRoom(label);
  const members = {} as Record<(typeof NAMES)[number], { client: Client; welcome: Packet }>;
  for (const name of NAMES) members[name] = await joinNative(room, name);
  const everyone = NAMES.map((name) => members[name].welcome.id as number);
  for (const name of NAMES) await expect.poll(() => knownMemberIds(members[name])).toEqual(everyone);
  return { room, ...members };
}

/** What the hub holds in memory, and what it keeps in storage, of its members. */
function hubHolds(room: string) {
  return runInDurableObject(env.ROOMS.getByName(room), (instance: ChatRoom, state) => {
    const { sessions } = instance as unknown as {
      sessions: { all(): unknown[]; joinedHere(): unknown[]; memberCount: number };
    };
    const stored = state.storage.sql
      .exec<{ shard: number; session: string }>(`SELECT shard, session FROM shard_members ORDER BY id`)
      .toArray()
      .map(({ shard, session }) => [shard, (JSON.parse(session) as { name: string }).name]);
    return {
      inMemory: sessions.all().length,
      membersInMemory: sessions.joinedHere().length,
      members: sessions.memberCount,
      stored,
    };
  });
}

const leavesHeardBy = (client: Client) => client.received.flatMap(announcedLeaves).map(({ name }) => name);

describe("a hub's members on its shards", () => {
  it("are kept in its storage, not its memory: names stay unique, pages list everyone, a kick reaches them", async () => {
    const { room, ann, dan, eve } = await fiveMembers("far-members");
    expect(await hubHolds(room)).toEqual({
      inMemory: 2,
      membersInMemory: 2,
      members: 5,
      stored: [
        [1, "cat"],
        [1, "dan"],
        [2, "eve"],
      ],
    });

    // A name held on a shard is taken, from anywhere in the room (this one lands on shard 3).
    const newcomer = await connect(`/rooms/${room}`);
    newcomer.send({ type: "join", name: "DAN" });
    expect(await newcomer.nextOfType("error")).toMatchObject({ code: "name_taken" });

    // Pages list the hub's members and its shards', in the order they joined.
    eve.client.send({ type: "members", after: ann.welcome.id as number, limit: 2 });
    expect(await eve.client.nextOfType("members")).toMatchObject({
      members: [{ name: "bob" }, { name: "cat" }],
      more: true,
    });
    expect((await env.ROOMS.getByName(room).info()).members.map((m) => m.name)).toEqual([...NAMES]);
    // A look at the room pages them the same way, its count the whole room's: two pages of 3 and 2, then no `next`.
    const look = async (query: string) =>
      (await (await SELF.fetch(`http://rooms.test/api/rooms/${room}${query}`)).json()) as {
        memberCount: number;
        members: { name: string }[];
        next?: number;
      };
    const first = await look("?limit=3");
    expect(first).toMatchObject({ memberCount: 5, next: expect.any(Number) });
    expect(first.members.map((m) => m.name)).toEqual(["ann", "bob", "cat"]);
    const second = await look(`?limit=3&after=${first.next}`);
    expect(second.members.map((m) => m.name)).toEqual(["dan", "eve"]);
    expect(second).not.toHaveProperty("next");

    // A kick by id reaches a member on a shard; everyone hears its leave, and its row goes.
    const danId = dan.welcome.id as number;
    const kicked = await SELF.fetch(`http://rooms.test/api/rooms/${room}/kick`, {
      method: "POST",
      headers: { Authorization: "Bearer admin-token-of-the-worker-pool" },
      body: JSON.stringify({ id: danId }),
    });
    expect(kicked.status).toBe(200);
    const left = await ann.client.next((p) => announcedLeaves(p).length > 0);
    expect(left).toMatchObject({ id: danId, name: "dan", reason: "kicked" });
    expect((await hubHolds(room)).stored.map(([, name]) => name)).toEqual(["cat", "eve"]);
  });

  it("hear each leave once across a restart of the hub, which keeps none of them in memory", async () => {
    const { room, ann, bob, cat, dan, eve } = await fiveMembers("far-restart");
    await expect(runInDurableObject(env.ROOMS.getByName(room), (_, state) => state.abort("crash"))).rejects.toThrow(
      "crash",
    );
    expect(await ann.client.closed).toBe(1006);
    expect(await bob.client.closed).toBe(1006);
    // Dan leaves while the hub is down: its shard tells the hub that starts again, which announces it once, after
    // the leaves of the hub's own members, whose sockets died with it.
    dan.client.socket.close(1000);
    await cat.client.next((p) => announcedLeaves(p).some(({ name }) => name === "dan"));
    expect(await hubHolds(room)).toMatchObject({ inMemory: 0, membersInMemory: 0, members: 2 });

    // The hub's upkeep asks its shards whom they hold: nobody leaves twice.
    await runDurableObjectAlarm(env.ROOMS.getByName(room));
    const [catHeard, eveHeard] = await upToMarker(cat.client, [cat.client, eve.client]);
    for (const heard of [catHeard!, eveHeard!]) {
      expect(heard.flatMap(announcedLeaves).map(({ name }) => name)).toEqual(["ann", "bob", "dan"]);
    }
    expect(leavesHeardBy(cat.client)).toEqual(["ann", "bob", "dan"]);
    expect((await env.ROOMS.getByName(room).info()).members.map((m) => m.name)).toEqual(["cat", "eve"]);
  });
});
