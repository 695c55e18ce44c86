// Posts of the publish API as members see them (issue 25, "Done when"): each one message in the room's log, in order
// with members' chats, in history and resumes, from a sender no member can pass for; exactly one message per
// idempotency key, however a post is retried; keys kept a day, then expired by the room's alarm. In the
// worker-sharded project the third member of a room is on a shard: posts reach it there too.
// The HTTP side (who may post, what a post may hold) is test/worker/front-door/publish-api.test.ts.

import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { asGuest, joinNative, joinTutorial, type Packet, storedBy, uniqueRoom } from "../client";

const HOUR_MS = 60 * 60 * 1000;

/** Posts `body` to room `room` as the game's backend (this pool's PUBLISH_TOKEN, vitest.config.ts). */
const post = (room: string, body: unknown, key?: string) =>
  SELF.fetch(`http://rooms.test/api/rooms/${room}/messages`, {
    method: "POST",
    headers: {
      Authorization: "Bearer publish-token-of-the-worker-pool",
      ...(key !== undefined && { "Idempotency-Key": key }),
    },
    body: JSON.stringify(body),
  });

/** Posts and expects it stored: the answer's seq. */
async function posted(room: string, body: unknown, key?: string): Promise<number> {
  const answer = await post(room, body, key);
  expect(answer.status).toBe(201);
  return ((await answer.json()) as { seq: number }).seq;
}

/** The room's stored messages, as (seq, sender name, text), straight from its SQLite. */
const storedMessages = (room: string) =>
  runInDurableObject(env.ROOMS.getByName(room), (_, state) =>
    state.storage.sql.exec(`SELECT seq, sender_name AS name, text FROM messages ORDER BY seq`).toArray(),
  );

/** Runs statements in the room's SQLite (to age what it keeps), then its alarm. */
async function ageAndRing(room: string, ...statements: string[]): Promise<void> {
  await runInDurableObject(env.ROOMS.getByName(room), (_, state) => {
    for (const statement of statements) state.storage.sql.exec(statement);
  });
  expect(await runDurableObjectAlarm(env.ROOMS.getByName(room))).toBe(true);
}

describe("a post", () => {
  it("is a message in the room's order among members' chats, from the room's own voice, stored and resumable", async () => {
    const room = uniqueRoom("publish-order");
    const { client: ann } = await joinNative(room, "ann");
    const { client: bob } = await joinNative(room, "bob");
    const { client: cy, welcome } = await joinNative(room, "cy");
    const since = welcome.lastSeq as number;

    ann.send({ type: "chat", text: "one" });
    await ann.next((p) => p.type === "chat" && p.text === "one");
    const seq = await posted(room, { text: "Ann won the match", data: { match: 7 }, sender: { name: "Referee" } });
    bob.send({ type: "chat", text: "three" });
    const texts = ["one", "Ann won the match", "three"];
    for (const reader of [ann, bob, cy]) {
      const chats = await reader.collect((p) => p.type === "chat", 3);
      expect(chats.map((p) => p.text)).toEqual(texts);
      expect(chats.map((p) => p.seq)).toEqual([seq - 1, seq, seq + 1]);
      expect(chats[1]).toEqual({
        type: "chat",
        seq,
        ts: expect.any(Number),
        sender: { id: 0, name: "Referee", system: true },
        text: "Ann won the match",
        data: { match: 7 },
      });
    }
    const live = cy.received.find((p) => p.type === "chat" && p.seq === seq)!;

    // A history page and a resume give the same message, byte for byte.
    cy.send({ type: "history" });
    const page = await cy.nextOfType("history");
    expect((page.messages as Packet[]).find((m) => m.seq === seq)).toEqual({ ...live, type: undefined });
    const { welcome: resumed } = await joinNative(room, "dee", since);
    expect((resumed.history as Packet[]).map((m) => m.text)).toEqual(texts);
    expect(JSON.stringify((resumed.history as Packet[])[1])).toBe(JSON.stringify({ ...live, type: undefined }));
  });

  it("is a notice of the server's own for the tutorial's client, live and in history, never a member's line", async () => {
    const room = uniqueRoom("publish-tutorial");
    const godot = await joinTutorial(room, "godot");
    await posted(room, { text: "Round two\nstarts now" });
    const line = "system(#0): Round two starts now";
    const notice = await godot.next((p) => p.type === "server_message" && p.message === line);
    expect(notice).toEqual({ type: "server_message", message: line });
    const late = await joinTutorial(room, "late");
    expect(late.received.filter((p) => p.type === "chat_message")).toEqual([]);
    expect(late.received.map((p) => p.message)).toContain(line);
    expect(godot.received.filter((p) => p.type === "chat_message")).toEqual([]);
  });

  it("cannot be forged by a member, even one named like it: whatever a chat says of its sender, the room stamps the member", async () => {
    const room = uniqueRoom("publish-forge");
    const { client: member, welcome } = await joinNative(room, "system");
    const forged = { sender: { id: 0, name: "system", system: true }, system: true, id: 0, name: "system" };
    member.send({ type: "chat", text: "the match is cancelled", ...forged });
    const asMember = { id: welcome.id, name: "system", guest: true };
    expect(await member.nextOfType("chat")).toEqual({
      type: "chat",
      seq: expect.any(Number),
      ts: expect.any(Number),
      sender: asMember,
      text: "the match is cancelled",
    });
    const seq = await posted(room, { text: "the match is on" });
    const godot = await joinTutorial(room, "godot");
    expect(godot.received.filter((p) => p.type === "chat_message" || p.type === "server_message").slice(0, 2)).toEqual([
      expect.objectContaining({ type: "chat_message", name: asGuest("system"), message: "the match is cancelled" }),
      { type: "server_message", message: "system(#0): the match is on" },
    ]);
    const { welcome: later } = await joinNative(room, "later");
    expect((later.history as Packet[]).map((m) => m.sender)).toEqual([
      asMember,
      { id: 0, name: "system", system: true },
    ]);
    // Nor is a post anyone's to edit or delete but a moderator's.
    await member.next((p) => p.type === "chat" && p.seq === seq);
    member.send({ type: "edit", seq, text: "unofficial" });
    expect(await member.nextOfType("error")).toMatchObject({ code: "forbidden", for: "edit" });
    member.send({ type: "delete", seq });
    expect(await member.nextOfType("error")).toMatchObject({ code: "forbidden", for: "delete" });
  });
});

describe("an idempotency key", () => {
  it("makes a retry, one after another or many at once, answer the first seq and post nothing again", async () => {
    const room = uniqueRoom("publish-keys");
    const { client: ann } = await joinNative(room, "ann");
    const first = await post(room, { text: "once" }, "match-7-result");
    expect(first.status).toBe(201);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const { seq } = (await first.json()) as { seq: number };
    const retry = await post(room, { text: "once" }, "match-7-result");
    expect([retry.status, retry.headers.get("Idempotent-Replayed"), await retry.json()]).toEqual([
      201,
      "true",
      { seq },
    ]);

    const together = await Promise.all(Array.from({ length: 8 }, () => post(room, { text: "at once" }, "burst")));
    const seqs = await Promise.all(together.map(async (answer) => ((await answer.json()) as { seq: number }).seq));
    expect(new Set(seqs).size).toBe(1);
    expect(together.filter((answer) => answer.headers.get("Idempotent-Replayed") === null)).toHaveLength(1);

    // Without a key every post is a message; a key is the room's own, so another room's is another post.
    const unkeyed = [await posted(room, { text: "again" }), await posted(room, { text: "again" })];
    const elsewhere = uniqueRoom("publish-keys-other");
    expect(await posted(elsewhere, { text: "once" }, "match-7-result")).toBe(1);

    ann.send({ type: "chat", text: "marker" });
    const chats = await ann.upTo((p) => p.type === "chat" && p.text === "marker");
    expect(chats.filter((p) => p.type === "chat").map((p) => [p.seq, p.text])).toEqual([
      [seq, "once"],
      [seqs[0], "at once"],
      [unkeyed[0], "again"],
      [unkeyed[1], "again"],
      [unkeyed[1]! + 1, "marker"],
    ]);
    expect((await storedMessages(room)).map((m) => m.text)).toEqual(["once", "at once", "again", "again", "marker"]);
  });

  it("keeps its history in a room nobody joined, with the alarm that will expire it: no sooner than a day", async () => {
    const room = uniqueRoom("publish-history-alarm");
    const before = Date.now();
    await posted(room, { text: "nobody here yet" });
    const { tables, alarm } = await storedBy(room);
    expect(tables).toContain("messages");
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeGreaterThanOrEqual(before + 24 * HOUR_MS);
    // A second post finds the alarm set (the room knows it) and leaves it where it is.
    await posted(room, { text: "still nobody" });
    expect((await storedBy(room)).alarm).toBe(alarm);
  });

  it("lasts a day: the alarm is set by its expiry, and once it rang after it, the key posts again", async () => {
    const room = uniqueRoom("publish-key-expiry");
    const seq = await posted(room, { text: "first" }, "daily");
    const { alarm } = await storedBy(room);
    const at = (await runInDurableObject(env.ROOMS.getByName(room), (_, state) =>
      state.storage.sql.exec<{ at: number }>(`SELECT at FROM publish_keys`).one(),
    )) as { at: number };
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(at.at + 24 * HOUR_MS);

    // An hour short of a day: still the first post's.
    await ageAndRing(room, `UPDATE publish_keys SET at = at - ${23 * HOUR_MS}`);
    expect(await (await post(room, { text: "first" }, "daily")).json()).toEqual({ seq });
    // Its history keeps the room for a month; the key rings the alarm within the hour left of its day.
    expect((await storedBy(room)).alarm).toBeLessThanOrEqual(Date.now() + HOUR_MS);
    // A day on, the alarm forgets it, and the same key is a new post.
    await ageAndRing(room, `UPDATE publish_keys SET at = at - ${HOUR_MS}`);
    expect(
      await runInDurableObject(env.ROOMS.getByName(room), (_, state) =>
        state.storage.sql.exec(`SELECT key FROM publish_keys`).toArray(),
      ),
    ).toEqual([]);
    expect(await posted(room, { text: "first" }, "daily")).toBeGreaterThan(seq);
  });

  it("keeps a room's storage while it is kept, and no longer: a room left with only keys goes when they expire", async () => {
    const room = uniqueRoom("publish-only-keys");
    await posted(room, { text: "soon expired" }, "k1");
    // Its history expires (older than HISTORY_MAX_AGE_DAYS); its key does not yet.
    await ageAndRing(room, `UPDATE messages SET ts = ts - ${31 * 24 * HOUR_MS}`);
    const kept = await storedBy(room);
    expect(await storedMessages(room)).toEqual([]);
    expect(kept.tables).toContain("publish_keys");
    expect(kept.alarm).not.toBeNull();
    await ageAndRing(room, `UPDATE publish_keys SET at = at - ${24 * HOUR_MS}`);
    expect(await storedBy(room)).toEqual({ tables: [], alarm: null });
  });
});
