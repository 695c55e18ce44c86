// Rooms with webhooks on (this pool sets WEBHOOK_URL, WEBHOOK_SECRET and WEBHOOK_BACKLOG_MAX = 20: vitest.config.ts).
// Their requests land in a receiver in the test process (test/support/webhook-sink.ts), which checks each signature
// with the Standard Webhooks package and answers as a test tells it. What is checked is what a game's backend sees:
// every event once, in order, signed; retries of the same batch under the same webhook-id, with backoff from the
// alarm; a backlog that drops its oldest with a counted gap; and a room that, its events delivered, keeps no alarm
// and no storage beyond what it would keep without webhooks.

import { abortAllDurableObjects, env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Delivery } from "../../support/webhook-sink";
import { type Client, connect, type Packet, sleep, storedBy, token, uniqueRoom } from "../client";

type Event = Delivery["body"]["events"][number];

const DAY_MS = 24 * 60 * 60 * 1000;

const sink = (path: string) => env.WEBHOOK_SINK!.fetch(`http://sink${path}`);

/** Every request the room sent, in the order the receiver took them. */
const deliveries = async (room: string) => (await (await sink(`/deliveries?room=${room}`)).json()) as Delivery[];

/** The receiver answers the room's requests with `status` from now on. */
const answer = (room: string, status: number) => sink(`/answer?room=${room}&status=${status}`);

/** The events a backend took: those of requests it answered 2xx, each request once by its webhook-id. */
function taken(received: Delivery[]): Event[] {
  const seen = new Set<string>();
  return received
    .filter(({ id, status }) => status < 300 && !seen.has(id) && seen.add(id))
    .flatMap(({ body }) => body.events);
}

/**
 * Waits until the events the backend took satisfy `done`; resolves with them. Long enough for a few retries: the
 * room retries after 1, 2, 4, 8 s.
 */
async function takenUntil(room: string, done: (events: Event[]) => boolean, what: string): Promise<Event[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const events = taken(await deliveries(room));
    if (done(events)) return events;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; took ${JSON.stringify(events)}`);
    await sleep(25);
  }
}

/** Failed attempts at the batch being sent, as the room's cursor counts them. */
const attempts = (room: string) =>
  runInDurableObject(
    env.ROOMS.getByName(room),
    (_, state) => state.storage.sql.exec<{ attempts: number }>(`SELECT attempts FROM webhook_cursor`).one().attempts,
  );

const endsWith = (type: string) => (events: Event[]) => events.at(-1)?.type === type;

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

/** Joins `room` with a token for these claims, or anonymously as `name`. */
async function member(room: string, name: string, claims?: { sub: string; name: string; role?: string }) {
  const client = await connect(`/rooms/${room}${claims ? `?token=${await token(claims)}` : ""}`);
  client.send({ type: "join", name });
  const welcome = await client.nextOfType("welcome");
  return { client, id: welcome.id as number };
}

const say = async (client: Client, text: string): Promise<Packet> => {
  client.send({ type: "chat", text });
  return client.next((p) => p.type === "chat" && p.text === text);
};

/** `GET /api/rooms/<room>`, as the admin or as anyone. */
async function roomInfo(room: string, asAdmin: boolean): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = asAdmin ? { Authorization: "Bearer admin-token-of-the-worker-pool" } : {};
  return (await SELF.fetch(`http://rooms.test/api/rooms/${room}`, { headers })).json();
}

/** Every request's signature checked out, and its webhook-id names the first and last ids of the events it carries. */
function expectSignedAndNamed(room: string, received: Delivery[]): void {
  for (const { id, verified, body } of received) {
    expect(verified, id).toBe(true);
    expect(id).toBe(`${room}:${body.events[0]!.id}-${body.events.at(-1)!.id}`);
    expect(body.events.every((event) => event.room === room)).toBe(true);
  }
}

const idsInOrder = (events: Event[]) => events.every((event, i) => i === 0 || event.id === events[i - 1]!.id + 1);

describe("a room's webhooks", () => {
  it("tell the backend of the room's life once each, in order and signed: presence, messages, moderation", async () => {
    const room = uniqueRoom("life");
    const mod = await member(room, "Mod", { sub: "mod-1", name: "Mod", role: "moderator" });
    const bob = await member(room, "bob");
    const hello = await say(mod.client, "hello");
    mod.client.send({ type: "edit", seq: hello.seq, text: "hello!" });
    const edited = await mod.client.nextOfType("edited");
    const spam = await say(bob.client, "spam");
    mod.client.send({ type: "delete", seq: spam.seq });
    const deleted = await mod.client.nextOfType("deleted");
    mod.client.send({ type: "kick", id: bob.id, reason: "spam" });
    await bob.client.closed;
    mod.client.socket.close(1000);

    const events = await takenUntil(room, endsWith("room.vacated"), "the room to be vacated");
    expect(events.map(({ type }) => type)).toEqual([
      "room.occupied",
      "member.joined",
      "member.joined",
      "message.created",
      "message.edited",
      "message.created",
      "message.deleted",
      "moderation.delete",
      "moderation.kick",
      "member.left",
      "member.left",
      "room.vacated",
    ]);
    expect(idsInOrder(events)).toBe(true);
    const modMember = { id: mod.id, name: "Mod", user: "mod-1", verified: true };
    const bobMember = { id: bob.id, name: "bob", guest: true };
    const byMod = { role: "moderator", user: "mod-1", name: "Mod" };
    expect(events.map(({ data }) => data)).toEqual([
      {},
      { member: modMember },
      { member: bobMember },
      { seq: hello.seq, ts: hello.ts, sender: modMember, text: "hello" },
      { seq: hello.seq, at: edited.at, text: "hello!", edited: edited.edited },
      { seq: spam.seq, ts: spam.ts, sender: bobMember, text: "spam" },
      { seq: spam.seq, at: deleted.at },
      { seq: spam.seq, by: byMod },
      { member: bobMember, reason: "spam", by: byMod },
      { member: bobMember, reason: "kicked" },
      { member: modMember },
      {},
    ]);
    expectSignedAndNamed(room, await deliveries(room));

    // Nothing waits: the room sleeps as it would without webhooks, its alarm set only to expire its history.
    await until(async () => ((await storedBy(room)).alarm ?? 0) > Date.now() + DAY_MS - 60_000, "the alarm moves");
    expect(await roomInfo(room, true)).toMatchObject({ webhook: { backlog: 0, lagMs: 0, dropped: 0 } });
    expect((await roomInfo(room, true)).webhook).not.toHaveProperty("lastError");
    expect(await roomInfo(room, false)).not.toHaveProperty("webhook");
  });

  it("tell of the admin API's actions, by the admin", async () => {
    const room = uniqueRoom("admin-acts");
    const ann = await member(room, "ann");
    const hello = await say(ann.client, "hello");
    const admin = (action: string, body: object) =>
      SELF.fetch(`http://rooms.test/api/rooms/${room}/${action}`, {
        method: "POST",
        headers: { Authorization: "Bearer admin-token-of-the-worker-pool", "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await admin("delete", { seq: hello.seq })).status).toBe(200);
    expect((await admin("ban", { user: "u-troll", minutes: 5 })).status).toBe(200);
    expect((await admin("unban", { user: "u-troll" })).status).toBe(200);
    expect((await admin("mute", { user: "u-loud", minutes: 5, reason: "shh" })).status).toBe(200);
    expect((await admin("unmute", { user: "u-loud" })).status).toBe(200);
    const events = await takenUntil(room, endsWith("moderation.unmute"), "the unmute");
    const byAdmin = { role: "admin" };
    expect(events.slice(3).map(({ type, data }) => [type, data])).toEqual([
      ["message.deleted", { seq: hello.seq, at: (hello.seq as number) + 1 }],
      ["moderation.delete", { seq: hello.seq, by: byAdmin }],
      ["moderation.ban", { user: "u-troll", until: expect.any(Number), by: byAdmin }],
      ["moderation.unban", { user: "u-troll", by: byAdmin }],
      ["moderation.mute", { user: "u-loud", until: expect.any(Number), reason: "shh", by: byAdmin }],
      ["moderation.unmute", { user: "u-loud", by: byAdmin }],
    ]);
  });

  it("tell of a change to the room's settings, in order with messages, by a moderator or the admin", async () => {
    const room = uniqueRoom("settings");
    const mod = await member(room, "Mod", { sub: "mod-1", name: "Mod", role: "moderator" });
    await say(mod.client, "before");
    mod.client.send({ type: "settings", slowModeSeconds: 30, title: "Ranked" });
    await mod.client.nextOfType("settings");
    await say(mod.client, "after");
    const changed = await SELF.fetch(`http://rooms.test/api/rooms/${room}/settings`, {
      method: "POST",
      headers: { Authorization: "Bearer admin-token-of-the-worker-pool" },
      body: JSON.stringify({ listed: true }),
    });
    expect(changed.status).toBe(200);
    const events = await takenUntil(room, endsWith("room.settings"), "the admin's change");
    const ranked = { slowModeSeconds: 30, listed: false, title: "Ranked" };
    expect(events.slice(2).map(({ type, data }) => [type, type === "room.settings" ? data : data.text])).toEqual([
      ["message.created", "before"],
      ["room.settings", { settings: ranked, by: { role: "moderator", user: "mod-1", name: "Mod" } }],
      ["message.created", "after"],
      ["room.settings", { settings: { ...ranked, listed: true }, by: { role: "admin" } }],
    ]);
  });

  it("tell of a post of the publish API as of any message, its sender the room's own voice; of its retry, nothing", async () => {
    const room = uniqueRoom("published");
    const ann = await member(room, "ann");
    const publish = () =>
      SELF.fetch(`http://rooms.test/api/rooms/${room}/messages`, {
        method: "POST",
        headers: { Authorization: "Bearer publish-token-of-the-worker-pool", "Idempotency-Key": "match-1" },
        body: JSON.stringify({ text: "Ann won", data: { match: 1 }, sender: { name: "Referee" } }),
      });
    const { seq } = (await (await publish()).json()) as { seq: number };
    const heard = await ann.client.next((p) => p.type === "chat" && p.seq === seq);
    expect((await publish()).headers.get("Idempotent-Replayed")).toBe("true");
    await say(ann.client, "gg");
    const events = await takenUntil(room, (all) => all.at(-1)?.data.text === "gg", "the chat after the post");
    const referee = { id: 0, name: "Referee", system: true };
    expect(events.slice(2).map(({ type, data }) => [type, data])).toEqual([
      ["message.created", { seq, ts: heard.ts, sender: referee, text: "Ann won", data: { match: 1 } }],
      ["message.created", expect.objectContaining({ seq: seq + 1, text: "gg" })],
    ]);
  });

  it("leave nothing behind in a room that kept nothing else: its storage goes once its events are delivered", async () => {
    const room = uniqueRoom("passing");
    // A member that leaves before its join was announced is never announced, to members or the backend (outbox.ts):
    // each life waits for the backend to hear of the join before the member goes.
    const ann = await member(room, "ann");
    await takenUntil(room, endsWith("member.joined"), "the join");
    ann.client.socket.close(1000);
    const events = await takenUntil(room, endsWith("room.vacated"), "the room to be vacated");
    expect(events.map(({ type }) => type)).toEqual(["room.occupied", "member.joined", "member.left", "room.vacated"]);
    await until(async () => (await storedBy(room)).tables.length === 0, "the storage is deleted");
    expect((await storedBy(room)).alarm).toBeNull();
    // Its next life's ids go on above the last one's: a receiver deduping by webhook-id drops none of them.
    const again = await member(room, "ann");
    await takenUntil(room, (all) => all.length === 6, "the second join");
    again.client.socket.close(1000);
    const both = await takenUntil(room, (all) => all.length === 8, "the second life's events");
    expect(both[4]!.id).toBeGreaterThan(both[3]!.id);
    expect(new Set((await deliveries(room)).map(({ id }) => id)).size).toBe((await deliveries(room)).length);
  });
});

describe("a flow of events", () => {
  it("goes in at most a request a second, the next one rung for by the alarm, not held by a timer", async () => {
    const room = uniqueRoom("flow");
    const ann = await member(room, "ann");
    await until(async () => (await deliveries(room)).length === 1, "the first request, at once");
    const sentAt = Date.now();
    await say(ann.client, "one");
    await say(ann.client, "two");
    // The chats wait for the alarm, which rings within the second after the first request (a machine so loaded that
    // the chats took longer than that to be heard sends them at once, and shows nothing of the wait).
    const { alarm } = await storedBy(room);
    const inTime = Date.now() < sentAt + 800;
    if (inTime) expect(alarm).toBeLessThanOrEqual(sentAt + 1000);
    const events = await takenUntil(room, (all) => all.length === 4, "both chats");
    expect(events.slice(2).map(({ data }) => data.text)).toEqual(["one", "two"]);
    if (inTime) expect((await deliveries(room)).length).toBe(2);
  });
});

describe("a receiver that fails", () => {
  it("gets the same batch under the same webhook-id again, with backoff from the alarm, until it takes it", async () => {
    const room = uniqueRoom("retried");
    await answer(room, 503);
    const ann = await member(room, "ann");
    await until(async () => (await deliveries(room)).length === 1, "the first attempt");
    // Sent again after 1 s, then 2 s, from the alarm: each failure sets it.
    const retryAlarm = async () => ((await storedBy(room)).alarm ?? Infinity) - Date.now();
    await until(async () => (await retryAlarm()) <= 1000, "the alarm is set for the first retry");
    expect(await roomInfo(room, true)).toMatchObject({
      webhook: { backlog: 2, lastError: "HTTP 503", dropped: 0, lagMs: expect.any(Number) },
    });
    await say(ann.client, "while it is down");
    await until(async () => (await deliveries(room)).length === 2, "the second attempt");
    await until(async () => (await attempts(room)) === 2, "the second failure is counted");
    expect(await retryAlarm()).toBeGreaterThan(1000);
    expect(await retryAlarm()).toBeLessThanOrEqual(2000);
    const [first, second] = await deliveries(room);
    expect(second!.id).toBe(first!.id);
    expect(second!.body).toEqual(first!.body);

    await answer(room, 200);
    const events = await takenUntil(room, (all) => all.length === 3, "everything");
    expect(events.map(({ type }) => type)).toEqual(["room.occupied", "member.joined", "message.created"]);
    expect(idsInOrder(events)).toBe(true);
    expectSignedAndNamed(room, await deliveries(room));
    expect((await roomInfo(room, true)).webhook).toEqual({ backlog: 0, lagMs: 0, dropped: 0 });
    // Nothing waits: the alarm is the member sweep's again, not a retry's.
    await until(async () => ((await storedBy(room)).alarm ?? 0) > Date.now() + 20_000, "the retry alarm is gone");
  });

  it("keeps a room that emptied while it was down, with its alarm set, until it took its events", async () => {
    const room = uniqueRoom("kept-for-later");
    await answer(room, 503);
    const ann = await member(room, "ann");
    ann.client.socket.close(1000);
    await until(async () => (await deliveries(room)).length >= 2, "two attempts");
    // Nothing else to keep, but its events: its storage stays, and the alarm comes back for them.
    expect(await storedBy(room)).toMatchObject({ tables: expect.arrayContaining(["webhook_events"]) });
    expect((await storedBy(room)).alarm).not.toBeNull();
    await answer(room, 200);
    const events = await takenUntil(room, endsWith("room.vacated"), "the room to be vacated");
    expect(events.map(({ type }) => type)).toEqual(["room.occupied", "member.joined", "member.left", "room.vacated"]);
    await until(async () => (await storedBy(room)).tables.length === 0, "the storage is deleted");
    expect((await storedBy(room)).alarm).toBeNull();
  });

  it("drops the oldest events past WEBHOOK_BACKLOG_MAX for one gap that counts them, never the batch being sent", async () => {
    const room = uniqueRoom("dropped");
    await answer(room, 500);
    const members = [await member(room, "ann"), await member(room, "bob"), await member(room, "cat")];
    for (const [i, { client }] of members.entries()) for (let n = 0; n < 8; n++) await say(client, `${i}.${n}`);
    // 1 + 3 joins + 24 chats: 28 recorded, 20 kept.
    const info = (await roomInfo(room, true)).webhook as { backlog: number; dropped: number; lastError: string };
    expect(info).toMatchObject({ backlog: 20, lastError: "HTTP 500" });
    const [sent] = await deliveries(room);

    await answer(room, 200);
    const events = await takenUntil(room, endsWith("message.created"), "the backlog");
    const gaps = events.filter(({ type }) => type === "webhook.gap");
    expect(gaps).toEqual([expect.objectContaining({ data: { dropped: info.dropped } })]);
    expect(events.length - 1 + info.dropped).toBe(28);
    // What was being sent was sent as it was; what was dropped was the oldest after it.
    expect(events.slice(0, sent!.body.events.length)).toEqual(sent!.body.events);
    expect(events[sent!.body.events.length]!.type).toBe("webhook.gap");
    expect(events.every((event, i) => i === 0 || event.id > events[i - 1]!.id)).toBe(true);
    expect(events.at(-1)!.data).toMatchObject({ text: "2.7" });
  });
});

describe("members lost with a restart", () => {
  it("are told to have left, and the room vacated, when the room starts again", async () => {
    const room = uniqueRoom("restarted");
    const ann = await member(room, "ann");
    await takenUntil(room, (events) => events.length === 2, "ann's join");
    await abortAllDurableObjects();
    // The room starts again with no sockets: ann is gone, and nobody announced it.
    await env.ROOMS.getByName(room).info();
    const events = await takenUntil(room, endsWith("room.vacated"), "the room to be vacated");
    expect(events.map(({ type, data }) => [type, data])).toEqual([
      ["room.occupied", {}],
      ["member.joined", { member: { id: ann.id, name: "ann", guest: true } }],
      ["member.left", { member: { id: ann.id, name: "ann", guest: true } }],
      ["room.vacated", {}],
    ]);
    // Told, it keeps nothing more: a room that had only ann lets its storage go.
    await until(async () => (await storedBy(room)).tables.length === 0, "the storage is deleted");
  });
});
