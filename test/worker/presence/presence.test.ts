// Summary presence (docs/protocol.md, "Presence in large rooms"), in pools where PRESENCE_LIST_MAX is 4
// (vitest.config.ts, "worker-presence" and, on rooms of many objects, "worker-presence-sharded"): past four members
// a room tells counts and its near members, not every join and leave; at three or fewer it lists everyone again.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Client, connect, joinNative, type Packet, uniqueRoom, upToMarker } from "../client";
import { moderatorOf, say } from "../moderation/members";

type Joined = { client: Client; welcome: Packet };

const ids = (members: unknown) => (members as { id: number }[]).map((member) => member.id);
const idOf = (member: Joined) => member.welcome.id as number;
const presenceOf = (client: Client) => client.received.filter((p) => p.type === "presence");
const ONE_BY_ONE = new Set(["join", "joins", "leave", "leaves"]);
/** The packets of `client` that announce joins or leaves one by one, from its `from`th packet on. */
const oneByOne = (client: Client, from = 0) => client.received.slice(from).filter((p) => ONE_BY_ONE.has(p.type));
/** Every id a client heard announced as gone in `presence` packets, as often as it heard it. */
const presenceLeaves = (client: Client) => presenceOf(client).flatMap((p) => ids(p.leaves ?? []));

/** Whether the room keeps its summary presence in storage (presence-store.ts). */
const storedSummary = (room: string) =>
  runInDurableObject(
    env.ROOMS.getByName(room),
    (_, state) =>
      state.storage.sql.exec(`SELECT value FROM counters WHERE name = 'presence_summary'`).toArray().length === 1,
  );

/**
 * Members a, b, c and d, a having spoken; then e, the fifth, takes the room past the threshold: everyone heard the
 * switch to summary presence, its near list holding a.
 */
async function summaryRoom(label: string) {
  const room = uniqueRoom(label);
  const a = await joinNative(room, "a");
  const b = await joinNative(room, "b");
  const c = await joinNative(room, "c");
  const d = await joinNative(room, "d");
  await say(a.client, "hello");
  const e = await joinNative(room, "e");
  for (const member of [a, b, c, d, e]) {
    expect(await member.client.nextOfType("presence")).toEqual({
      type: "presence",
      mode: "summary",
      memberCount: 5,
      members: [{ id: idOf(a), name: "a", guest: true }],
    });
  }
  return { room, a, b, c, d, e };
}

describe("summary presence", () => {
  it("past the threshold: a welcome lists the near members, everyone hears counts rather than each join, and the whole list still pages", async () => {
    const { room, a, b, c, d, e } = await summaryRoom("presence-counts");
    // The newcomer that tipped it: itself and the recent speaker, the count, and the rest to page.
    expect(e.welcome).toMatchObject({ presence: "summary", memberCount: 5, moreMembers: true });
    expect(ids(e.welcome.members)).toEqual([idOf(a), idOf(e)]);
    // d heard the four joins of list presence (its own and nothing later), then the switch; e only the switch.
    expect(oneByOne(d.client)).toHaveLength(1);
    expect(oneByOne(e.client)).toEqual([]);
    expect(await storedSummary(room)).toBe(true);

    const from = a.client.received.length;
    const f = await joinNative(room, "f");
    const g = await joinNative(room, "g");
    expect(g.welcome).toMatchObject({ presence: "summary", memberCount: 7, moreMembers: true });
    expect(ids(g.welcome.members)).toEqual([idOf(a), idOf(g)]);
    // Everyone hears the count: no join, and no more than one presence packet for the two joins, or one each.
    await a.client.next((p) => p.type === "presence" && p.memberCount === 7);
    await upToMarker(b.client, [a.client, c.client, f.client]);
    expect(oneByOne(a.client, from)).toEqual([]);
    expect(oneByOne(f.client)).toEqual([]);
    for (const packet of presenceOf(a.client).slice(1)) expect(packet).not.toHaveProperty("joins");

    // The whole list, in pages, as ever.
    a.client.send({ type: "members" });
    expect(ids((await a.client.nextOfType("members")).members)).toEqual(
      [a, b, c, d, e, f, g].map((member) => idOf(member)),
    );
  });

  it("tells near members' joins and leaves once (moderators, speakers, a kick's reason), and only counts the others'", async () => {
    const { room, a, b, c } = await summaryRoom("presence-near");
    // A moderator is near: its welcome lists it with the speaker, and everyone hears it join.
    const mod = await moderatorOf(room);
    expect(mod.welcome).toMatchObject({ presence: "summary", memberCount: 6 });
    expect(ids(mod.welcome.members)).toEqual([idOf(a), mod.id]);
    const moderator = { id: mod.id, name: "Mod mod-1", user: "mod-1", verified: true };
    expect(await c.client.next((p) => p.type === "presence" && p.memberCount === 6)).toEqual({
      type: "presence",
      mode: "summary",
      memberCount: 6,
      joins: [moderator],
    });
    // f is nobody's near member: its join and leave are counted only. b becomes near by speaking.
    const f = await joinNative(room, "f");
    await c.client.next((p) => p.type === "presence" && p.memberCount === 7);
    await say(b.client, "hi all");
    b.client.socket.close(1000);
    f.client.socket.close(1000);
    mod.client.send({ type: "kick", id: idOf(a), reason: "enough" });
    await c.client.next((p) => p.type === "presence" && p.memberCount === 4);
    // Once more, for the moderator's own leave; then nothing is told twice.
    const g = await joinNative(room, "g");
    await c.client.next((p) => p.type === "presence" && p.memberCount === 5);
    mod.client.socket.close(1000);
    await c.client.next((p) => p.type === "presence" && p.memberCount === 4);
    await upToMarker(g.client, [c.client]);
    expect(presenceOf(c.client).flatMap((p) => (p.leaves as unknown[] | undefined) ?? [])).toEqual([
      { id: idOf(b), name: "b", guest: true },
      { id: idOf(a), name: "a", guest: true, reason: "kicked" },
      moderator,
    ]);
    expect(presenceLeaves(g.client)).toEqual([mod.id]);
    expect(
      oneByOne(
        c.client,
        c.client.received.findIndex((p) => p.type === "presence"),
      ),
    ).toEqual([]);
  });

  it("switches back to list presence at three quarters of the threshold, and forth again past it", async () => {
    const { room, a, b, c, d, e } = await summaryRoom("presence-switch");
    // Four members: at the threshold, still summary (the way back is at three).
    e.client.socket.close(1000);
    await a.client.next((p) => p.type === "presence" && p.memberCount === 4);
    expect(presenceOf(a.client).at(-1)).toEqual({ type: "presence", mode: "summary", memberCount: 4 });
    d.client.socket.close(1000);
    expect(await a.client.next((p) => p.type === "presence" && p.mode === "list")).toEqual({
      type: "presence",
      mode: "list",
      memberCount: 3,
    });
    expect(await storedSummary(room)).toBe(false);
    // List presence again: every join is announced, and a welcome lists everyone.
    const h = await joinNative(room, "h");
    expect(h.welcome).toMatchObject({ presence: "list", memberCount: 4, moreMembers: false });
    expect(ids(h.welcome.members)).toEqual([idOf(a), idOf(b), idOf(c), idOf(h)]);
    expect(await a.client.next((p) => p.type === "join" && p.id === idOf(h))).toMatchObject({ name: "h" });
    // Past four again: the switch names the near members present.
    await say(b.client, "me too");
    const i = await joinNative(room, "i");
    expect(i.welcome).toMatchObject({ presence: "summary", memberCount: 5 });
    expect(await c.client.next((p) => p.type === "presence" && "members" in p)).toEqual({
      type: "presence",
      mode: "summary",
      memberCount: 5,
      members: [
        { id: idOf(a), name: "a", guest: true },
        { id: idOf(b), name: "b", guest: true },
      ],
    });
  });
});

describe("summary presence on a hub that restarts", () => {
  // Rooms of many objects only (SHARD_CAPACITY 2): a and b are on the hub, the others on its shards.
  it.runIf(Number(env.SHARD_CAPACITY) === 2)(
    "stays in summary presence, and tells the leaves of the hub's members lost with it",
    async () => {
      const { room, a, b, c, d } = await summaryRoom("presence-restart");
      const f = await joinNative(room, "f");
      await d.client.next((p) => p.type === "presence" && p.memberCount === 6);
      await runInDurableObject(env.ROOMS.getByName(room), (_, state) => state.abort("crash")).catch(() => {});
      expect(await a.client.closed).toBe(1006);
      // The hub starts again at a shard's next frame: a and b left with it. Whom clients may hold it does not know, so
      // it tells both, once.
      await say(c.client, "after");
      const told = await d.client.next((p) => p.type === "presence" && ids(p.leaves ?? []).includes(idOf(b)));
      expect(told).toMatchObject({ mode: "summary", memberCount: 4 });
      // Still summary presence: a newcomer's welcome says so, and nobody hears its join one by one.
      const g = await joinNative(room, "g");
      expect(g.welcome).toMatchObject({ presence: "summary", memberCount: 5 });
      await d.client.next((p) => p.type === "presence" && p.memberCount === 5);
      await upToMarker(f.client, [d.client]);
      expect(
        oneByOne(
          d.client,
          d.client.received.findIndex((p) => p.type === "presence"),
        ),
      ).toEqual([]);
      expect(presenceLeaves(d.client)).toEqual([idOf(a), idOf(b)]);
    },
  );
});

describe("list presence", () => {
  it("changes nothing up to the threshold: every join and leave, the whole list in a welcome, no presence packet", async () => {
    const room = uniqueRoom("presence-list");
    const a = await joinNative(room, "a");
    const b = await joinNative(room, "b");
    const c = await joinNative(room, "c");
    expect(c.welcome).toMatchObject({ presence: "list", memberCount: 3, moreMembers: false });
    expect(ids(c.welcome.members)).toEqual([idOf(a), idOf(b), idOf(c)]);
    // c's join is told, alone or in a batch with b's (joins come within the room's 50 ms window).
    await a.client.next((p) =>
      (p.type === "join" ? [p.id] : p.type === "joins" ? ids(p.members) : []).includes(idOf(c)),
    );
    b.client.socket.close(1000);
    expect(await a.client.nextOfType("leave")).toMatchObject({ id: idOf(b), name: "b" });
    await upToMarker(c.client, [a.client]);
    expect(presenceOf(a.client)).toEqual([]);
    expect(await storedSummary(room)).toBe(false);
  });

  it("keeps the tutorial dialect quiet in summary presence: no join or leave lines, chats as ever", async () => {
    const { room, a } = await summaryRoom("presence-tutorial");
    // No line tells the tutorial client of its own join: it is in once its history came.
    const godot = await connect(`/rooms/${room}`);
    godot.sendBinary({ type: "user_joined", name: "godot" });
    await godot.next((p) => p.type === "chat_message" && p.message === "hello");
    const from = godot.received.length;
    const f = await joinNative(room, "f");
    await a.client.next((p) => p.type === "presence" && p.memberCount === 7);
    f.client.socket.close(1000);
    await a.client.next((p) => p.type === "presence" && p.memberCount === 6);
    await say(a.client, "still here");
    await godot.next((p) => p.type === "chat_message" && p.message === "still here");
    expect(godot.received.slice(from).map((p) => p.message)).toEqual(["still here"]);
  });
});
