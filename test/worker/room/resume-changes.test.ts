// A resume is exact for messages that change (issue 23, "Done when"): a reader who was offline while messages were
// edited, deleted and reacted to resumes with `since` and ends with the same messages, byte for byte in its model
// (../message-model.ts), as a reader who stayed; across a restart of the room too, and (in the worker-sharded
// project) through shards: the first two connections of a room are on its hub, so readers A and C and writer B are
// on shards there.

import { abortAllDurableObjects, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatRoom } from "../../../src/server/room/room";
import { type Client, connect, type Packet, sleep, token, uniqueRoom } from "../client";
import { MessageModel } from "../message-model";

/** A member, with its model of the room's messages kept up to date with every packet it receives. */
interface Reader {
  client: Client;
  welcome: Packet;
  model: MessageModel;
  /** How many of `client.received` the model has applied. */
  applied: number;
}

async function join(
  room: string,
  name: string,
  options: { user?: string; moderator?: boolean; since?: number; resume?: string; model?: MessageModel } = {},
): Promise<Reader> {
  const claims = { sub: options.user, name, ...(options.moderator && { role: "moderator" }) };
  const query = options.user === undefined ? "" : `?token=${await token(claims)}`;
  const client = await connect(`/rooms/${room}${query}`);
  const { since, resume } = options;
  client.send({ type: "join", name, ...(since !== undefined && { since }), ...(resume !== undefined && { resume }) });
  const welcome = await client.nextOfType("welcome");
  return { client, welcome, model: options.model ?? new MessageModel(), applied: 0 };
}

/** Brings a reader's model up to date with what it received. */
function catchUp(reader: Reader): MessageModel {
  reader.applied = reader.model.applyAll(reader.client.received, reader.applied);
  return reader.model;
}

/** Waits until a reader has seen position `at`, and applied everything up to it. */
async function seen(reader: Reader, at: number): Promise<void> {
  await reader.client.next((p) => (p.type === "chat" ? p.seq : p.at) === at);
  catchUp(reader);
}

/** Pages `changes` until the room has no more, as a client does after a welcome with `moreChanged`. */
async function pageChanges(reader: Reader, after: number): Promise<number> {
  let pages = 0;
  for (let more = true; more; ) {
    reader.client.send({ type: "changes", after });
    const page = await reader.client.next((p) => p.type === "changes" || (p.type === "error" && p.for === "changes"));
    // A page is billed by its size: a client paces itself, or waits when told.
    if (page.type === "error") {
      await sleep(page.retryAfterMs as number);
      continue;
    }
    pages++;
    more = page.more as boolean;
    after = page.through as number;
  }
  catchUp(reader);
  return pages;
}

const say = async (reader: Reader, text: string, extra: Record<string, unknown> = {}): Promise<number> => {
  reader.client.send({ type: "chat", text, ...extra });
  return (await reader.client.next((p) => p.type === "chat" && p.text === text)).seq as number;
};

async function leave(reader: Reader): Promise<void> {
  reader.client.socket.close(1000);
  await reader.client.closed;
}

/**
 * A room where B said messages 1 to 7 (6 a reply to 4, 7 with game data), a moderator M and a filler F (on the hub
 * of a sharded room) and readers A and C heard all of them.
 */
async function sevenMessages(label: string) {
  const room = uniqueRoom(label);
  const m = await join(room, "Mod", { user: "mod-1", moderator: true });
  const f = await join(room, "filler");
  const a = await join(room, "reader-a");
  const c = await join(room, "reader-c");
  const b = await join(room, "writer-b");
  for (let i = 1; i <= 5; i++) expect(await say(b, `message ${i}`)).toBe(i);
  expect(await say(b, "message 6, on 4", { replyTo: 4 })).toBe(6);
  expect(await say(b, "message 7, with data", { data: { x: 1, y: [2, 3] } })).toBe(7);
  for (const reader of [a, c]) await seen(reader, 7);
  await sleep(1000); // B's rate limit: room in its bucket for what it does next
  return { room, m, f, a, c, b };
}

/** What a reader who stayed ends with: the messages, as everyone who resumes must end with them too. */
function expectChanged(model: MessageModel): void {
  const [one, two, three, four, five, six, seven] = [...model.messages.values()];
  expect(one).toMatchObject({ text: "message 1" });
  expect(two).toMatchObject({
    text: "message 2",
    reactions: [{ reaction: "👍", count: 2, by: ["writer-b", "reader-c"] }],
  });
  expect(three).toMatchObject({ text: "message 3, edited", edited: expect.any(Number) });
  expect(four).toMatchObject({ seq: 4, text: "", deleted: true });
  expect(five).toMatchObject({ seq: 5, text: "", deleted: true });
  expect(six).toMatchObject({ replyTo: { seq: 4, name: "writer-b", text: "", deleted: true } });
  expect(seven).toMatchObject({ data: { x: 1, y: [2, 3] } });
  expect(model.messages.size).toBe(7);
}

describe("a resume after messages changed", () => {
  it("ends where a reader who stayed is, byte for byte: edits, deletions (author's and moderator's), reactions", async () => {
    const { room, m, a, c, b } = await sevenMessages("resume-exact");
    const since = a.model.cursor;
    expect(since).toBe(7);
    await leave(a);

    b.client.send({ type: "edit", seq: 3, text: "message 3, edited" });
    b.client.send({ type: "delete", seq: 4 });
    b.client.send({ type: "react", seq: 2, reaction: "👍" });
    await seen(c, 10);
    c.client.send({ type: "react", seq: 2, reaction: "👍" });
    await seen(c, 11);
    m.client.send({ type: "delete", seq: 5 });
    await seen(c, 12);
    expectChanged(c.model);

    const back = await join(room, "reader-a", { since, resume: a.welcome.resumeKey as string, model: a.model });
    expect(back.welcome).toMatchObject({ history: [], more: false, moreChanged: false, lastSeq: 12 });
    expect((back.welcome.changed as Packet[]).map((message) => message.seq)).toEqual([3, 4, 6, 2, 5]);
    catchUp(back);
    expect(back.model.toJSON()).toBe(c.model.toJSON());
    expect(back.model.cursor).toBe(c.model.cursor);
    // A reader who comes new reads the same messages from history.
    const fresh = await join(room, "reader-d");
    expect(catchUp(fresh).toJSON()).toBe(c.model.toJSON());
    // And a resume from before everything gets it all as history.
    const from0 = await join(room, "reader-e", { since: 0 });
    expect(catchUp(from0).toJSON()).toBe(c.model.toJSON());
  });

  it("is exact across a restart of the room: what was stored before it is replayed, and what comes after", async () => {
    const { room, m, a, c, b } = await sevenMessages("resume-restart");
    const since = a.model.cursor;
    await leave(a);
    b.client.send({ type: "edit", seq: 3, text: "message 3, edited" });
    b.client.send({ type: "react", seq: 2, reaction: "👍" });
    await seen(c, 9);

    // A crash, storage kept: every connection drops, the room starts again at the next one.
    await abortAllDurableObjects();
    for (const reader of [m, b, c]) expect(await reader.client.closed).toBe(1006);
    const key = (reader: Reader) => reader.welcome.resumeKey as string;
    const c2 = await join(room, "reader-c", { since: c.model.cursor, resume: key(c), model: c.model });
    const b2 = await join(room, "writer-b", { since: 9, resume: key(b) });
    const m2 = await join(room, "Mod", { user: "mod-1", moderator: true, since: 9 });
    catchUp(c2);
    // The author is the same across the restart, by its resume key.
    b2.client.send({ type: "delete", seq: 4 });
    await seen(c2, 10);
    c2.client.send({ type: "react", seq: 2, reaction: "👍" });
    await seen(c2, 11);
    m2.client.send({ type: "delete", seq: 5 });
    await seen(c2, 12);
    expectChanged(c2.model);

    const back = await join(room, "reader-a", { since, resume: a.welcome.resumeKey as string, model: a.model });
    catchUp(back);
    expect(back.model.toJSON()).toBe(c2.model.toJSON());
    expect(back.model.cursor).toBe(12);
  });

  it("pages the changes a welcome has no room for, to the same end", async () => {
    const room = uniqueRoom("resume-paged");
    const writer = await join(room, "writer");
    const reader = await join(room, "reader");
    const stayed = await join(room, "stayed");
    // Messages of about 3 KB: this pool's pages weigh 20,000 bytes at most (HISTORY_PAGE_MAX_BYTES).
    const long = (label: string) => `${label} ${"語".repeat(1000)}`;
    for (let i = 1; i <= 8; i++) await say(writer, long(`m${i}`));
    await seen(reader, 8);
    await seen(stayed, 8);
    const since = reader.model.cursor;
    await leave(reader);
    await sleep(1700); // the writer's rate limit: a full bucket again
    for (let seq = 8; seq >= 1; seq--) writer.client.send({ type: "edit", seq, text: long(`m${seq} edited`) });
    await seen(stayed, 16);

    const back = await join(room, "reader", { since, resume: reader.welcome.resumeKey as string, model: reader.model });
    expect(back.welcome.moreChanged).toBe(true);
    const firstPage = (back.welcome.changed as Packet[]).length;
    expect(firstPage).toBeGreaterThan(0);
    expect(firstPage).toBeLessThan(8);
    catchUp(back);
    // The welcome says no `through`: the pages start after `since` again.
    expect(await pageChanges(back, since)).toBeGreaterThan(1);
    expect(back.model.toJSON()).toBe(stayed.model.toJSON());
    const frames = back.client.frameSizes;
    expect(Math.max(...frames)).toBeLessThanOrEqual(20_000 + 1000);
  });

  it("reads without writing: a resume's welcome, history and changes pages write nothing", async () => {
    const room = uniqueRoom("resume-reads");
    const ann = await join(room, "ann");
    await say(ann, "one");
    await say(ann, "two");
    ann.client.send({ type: "edit", seq: 1, text: "one, edited" });
    ann.client.send({ type: "react", seq: 2, reaction: "👍" });
    await seen(ann, 4);
    await sleep(1500); // ann's rate limit: a full bucket for the pages, which are billed by their size
    const written = await runInDurableObject(env.ROOMS.getByName(room), async (instance: ChatRoom, state) => {
      const { sql } = state.storage;
      const exec = sql.exec;
      let rows = 0;
      // Every statement that could write, whatever it wrote.
      sql.exec = ((query: string, ...bindings: unknown[]) => {
        if (/^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|ALTER|DROP)\b/i.test(query)) rows++;
        return exec.call(sql, query, ...bindings);
      }) as typeof sql.exec;
      try {
        const socket = state.getWebSockets()[0]!;
        for (const packet of [
          { type: "changes", after: 0 },
          { type: "changes", after: 2, limit: 1 },
          { type: "history" },
          { type: "history", before: 2 },
        ])
          await instance.webSocketMessage(socket, JSON.stringify(packet));
      } finally {
        sql.exec = exec;
      }
      return rows;
    });
    expect(written).toBe(0);
    const pages = await ann.client.collect((p) => p.type === "changes" || p.type === "history", 4);
    expect(pages.map((p) => p.type)).toEqual(["changes", "changes", "history", "history"]);
    expect(pages[0]).toMatchObject({ through: 4, more: false });
    expect((pages[0]!.messages as Packet[]).map((message) => message.seq)).toEqual([1, 2]);
    expect(pages[1]).toMatchObject({ messages: [{ seq: 1 }], through: 3, more: true });
    await sleep(10);
  });
});
