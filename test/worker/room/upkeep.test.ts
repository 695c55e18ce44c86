// What a room keeps and for how long: nothing for a room nobody joined, nothing once it is empty again, history
// until it expires; connections that overstay (no join in time, a member gone silent) are closed; and a room with
// members and nothing happening sleeps: no alarm, its silent members swept at its next event.
// This pool runs with JOIN_TIMEOUT_SECONDS = 2 and MEMBER_SILENCE_SECONDS = 2 (vitest.config.ts).

import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ListedRoom } from "../../../src/shared/protocol";
import { announcedLeaves, asGuest, connect, joinNative, joinTutorial, type Packet, sleep, uniqueRoom } from "../client";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The tables in a room's SQLite database, the runtime's own (`_cf_…`) left out. */
async function tablesOf(room: string): Promise<string[]> {
  return runInDurableObject(env.ROOMS.getByName(room), (_, state) =>
    state.storage.sql
      .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`)
      .toArray()
      .map((row) => row.name)
      .filter((name) => !name.startsWith("_cf_")),
  );
}

const alarmOf = (room: string) => runInDurableObject(env.ROOMS.getByName(room), (_, state) => state.storage.getAlarm());

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

/** A room where one member said `text` and left: history and no members. Resolves with the message's time. */
async function saidAndLeft(label: string, text: string): Promise<{ room: string; ts: number }> {
  const room = uniqueRoom(label);
  const { client: ann } = await joinNative(room, "ann");
  ann.send({ type: "chat", text });
  const { ts } = await ann.nextOfType("chat");
  ann.socket.close(1000);
  await ann.closed;
  await until(async () => (await env.ROOMS.getByName(room).info()).connections === 0, "ann is gone");
  return { room, ts: ts as number };
}

describe("a room nobody joined costs nothing", () => {
  it("reports a room never used as empty, and writes nothing to look at it", async () => {
    const room = uniqueRoom("looked-at");
    expect(await env.ROOMS.getByName(room).info()).toEqual({
      memberCount: 0,
      members: [],
      typing: 0,
      lastSeq: 0,
      settings: { slowModeSeconds: 0, listed: false },
      connections: 0,
    });
    expect(await tablesOf(room)).toEqual([]);
    expect(await alarmOf(room)).toBeNull();
  });

  it("writes nothing for a connection that never joins, even one that sends packets", async () => {
    const room = uniqueRoom("lurker");
    const lurker = await connect(`/rooms/${room}`);
    lurker.send({ type: "chat", text: "before join" });
    await lurker.nextOfType("error");
    lurker.send({ type: "history" });
    await lurker.nextOfType("error");
    lurker.socket.close(1000);
    await lurker.closed;
    expect(await tablesOf(room)).toEqual([]);
  });

  it("deletes its storage when the last member leaves and nothing was said", async () => {
    const room = uniqueRoom("passing");
    const { client: ann, welcome: first } = await joinNative(room, "ann");
    expect(await tablesOf(room)).not.toEqual([]);
    ann.socket.close(1000);
    await ann.closed;
    await until(async () => (await tablesOf(room)).length === 0, "the storage is deleted");
    expect(await alarmOf(room)).toBeNull();
    // A new life: it starts over, and says so to a client that remembers the old one (lastSeq 0).
    const { welcome } = await joinNative(room, "bob");
    expect(welcome).toMatchObject({ id: first.id, lastSeq: 0 });
  });

  it("keeps history when its last member leaves, with an alarm set to expire it and no sooner", async () => {
    const { room, ts } = await saidAndLeft("kept", "remember me");
    expect(await tablesOf(room)).toContain("messages");
    // Nobody is left to check on: the room sleeps until its oldest message is due to expire (a day at least).
    await until(async () => ((await alarmOf(room)) ?? 0) >= ts + DAY_MS, "the alarm is moved to the expiry");
    const { welcome } = await joinNative(room, "bob");
    expect(welcome.history).toMatchObject([{ seq: 1, text: "remember me" }]);
  });
});

describe("history expires", () => {
  /** Makes the room's messages up to `seq` look older than the 30 days history is kept. */
  const age = (room: string, seq: number) =>
    runInDurableObject(env.ROOMS.getByName(room), (_, state) => {
      state.storage.sql.exec(`UPDATE messages SET ts = ts - ? WHERE seq <= ?`, 31 * DAY_MS, seq);
    });

  it("deletes messages older than HISTORY_MAX_AGE_DAYS, and the sequence goes on where it was", async () => {
    const room = uniqueRoom("expiry");
    const { client: ann } = await joinNative(room, "ann");
    for (const text of ["old one", "old two", "fresh"]) {
      ann.send({ type: "chat", text });
      await ann.next((p) => p.type === "chat" && p.text === text);
    }
    await age(room, 2);
    expect(await runDurableObjectAlarm(env.ROOMS.getByName(room))).toBe(true);
    const { client: bob, welcome } = await joinNative(room, "bob");
    expect((welcome.history as Packet[]).map((m) => m.text)).toEqual(["fresh"]);
    expect(welcome.lastSeq).toBe(3);
    bob.send({ type: "chat", text: "after expiry" });
    expect(await ann.next((p) => p.type === "chat" && p.text === "after expiry")).toMatchObject({ seq: 4 });
    // History present: the alarm is set to expire it (a day ahead at the soonest), not to check on members.
    expect(await alarmOf(room)).toBeGreaterThanOrEqual(Date.now() + DAY_MS - 60_000);
  });

  it("leaves nothing of an empty room whose history has all expired", async () => {
    const { room } = await saidAndLeft("expired", "long ago");
    await age(room, 1);
    expect(await runDurableObjectAlarm(env.ROOMS.getByName(room))).toBe(true);
    expect(await tablesOf(room)).toEqual([]);
    expect(await alarmOf(room)).toBeNull();
  });

  it("sets the expiry alarm no sooner than a day ahead, and no later than the oldest message's expiry", async () => {
    const { room, ts } = await saidAndLeft("expiry-alarm", "hello");
    // Run early, the alarm sets itself again for the expiry.
    expect(await runDurableObjectAlarm(env.ROOMS.getByName(room))).toBe(true);
    expect(await alarmOf(room)).toBe(ts + 30 * DAY_MS);
  });
});

describe("connections that overstay", () => {
  it("closes a connection that does not join within JOIN_TIMEOUT_SECONDS (4008), and stops counting it", async () => {
    const room = uniqueRoom("no-join");
    const timeoutMs = Number(env.JOIN_TIMEOUT_SECONDS) * 1000;
    const started = Date.now();
    const lurker = await connect(`/rooms/${room}`);
    const { client: ann } = await joinNative(room, "ann");
    expect((await env.ROOMS.getByName(room).info()).connections).toBe(2);
    expect(await lurker.closed).toBe(4008);
    // Closed at the timeout, counted from before the connection opened: not sooner (the runtime's clock moves in
    // steps, hence 100 ms), nor later than a second of scheduling on a busy machine.
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(timeoutMs - 100);
    expect(waited).toBeLessThanOrEqual(timeoutMs + 1000);
    expect((await env.ROOMS.getByName(room).info()).connections).toBe(1);
    expect(ann.received.flatMap(announcedLeaves)).toEqual([]);
  });

  it("drops a member that pinged to keep alive and then fell silent, announcing its leave once", async () => {
    const room = uniqueRoom("silent");
    const { client: frozen, welcome } = await joinNative(room, "frozen");
    const { client: ann } = await joinNative(room, "ann");
    const godot = await joinTutorial(room, "godot");
    frozen.sendRaw("ping");
    await until(async () => frozen.plain.includes("pong"), "the pong");
    // ann keeps talking, and one of her chats, past frozen's silence limit, sweeps it; godot (the tutorial's client)
    // never pings, so it is never judged silent.
    for (let i = 0; i < 6; i++) {
      await sleep(500);
      ann.send({ type: "chat", text: `still here ${i}` });
    }
    expect(await frozen.closed).toBe(4008);
    const leaves = ann.received.flatMap(announcedLeaves);
    expect(leaves).toEqual([{ id: welcome.id, name: "frozen" }]);
    expect((await env.ROOMS.getByName(room).info()).members.map((m) => m.name)).toEqual(["ann", "godot"]);
    // On a sharded room godot is on a shard, which hears of the leave one delivery later than ann.
    const tellsFrozenLeft = (p: Packet) =>
      String(p.message).includes(`${asGuest("frozen")}(#`) && String(p.message).includes("left");
    await godot.next(tellsFrozenLeft);
    // Up to a chat sent after it, godot heard of it once.
    ann.send({ type: "chat", text: "after the leave" });
    const heard = await godot.upTo((p) => p.type === "chat_message" && p.message === "after the leave");
    expect(heard.filter(tellsFrozenLeft)).toHaveLength(1);
  });
});

describe("an idle room sleeps", () => {
  const HOUR_MS = 60 * 60 * 1000;

  it("sets no alarm for its members, and none within the hour once it has history: nothing wakes it", async () => {
    const room = uniqueRoom("idle");
    const { client: ann } = await joinNative(room, "ann");
    const { client: bob } = await joinNative(room, "bob");
    bob.sendRaw("ping");
    await until(async () => bob.plain.includes("pong"), "the pong");
    // Two members, one that keeps alive by pings, nothing said: nothing is due, and no alarm is set.
    expect(await alarmOf(room)).toBeNull();
    ann.send({ type: "chat", text: "hello" });
    await bob.nextOfType("chat");
    // What was said expires in 30 days: the alarm rings for it a day ahead at the soonest, never for the members.
    await until(async () => (await alarmOf(room)) !== null, "the expiry alarm is set");
    expect(await alarmOf(room)).toBeGreaterThanOrEqual(Date.now() + HOUR_MS);
  });

  it("tells the directory its last count by the alarm, and then sets none, however long its members stay", async () => {
    const room = uniqueRoom("idle-listed");
    await joinNative(room, "ann");
    await env.ROOMS.getByName(room).changeSettingsAsAdmin({ listed: true });
    // bob joins within DIRECTORY_REPORT_MS of the report its listing made: his count waits for the alarm.
    await joinNative(room, "bob");
    await until(async () => (await alarmOf(room)) !== null, "the report's alarm is set");
    expect(await runDurableObjectAlarm(env.ROOMS.getByName(room))).toBe(true);
    const directory = await (await SELF.fetch("http://rooms.test/api/rooms?limit=100")).json<{ rooms: ListedRoom[] }>();
    expect(directory.rooms.find(({ name }) => name === room)).toMatchObject({ members: 2 });
    // Told, with nothing else due: the directory trusts that count until the room says otherwise, and the only alarm
    // left is the one that expires the audit entry of the listing, 30 days on.
    expect(await alarmOf(room)).toBeGreaterThanOrEqual(Date.now() + 29 * 24 * HOUR_MS);
  });

  it("announces a member gone silent at the next event, before that event", async () => {
    const room = uniqueRoom("silent-next");
    const { client: ann } = await joinNative(room, "ann");
    await joinNative(room, "bob");
    // On the sharded pool, frozen is on a shard: the hub asks its shard before it takes the event.
    const { client: frozen, welcome } = await joinNative(room, "frozen");
    frozen.sendRaw("ping");
    await until(async () => frozen.plain.includes("pong"), "the pong");
    // Past the silence limit (2 s) with nothing happening: nobody has been told, and no alarm is set to tell them.
    await sleep(Number(env.MEMBER_SILENCE_SECONDS) * 1000 + 500);
    expect(ann.received.flatMap(announcedLeaves)).toEqual([]);
    expect(await alarmOf(room)).toBeNull();
    // The next event (ann's chat) sweeps first: frozen is closed, and its leave comes before the chat.
    ann.send({ type: "chat", text: "anyone?" });
    const heard = await ann.upTo((p) => p.type === "chat" && p.text === "anyone?");
    expect(heard.flatMap(announcedLeaves)).toEqual([{ id: welcome.id, name: "frozen" }]);
    expect(await frozen.closed).toBe(4008);
  });
});
