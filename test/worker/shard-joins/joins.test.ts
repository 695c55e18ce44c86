// Joins admitted where they land, run with SHARD_CAPACITY 20 and ROOM_JOINS_PER_SECOND 2 (vitest.config.ts, project
// "worker-shard-joins"): a burst of ten joins per object. The hub holds a room's first 20 connections, shard 1 the
// next 20, and so on; each object admits the joins of the connections it holds against its own budget.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Client, connect, joinNative, type Packet, uniqueRoom } from "../client";

const CAPACITY = 20;
const BURST = 10;
const PER_SECOND = 2;

/** `count` connections to `room`, opened one after another, so that they fill the hub, then shard 1, and so on. */
async function connections(room: string, count: number): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < count; i++) clients.push(await connect(`/rooms/${room}`));
  return clients;
}

/** The first answer to a join: its welcome, or its refusal. */
const answerOf = (client: Client) => client.next((p) => p.type === "welcome" || p.type === "error");

/** How many members each object of `room` holds: the hub's own first, then each shard's. */
async function membersPerObject(room: string): Promise<number[]> {
  const info = await env.ROOMS.getByName(room).info();
  const onShards = (info.shards ?? []).sort((a, b) => a.shard - b.shard).map(({ members }) => members);
  return [info.memberCount - onShards.reduce((sum, members) => sum + members, 0), ...onShards];
}

describe("joins in a room of many objects", () => {
  it("are admitted by the object that holds the connection, each against its own joins per second", async () => {
    const room = uniqueRoom("joins-where-they-land");
    const clients = await connections(room, 3 * CAPACITY);
    const sentAt = Date.now();
    for (const [i, client] of clients.entries()) client.send({ type: "join", name: `arrival ${i}` });
    const answers = await Promise.all(clients.map(answerOf));
    const refilled = Math.ceil(((Date.now() - sentAt) / 1000) * PER_SECOND);

    const perObject = await membersPerObject(room);
    expect(perObject).toHaveLength(3);
    // Each object took a burst of its own: the room took three, where one object would take one.
    for (const admitted of perObject) {
      expect(admitted).toBeGreaterThanOrEqual(BURST);
      expect(admitted).toBeLessThanOrEqual(BURST + refilled);
    }
    const refused = answers.filter((p) => p.type === "error");
    expect(refused.length).toBe(answers.length - perObject.reduce((sum, admitted) => sum + admitted, 0));
    for (const refusal of refused)
      expect(refusal).toMatchObject({ code: "room_busy", retryAfterMs: expect.any(Number) });

    // A refused member on a shard that comes back when told gets in, as in a room of one object.
    const late = clients.findLast((_, i) => answers[i]!.type === "error")!;
    let answer: Packet = refused.at(-1)!;
    for (let attempt = 0; attempt < 10 && answer.type === "error"; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, answer.retryAfterMs as number));
      late.send({ type: "join", name: "patient" });
      answer = await answerOf(late);
    }
    expect(answer).toMatchObject({ type: "welcome", name: "patient" });
  });

  it("give their shard's join back when the hub refuses them for their name", async () => {
    const room = uniqueRoom("joins-given-back");
    await joinNative(room, "taken");
    // The hub's other 19 places are held by connections that do not join (yet): the next ones go to shard 1.
    await connections(room, CAPACITY - 1);
    const [first, second, ...arrivals] = await connections(room, 2 + BURST);
    // Eight joins refused for their name: each passed shard 1's budget before the hub refused it.
    for (const squatter of [first!, second!]) {
      for (let i = 0; i < 4; i++) squatter.send({ type: "join", name: "Taken", cid: `t${i}` });
      const refusals = await squatter.collect((p) => p.type === "error", 4);
      expect(refusals.map((p) => p.code)).toEqual(Array(4).fill("name_taken"));
    }
    // Shard 1's whole burst is still there for the ten who arrive now.
    for (const [i, client] of arrivals.entries()) client.send({ type: "join", name: `arrival ${i}` });
    const answers = await Promise.all(arrivals.map(answerOf));
    expect(answers.map((p) => p.type)).toEqual(Array(BURST).fill("welcome"));
    expect(await membersPerObject(room)).toEqual([1, BURST]);
  });
});
