// The room's counters through the admin API (`GET /api/rooms/<name>/counters`): after a scripted session (four
// joins, three chats, two refusals of known codes, a leave) every figure is exact. In the worker-sharded project
// (SHARD_CAPACITY 2) the third and fourth members are on shard 1: the hub and the shard each count what they did,
// and what one sent the other shows on both sides.

import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ObjectCounters } from "../../../src/server/observability/room-counters";
import { frameBytes } from "../../../src/shared/codec";
import { type Client, connect, type Packet, storedBy, uniqueRoom } from "../client";
import { admin } from "../moderation/members";

const sharded = Number(env.SHARD_CAPACITY ?? 5000) <= 2;

/** A member that counts what it sends, frames and bytes, as the room counts what it receives. */
function counting(client: Client) {
  const sent = { frames: 0, bytes: 0 };
  const send = (frame: string) => {
    sent.frames++;
    sent.bytes += frameBytes(frame);
    client.sendRaw(frame);
  };
  /** Every frame it received so far: packets and plain ones. */
  const received = () => client.received.length + client.plain.length;
  return { client, sent, send, received };
}

type Member = ReturnType<typeof counting>;

async function join(room: string, name: string): Promise<Member> {
  const member = counting(await connect(`/rooms/${room}`));
  member.send(JSON.stringify({ type: "join", name }));
  await member.client.nextOfType("welcome");
  return member;
}

/** Waits until `condition` holds: the frames a room counted as sent reach their clients a moment later. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const countersOf = async (room: string) => {
  const response = await admin(room, "counters");
  expect(response.status).toBe(200);
  return (await response.json()) as { room: string; objects: ObjectCounters[] };
};

describe("counters", () => {
  it("count a scripted session exactly, per object", async () => {
    const room = uniqueRoom("counters");
    const before = Date.now();
    // Ann's first words create the room's tables: the rows of the session are read from here.
    const ann = await join(room, "ann");
    ann.send(JSON.stringify({ type: "chat", text: "first" }));
    await ann.client.next((p) => p.type === "chat" && p.text === "first");
    const [base] = (await countersOf(room)).objects as [ObjectCounters];

    const members = [ann];
    for (const name of ["bob", "cat", "dan"]) {
      members.push(await join(room, name));
      // Each join is heard by everyone before the next: batches of joins would make fewer frames.
      await Promise.all(members.map((m) => m.client.next((p) => p.type === "join" && p.name === name)));
    }
    const [, bob, cat, dan] = members as [Member, Member, Member, Member];
    for (const [member, text] of [
      [ann, "hello"],
      [bob, "hi there"],
    ] as const) {
      member.send(JSON.stringify({ type: "chat", text }));
      await Promise.all(members.map((m) => m.client.next((p) => p.type === "chat" && p.text === text)));
    }
    // Two refusals: a second join (the hub refuses it), a frame that is not JSON (whoever holds cat's socket).
    bob.send(JSON.stringify({ type: "join", name: "bob" }));
    await bob.client.next((p) => p.type === "error" && p.code === "already_joined");
    cat.send("{not json");
    await cat.client.next((p) => p.type === "error" && p.code === "invalid_json");
    cat.client.socket.close(1000, "bye");
    const stayed = [ann, bob, dan];
    await Promise.all(stayed.map((m) => m.client.next((p) => p.type === "leave" && p.name === "cat")));

    const { room: named, objects } = await countersOf(room);
    expect(named).toBe(room);
    // In a sharded room, cat and dan were on shard 1, which still has a member.
    expect(objects.map((o) => o.object)).toEqual(sharded ? ["hub", "shard-1"] : ["hub"]);
    const [hub, shard] = objects as [ObjectCounters, ObjectCounters | undefined];
    const onHub = sharded ? [ann, bob] : members;
    const onShard = sharded ? [cat, dan] : [];
    const sum = (of: Member[], figure: (m: Member) => number) => of.reduce((n, m) => n + figure(m), 0);
    // What the room sent has reached its clients by now, or does in a moment: every frame, counted once.
    await until(() => sum(onHub, (m) => m.received()) === hub.counters.framesOut, "the hub's frames arrive");
    if (shard) await until(() => sum(onShard, (m) => m.received()) === shard.counters.framesOut, "shard's frames");

    expect(hub.startedAt).toBe(base.startedAt);
    expect(hub.startedAt).toBeGreaterThanOrEqual(before);
    expect(hub.counters).toMatchObject({
      wsMessagesIn: sum(onHub, (m) => m.sent.frames),
      wsBytesIn: sum(onHub, (m) => m.sent.bytes),
      messages: 3,
      joins: 4,
      leaves: 1,
      connections: onHub.length,
      refusals: sharded ? { already_joined: 1 } : { already_joined: 1, invalid_json: 1 },
      closes: sharded ? {} : { 1000: 1 },
      alarms: 0,
    });
    expect(hub.counters.awakeMs).toBeLessThanOrEqual(Date.now() - hub.startedAt);
    expect(hub.counters.storageBytes).toBeGreaterThan(0);
    // Since the tables were there: a row per chat, and nothing per join or leave (ids are reserved in blocks). A hub
    // with members on a shard also keeps its own members (hub-roster.ts), the count of its shards, and each member
    // on a shard in a row of its own with its name's index entry (shards/shard-members.ts: 2 a join, 1 a leave).
    // Reads: the welcomes' history with its reactions (one range of keys: storage/message-rows.ts), the room's
    // counters (storage/room-storage.ts), and on a hub with shards their members' rows for the member pages.
    expect(hub.counters.rowsWritten - base.counters.rowsWritten).toBe(sharded ? 12 : 2);
    expect(hub.counters.rowsRead - base.counters.rowsRead).toBe(sharded ? 25 : 11);
    if (!shard) {
      // Four upgrades and two reads of the counters; a room alone calls nobody.
      expect([hub.counters.callsIn, hub.counters.callsOut]).toEqual([6, 0]);
      return;
    }
    expect(shard.counters).toMatchObject({
      wsMessagesIn: sum(onShard, (m) => m.sent.frames),
      wsBytesIn: sum(onShard, (m) => m.sent.bytes),
      messages: 0,
      joins: 0,
      leaves: 0,
      connections: 2,
      refusals: { invalid_json: 1 },
      closes: { 1000: 1 },
      rowsRead: 0,
      rowsWritten: 0,
      alarms: 0,
    });
    // The hub's calls to its shard are the shard's calls in, and the other way round: the hub's deliveries are what
    // it tells of its shards (`GET /api/rooms/<name>`), and the counters' read is one more call each way.
    const info = (await (await SELF.fetch(`http://rooms.test/api/rooms/${room}`)).json()) as Packet;
    const [{ deliveries }] = info.shards as [{ deliveries: number }];
    expect(hub.counters.callsOut).toBe(deliveries + 1);
    expect(shard.counters.callsIn).toBe(2 + hub.counters.callsOut);
    expect(hub.counters.callsIn).toBe(4 + 2 + shard.counters.callsOut);
  });

  it("reading a room nobody joined creates nothing", async () => {
    const room = uniqueRoom("counters-none");
    const { objects } = await countersOf(room);
    expect(objects).toHaveLength(1);
    expect(objects[0]!.counters).toMatchObject({ joins: 0, rowsWritten: 0, refusals: {}, closes: {} });
    expect(await storedBy(room)).toEqual({ tables: [], alarm: null });
  });

  it("is the admin's only", async () => {
    const refused = await SELF.fetch("http://rooms.test/api/rooms/x/counters");
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as Packet).error).toBe("unauthorized");
  });
});
