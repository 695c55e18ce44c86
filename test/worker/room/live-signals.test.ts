// Live signals in a real room: typing and member state reach the others in batches, cost the room's storage nothing,
// and follow the rules of docs/protocol.md ("Live signals"). This pool delivers typing in rooms of at most 25
// members (TYPING_MAX_MEMBERS, vitest.config.ts).

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatRoom } from "../../../src/server/room/room";
import {
  type Client,
  connect,
  joinNative,
  joinTutorial,
  type Packet,
  sleep,
  token,
  uniqueRoom,
  upToMarker,
} from "../client";

const TYPING_MAX_MEMBERS = 25;
const SIGNALS_WINDOW_MS = 500;

/** Everything room `room` holds in its database, table by table (the runtime's own tables left out), and its alarm. */
function storedState(room: string): Promise<{ rows: Record<string, unknown[]>; alarm: number | null }> {
  return runInDurableObject(env.ROOMS.getByName(room), async (_, state) => {
    const { sql } = state.storage;
    const tables = sql
      .exec<{ name: string }>(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'`,
      )
      .toArray()
      .map((row) => row.name);
    const rows: Record<string, unknown[]> = {};
    for (const table of tables) rows[table] = sql.exec(`SELECT * FROM "${table}"`).toArray();
    return { rows, alarm: await state.storage.getAlarm() };
  });
}

const signalsOf = (received: Packet[]) => received.filter((p) => p.type === "signals");
const idsTyping = (received: Packet[]) => signalsOf(received).flatMap((p) => (p.typing as number[] | undefined) ?? []);

async function members(room: string, count: number, prefix = "m"): Promise<{ client: Client; welcome: Packet }[]> {
  const joined = [];
  for (let i = 0; i < count; i++) joined.push(await joinNative(room, `${prefix}${i}`));
  return joined;
}

describe("typing", () => {
  it("takes 1,160 typing signals and 140 changes of state, writes nothing, sets no alarm, and sends in batches", {
    timeout: 60_000,
  }, async () => {
    const room = uniqueRoom("typing-writes-nothing");
    const joined = await members(room, 20);
    const observer = joined[0]!.client;
    const before = await storedState(room);
    expect(Object.keys(before.rows)).not.toEqual([]);
    const startedAt = Date.now();
    const heardBefore = observer.received.length;
    // Each round every member sends five frames, half its rate limit's burst, and waits for more than five to refill
    // (a margin for frames that reach the room late); every other round one of them is a change of state, whose
    // own pace is one a second.
    for (let round = 0; round < 13; round++) {
      for (const { client } of joined) {
        for (let i = 0; i < 4; i++) client.send(i === 2 ? { type: "typing", stop: true } : { type: "typing" });
        client.send(round % 2 === 0 ? { type: "state", state: { status: `round ${round}` } } : { type: "typing" });
      }
      await sleep(1_200);
    }
    const elapsed = Date.now() - startedAt;
    expect(await storedState(room)).toEqual(before);
    const heard = await upToMarker(joined[1]!.client, [observer]);
    // Every signal was taken: none was refused.
    const refusals = joined.flatMap(({ client }) => client.received.filter((p) => p.type === "error"));
    expect(refusals.map((error) => `${error.for}: ${error.message}`)).toEqual([]);

    // Everyone heard every typer, in at most one frame of signals per window.
    const packets = heard[0]!.slice(heardBefore);
    const frames = signalsOf(packets).length;
    expect(frames).toBeGreaterThan(0);
    expect(frames).toBeLessThanOrEqual(Math.ceil(elapsed / SIGNALS_WINDOW_MS) + 1);
    expect(new Set(idsTyping(packets))).toEqual(new Set(joined.map(({ welcome }) => welcome.id)));
    // Each member's state as heard last is that of the last round.
    const heardStates = signalsOf(packets).flatMap(
      (p) => (p.states as { id: number; state: unknown }[] | undefined) ?? [],
    );
    const last = new Map(heardStates.map(({ id, state }) => [id, state]));
    for (const { welcome } of joined) expect(last.get(welcome.id as number)).toEqual({ status: "round 12" });
  });

  it("tells the others who types and who stopped; a chat ends it; a newcomer's welcome lists who types", async () => {
    const room = uniqueRoom("typing-seen");
    const [ann, bo, cy] = await members(room, 3);
    bo!.client.send({ type: "typing" });
    cy!.client.send({ type: "typing" });
    // In one batch, or two: the first goes at once if no window is open, and the second waits out the one it opens.
    const both = [bo!.welcome.id, cy!.welcome.id];
    const typing = await ann!.client.collect((p) => p.type === "signals", 1);
    if (typing.length === 1 && idsTyping(typing).length === 1)
      await ann!.client.collect((p) => p.type === "signals", 2);
    expect(idsTyping(ann!.client.received).sort()).toEqual(both.sort());
    expect(signalsOf(ann!.client.received).every((p) => Object.keys(p).join() === "type,typing")).toBe(true);
    const heardSoFar = signalsOf(ann!.client.received).length;
    cy!.client.send({ type: "typing", stop: true });
    await ann!.client.collect((p) => p.type === "signals", heardSoFar + 1);
    expect(signalsOf(ann!.client.received)[heardSoFar]).toEqual({ type: "signals", stopped: [cy!.welcome.id] });
    const { welcome } = await joinNative(room, "late");
    expect(welcome.typing).toEqual([bo!.welcome.id]);
    // A start its sender's chat overtakes is never heard after that chat: the chat says it all. (The change of state
    // goes at once, or waits in an open window; either way the start waits in the batch for the chat to drop it.)
    // The three are played to bo's socket in order, in one turn, as frames that arrive together are.
    const from = ann!.client.received.length;
    await runInDurableObject(env.ROOMS.getByName(room), async (instance: ChatRoom, state) => {
      const socket = state
        .getWebSockets()
        .find((held) => (held.deserializeAttachment() as { id?: number }).id === bo!.welcome.id);
      for (const packet of [
        { type: "state", state: { status: "writing" } },
        { type: "typing" },
        { type: "chat", text: "done typing" },
      ])
        await instance.webSocketMessage(socket!, JSON.stringify(packet));
    });
    await sleep(SIGNALS_WINDOW_MS + 100);
    const heard = (await upToMarker(ann!.client, [ann!.client]))[0]!.slice(from);
    const chat = heard.findIndex((p) => p.type === "chat" && p.text === "done typing");
    expect(chat).toBeGreaterThanOrEqual(0);
    expect(idsTyping(heard.slice(chat)), JSON.stringify(heard)).toEqual([]);
    // Past its chat, bo types no more for a newcomer either.
    expect((await joinNative(room, "later")).welcome.typing).toBeUndefined();
  });

  it("is never sent to a tutorial client, and refuses a stop that is not true", async () => {
    const room = uniqueRoom("typing-tutorial");
    const { client: ann } = await joinNative(room, "ann");
    const godot = await joinTutorial(room, "godot");
    const from = godot.received.length;
    ann.send({ type: "typing" });
    ann.send({ type: "typing", stop: "yes" });
    expect(await ann.nextOfType("error")).toMatchObject({ code: "invalid_field", for: "typing" });
    await sleep(SIGNALS_WINDOW_MS + 100);
    ann.send({ type: "state", state: { status: "away" } });
    await ann.nextOfType("signals");
    await sleep(SIGNALS_WINDOW_MS + 100);
    ann.send({ type: "chat", text: "marker" });
    const upTo = await godot.upTo((p) => p.message === "marker");
    expect(upTo.slice(from).map((p) => p.type)).toEqual(["chat_message"]);
  });

  it(`is not delivered in a room past ${TYPING_MAX_MEMBERS} members; state still is`, { timeout: 30_000 }, async () => {
    const room = uniqueRoom("typing-crowd");
    const joined = await members(room, TYPING_MAX_MEMBERS + 1);
    const [first, second] = joined;
    second!.client.send({ type: "typing" });
    second!.client.send({ type: "state", state: { status: "here" } });
    const states = await first!.client.nextOfType("signals");
    expect(states).toEqual({ type: "signals", states: [{ id: second!.welcome.id, state: { status: "here" } }] });
    await sleep(SIGNALS_WINDOW_MS + 100);
    const heard = await upToMarker(second!.client, [first!.client]);
    expect(idsTyping(heard[0]!)).toEqual([]);
    const info = await env.ROOMS.getByName(room).info();
    expect(info.typing).toBe(0);
  });
});

describe("member state", () => {
  it("is set at join, seen by others in the join and in pages, changed, and heard by everyone", async () => {
    const room = uniqueRoom("state");
    const { client: ann, welcome: annWelcome } = await joinNative(room, "ann");
    const bo = await connect(`/rooms/${room}`);
    bo.send({ type: "join", name: "bo", state: { status: "in a match", level: 7 } });
    const boWelcome = await bo.nextOfType("welcome");
    const bosEntry = { id: boWelcome.id, name: "bo", guest: true, state: { status: "in a match", level: 7 } };
    expect(boWelcome.members).toEqual([{ id: annWelcome.id, name: "ann", guest: true }, bosEntry]);
    expect(await ann.next((p) => p.type === "join" && p.name === "bo")).toEqual({ type: "join", ...bosEntry });
    ann.send({ type: "members" });
    expect((await ann.nextOfType("members")).members).toContainEqual(bosEntry);

    bo.send({ type: "state", state: { status: "away" } });
    const change = { type: "signals", states: [{ id: boWelcome.id, state: { status: "away" } }] };
    expect(await ann.nextOfType("signals")).toEqual(change);
    expect(await bo.nextOfType("signals")).toEqual(change);
    // Too soon after that: refused, with how long to wait.
    bo.send({ type: "state", state: { status: "back" } });
    const refused = await bo.nextOfType("error");
    expect(refused).toMatchObject({ code: "rate_limited", for: "state" });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1000);
    await sleep(refused.retryAfterMs as number);
    bo.send({ type: "state", state: {} });
    expect(await ann.nextOfType("signals")).toEqual({ type: "signals", states: [{ id: boWelcome.id, state: {} }] });
    ann.send({ type: "members" });
    expect((await ann.nextOfType("members")).members).toContainEqual({ id: boWelcome.id, name: "bo", guest: true });
  });

  it("refuses state that is not a small JSON object, at join and after, with invalid_state", async () => {
    const room = uniqueRoom("state-refused");
    const big = { note: "x".repeat(600) };
    for (const state of [[1], "away", 3, null, big]) {
      const client = await connect(`/rooms/${room}`);
      client.send({ type: "join", name: "ann", state });
      expect(await client.nextOfType("error")).toMatchObject({ code: "invalid_state", for: "join" });
      client.send({ type: "chat", text: "still not joined" });
      expect(await client.nextOfType("error")).toMatchObject({ code: "not_joined" });
    }
    const { client } = await joinNative(room, "ann");
    for (const state of [[1], "away", big, undefined]) {
      client.send({ type: "state", state });
      expect(await client.nextOfType("error")).toMatchObject({ code: "invalid_state", for: "state" });
    }
  });

  it("keeps what a verified member's token vouches for, and lists those fields as vouched", async () => {
    const room = uniqueRoom("state-vouched");
    const avatar = "https://games.example/avatars/ann.png";
    const annToken = await token({ sub: "u-ann", name: "Ann", state: { avatar } });
    const ann = await connect(`/rooms/${room}?token=${annToken}`);
    ann.send({ type: "join", name: "Ann", state: { status: "ready" } });
    const welcome = await ann.nextOfType("welcome");
    expect((welcome.members as Packet[])[0]).toEqual({
      id: welcome.id,
      name: "Ann",
      user: "u-ann",
      verified: true,
      state: { status: "ready", avatar },
      vouched: ["avatar"],
    });
    ann.send({ type: "state", state: { avatar: "https://evil.example/x.png" } });
    expect(await ann.nextOfType("error")).toMatchObject({ code: "forbidden", for: "state" });
    ann.send({ type: "state", state: { status: "afk", avatar } });
    expect(await ann.nextOfType("signals")).toEqual({
      type: "signals",
      states: [{ id: welcome.id, state: { status: "afk", avatar } }],
    });
    const bad = await token({ sub: "u-bo", name: "Bo", state: ["not", "an", "object"] });
    const refused = await connect(`/rooms/${room}?token=${bad}`).catch((error: Error) => error.message);
    expect(refused).toMatch(/HTTP 401.*state must be a JSON object/);
  });

  it("goes with a member's resume: the connection that replaces its ghost keeps its state", async () => {
    const room = uniqueRoom("state-resume");
    const { client: ann } = await joinNative(room, "ann");
    const first = await connect(`/rooms/${room}`);
    first.send({ type: "join", name: "bo", state: { status: "in a match" } });
    const welcome = await first.nextOfType("welcome");
    await ann.next((p) => p.type === "join" && p.name === "bo");
    // The room still holds bo's old connection (a phone that lost its network): bo comes back with its key.
    const back = await connect(`/rooms/${room}`);
    back.send({ type: "join", name: "bo", resume: welcome.resumeKey, since: welcome.lastSeq });
    const rewelcome = await back.nextOfType("welcome");
    const bo = (rewelcome.members as Packet[]).find((member) => member.id === rewelcome.id);
    expect(bo).toMatchObject({ name: "bo", state: { status: "in a match" } });
    expect(await ann.next((p) => p.type === "join" && p.id === rewelcome.id)).toMatchObject({
      name: "bo",
      state: { status: "in a match" },
    });
  });
});
