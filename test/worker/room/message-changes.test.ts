// Messages that change (docs/protocol.md): edits and deletions by their author, reactions, replies and game data, in
// the room's one log, and a resume that ends where a reader who never left is. This pool runs with
// EDIT_WINDOW_SECONDS 3600, MAX_REACTIONS_PER_MESSAGE 5 and HISTORY_RETAINED 40 (vitest.config.ts); in the
// worker-sharded project, members past the second connection are on shards.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatRoom } from "../../../src/server/room/room";
import { type Client, connect, joinTutorial, type Packet, sleep, token, uniqueRoom } from "../client";

interface Member {
  client: Client;
  welcome: Packet;
  id: number;
}

/** Joins `room` as `name`: anonymously, or with a token for `user` (a moderator with `moderator`). */
async function member(
  room: string,
  name: string,
  options: { user?: string; moderator?: boolean; since?: number; resume?: string } = {},
): Promise<Member> {
  const claims = { sub: options.user, name, ...(options.moderator && { role: "moderator" }) };
  const query = options.user === undefined ? "" : `?token=${await token(claims)}`;
  const client = await connect(`/rooms/${room}${query}`);
  const { since, resume } = options;
  client.send({ type: "join", name, ...(since !== undefined && { since }), ...(resume !== undefined && { resume }) });
  const welcome = await client.nextOfType("welcome");
  return { client, welcome, id: welcome.id as number };
}

let cids = 0;

/** Sends a chat (with `extra` fields) and resolves with its echo. */
async function say(
  client: Client,
  text: string,
  extra: Record<string, unknown> = {},
): Promise<Packet & { seq: number }> {
  const cid = `c${++cids}`;
  client.send({ type: "chat", text, cid, ...extra });
  return (await client.next((p) => p.cid === cid && p.type === "chat")) as Packet & { seq: number };
}

/** The next error answering a packet of `type`. */
const refusal = (client: Client, type: string) => client.next((p) => p.type === "error" && p.for === type);

const changeOf = (type: string, seq: number) => (p: Packet) => p.type === type && p.seq === seq;

const ofType = (client: Client, type: string) => client.received.filter((p) => p.type === type);

describe("edits and deletions by a message's author", () => {
  it("lets its author edit a message: everyone hears `edited` at the next position, and later readers the new text", async () => {
    const room = uniqueRoom("edit");
    const ann = await member(room, "ann");
    const bob = await member(room, "bob");
    const godot = await joinTutorial(room, "godot");
    const { seq } = await say(ann.client, "helo");
    ann.client.send({ type: "edit", seq, text: "  hello\u2028world  ", cid: "e1" });
    const edited = await bob.client.next(changeOf("edited", seq));
    expect(edited).toEqual({ type: "edited", seq, at: seq + 1, text: "hello\nworld", edited: expect.any(Number) });
    expect(await ann.client.next(changeOf("edited", seq))).toEqual(edited);
    // The tutorial client hears one notice, never the new text as a line of its own.
    expect(await godot.next((p) => String(p.message).includes("edited"))).toEqual({
      type: "server_message",
      message: `Message #${seq} was edited by its author.`,
    });
    expect(godot.received.filter((p) => p.message === "hello world")).toEqual([]);
    const late = await member(room, "late");
    const sender = { id: ann.id, name: "ann", guest: true };
    const stored = { seq, text: "hello\nworld", edited: edited.edited, sender };
    expect(late.welcome.history).toEqual([expect.objectContaining(stored)]);
    expect(late.welcome.lastSeq).toBe(seq + 1);
    late.client.send({ type: "history" });
    expect((await late.client.nextOfType("history")).messages).toEqual(late.welcome.history);
    // The next chat takes the position after the edit.
    expect((await say(bob.client, "next")).seq).toBe(seq + 2);
  });

  it("refuses to edit or delete another's message (forbidden), and a change to a missing or deleted one (not_found)", async () => {
    const room = uniqueRoom("edit-refused");
    const ann = await member(room, "ann");
    const bob = await member(room, "bob");
    const godot = await joinTutorial(room, "godot");
    const { seq } = await say(ann.client, "mine");
    bob.client.send({ type: "edit", seq, text: "yours now", cid: "b1" });
    expect(await refusal(bob.client, "edit")).toMatchObject({ code: "forbidden", cid: "b1" });
    bob.client.send({ type: "delete", seq });
    expect(await refusal(bob.client, "delete")).toMatchObject({ code: "forbidden" });
    ann.client.send({ type: "edit", seq: 999, text: "nothing there" });
    expect(await refusal(ann.client, "edit")).toMatchObject({
      code: "not_found",
      message: expect.stringContaining("no message 999"),
    });

    ann.client.send({ type: "delete", seq });
    const deleted = await bob.client.next(changeOf("deleted", seq));
    expect(deleted).toEqual({ type: "deleted", seq, at: seq + 1, by: "author" });
    expect(await godot.next((p) => String(p.message).includes("deleted"))).toMatchObject({
      message: `Message #${seq} was deleted by its author.`,
    });
    for (const packet of [
      { type: "edit", seq, text: "back?" },
      { type: "delete", seq },
      { type: "react", seq, reaction: "👍" },
      { type: "chat", text: "a reply", replyTo: seq },
    ]) {
      ann.client.send(packet);
      expect(await refusal(ann.client, packet.type)).toMatchObject({
        code: "not_found",
        message: expect.stringContaining(`message ${seq} was deleted`),
      });
    }
    // Nothing refused took a position, nor reached anyone.
    expect((await say(bob.client, "after")).seq).toBe(seq + 2);
    expect(ofType(ann.client, "edited")).toEqual([]);
  });

  it("lets a moderator delete anyone's message, and nobody else but its author", async () => {
    const room = uniqueRoom("delete-moderator");
    const mod = await member(room, "Mod", { user: "mod-1", moderator: true });
    const ann = await member(room, "ann");
    const { seq } = await say(ann.client, "spam");
    mod.client.send({ type: "edit", seq, text: "moderated" });
    expect(await refusal(mod.client, "edit")).toMatchObject({ code: "forbidden" });
    mod.client.send({ type: "delete", seq });
    expect(await ann.client.next(changeOf("deleted", seq))).toEqual({ type: "deleted", seq, at: seq + 1 });
    // A moderator deleting its own message deletes it as its author.
    const own = (await say(mod.client, "oops")).seq as number;
    mod.client.send({ type: "delete", seq: own });
    expect(await ann.client.next(changeOf("deleted", own))).toMatchObject({ by: "author" });
  });

  it("knows an anonymous author across resumes, and a verified one on any of its connections; nobody else", async () => {
    const room = uniqueRoom("edit-author");
    const watcher = await member(room, "watcher");
    const ann = await member(room, "ann");
    const { seq } = await say(ann.client, "first draft");
    ann.client.socket.close(1000);
    await ann.client.closed;
    // Back with its resume key: the same author, on a new connection with a new member id.
    const back = await member(room, "ann", { since: seq, resume: ann.welcome.resumeKey as string });
    back.client.send({ type: "edit", seq, text: "second draft" });
    expect(await watcher.client.next(changeOf("edited", seq))).toMatchObject({ text: "second draft" });
    // Under the same name but without the key: another member.
    back.client.socket.close(1000);
    await back.client.closed;
    const other = await member(room, "ann");
    other.client.send({ type: "edit", seq, text: "third draft" });
    expect(await refusal(other.client, "edit")).toMatchObject({ code: "forbidden" });
    other.client.send({ type: "delete", seq });
    expect(await refusal(other.client, "delete")).toMatchObject({ code: "forbidden" });

    const alice = await member(room, "Alice", { user: "u-alice" });
    const signed = (await say(alice.client, "signed")).seq as number;
    const tab = await member(room, "Alice", { user: "u-alice" });
    tab.client.send({ type: "edit", seq: signed, text: "signed, from my other tab" });
    expect(await watcher.client.next(changeOf("edited", signed))).toMatchObject({ text: "signed, from my other tab" });
  });

  it("closes a message to edits EDIT_WINDOW_SECONDS after it was sent; its author may still delete it", async () => {
    const room = uniqueRoom("edit-window");
    const ann = await member(room, "ann");
    const old = (await say(ann.client, "old")).seq as number;
    const fresh = (await say(ann.client, "fresh")).seq as number;
    // An hour and a second ago, as far as the room knows.
    await runInDurableObject(env.ROOMS.getByName(room), (_: ChatRoom, state) => {
      state.storage.sql.exec(`UPDATE messages SET ts = ts - 3601000 WHERE seq = ?`, old);
    });
    ann.client.send({ type: "edit", seq: old, text: "too late", cid: "late" });
    expect(await refusal(ann.client, "edit")).toMatchObject({
      code: "edit_window_closed",
      cid: "late",
      message: expect.stringContaining("3600 s"),
    });
    ann.client.send({ type: "edit", seq: fresh, text: "in time" });
    expect(await ann.client.next(changeOf("edited", fresh))).toMatchObject({ text: "in time" });
    ann.client.send({ type: "delete", seq: old });
    expect(await ann.client.next(changeOf("deleted", old))).toMatchObject({ by: "author" });
  });

  it("counts changes in the retained history (HISTORY_RETAINED 40): a change to a message past it is refused", async () => {
    const room = uniqueRoom("edit-retention");
    const ann = await member(room, "ann");
    const first = await say(ann.client, "first");
    // Five members post and edit their messages 7 times each: 40 positions after the first message.
    const writers: Member[] = [];
    for (const name of ["b", "c", "d", "e", "f"]) writers.push(await member(room, name));
    await Promise.all(
      writers.map(async ({ client }) => {
        const { seq } = await say(client, "mine");
        for (let i = 1; i <= 7; i++) client.send({ type: "edit", seq, text: `mine, take ${i}` });
        await client.collect((p) => p.type === "edited" && p.seq === seq, 7);
      }),
    );
    await ann.client.collect((p) => p.type === "edited", 35);
    expect((await env.ROOMS.getByName(room).info()).lastSeq).toBe(first.seq + 40);
    ann.client.send({ type: "edit", seq: first.seq, text: "too old" });
    expect(await refusal(ann.client, "edit")).toMatchObject({
      code: "not_found",
      message: expect.stringContaining("past the history the room retains"),
    });
    const late = await member(room, "late", { since: 0 });
    // (The frames of a burst may reach the room out of order in this pool: which take is the last one varies.)
    const texts = (late.welcome.history as Packet[]).map((m) => m.text);
    expect(texts).toEqual(Array(5).fill(expect.stringMatching(/^mine, take \d$/)));
  });

  it("validates an edit's text like a chat's, and charges edits like chats: a burst past the rate limit is refused", async () => {
    const room = uniqueRoom("edit-charged");
    const ann = await member(room, "ann");
    const { seq } = await say(ann.client, "x");
    ann.client.send({ type: "edit", seq, text: "   " });
    expect(await refusal(ann.client, "edit")).toMatchObject({ code: "invalid_text" });
    ann.client.send({ type: "edit", seq, text: "y".repeat(2001) });
    expect(await refusal(ann.client, "edit")).toMatchObject({ code: "invalid_text" });
    await sleep(2000); // a full bucket again
    for (let i = 0; i < 14; i++) ann.client.send({ type: "edit", seq, text: `v${i}`, cid: `v${i}` });
    const refused = await ann.client.next((p) => p.type === "error" && p.code === "rate_limited");
    expect(refused).toMatchObject({ for: "edit", cid: expect.stringMatching(/^v\d+$/) });
  });
});

/** The reactions of a storm: three per message from each member, within its burst of ten with its join and chats. */
const STORM = ["👍", "🎉", "🔥"];

describe("reactions", () => {
  it("gives and takes back one reaction per member, message and reaction: everyone hears the whole summary", async () => {
    const room = uniqueRoom("react");
    const ann = await member(room, "ann");
    const bob = await member(room, "bob");
    const cy = await member(room, "cy");
    const { seq } = await say(ann.client, "react to me");
    const summaries: Packet[] = [];
    const next = async (client: Member, packet: Record<string, unknown>) => {
      client.client.send({ ...packet, seq });
      const heard = await ann.client.next(changeOf("reactions", seq));
      summaries.push(heard);
      return heard.reactions;
    };
    expect(await next(bob, { type: "react", reaction: "👍" })).toEqual([{ reaction: "👍", count: 1, by: ["bob"] }]);
    expect(await next(cy, { type: "react", reaction: "👍" })).toEqual([
      { reaction: "👍", count: 2, by: ["bob", "cy"] },
    ]);
    expect(await next(cy, { type: "react", reaction: ":party_parrot:" })).toEqual([
      { reaction: "👍", count: 2, by: ["bob", "cy"] },
      { reaction: ":party_parrot:", count: 1, by: ["cy"] },
    ]);
    // Given twice, or taken back by one who never gave it: nothing changes, and nobody hears anything.
    bob.client.send({ type: "react", seq, reaction: "👍" });
    ann.client.send({ type: "unreact", seq, reaction: "👍" });
    // Each heard back from before bob takes its reaction back: under load, the pool's sockets have handed a room two
    // frames sent in the same moment in the wrong order.
    for (const { client } of [bob, ann]) {
      client.send({ type: "history", limit: 1 });
      await client.nextOfType("history");
    }
    expect(await next(bob, { type: "unreact", reaction: "👍" })).toEqual([
      { reaction: "👍", count: 1, by: ["cy"] },
      { reaction: ":party_parrot:", count: 1, by: ["cy"] },
    ]);
    expect(summaries.map((p) => p.at)).toEqual([seq + 1, seq + 2, seq + 3, seq + 4]);
    cy.client.send({ type: "unreact", seq, reaction: "👍" });
    cy.client.send({ type: "unreact", seq, reaction: ":party_parrot:" });
    await ann.client.collect((p) => p.type === "reactions" && (p.reactions as unknown[]).length === 0, 1);
    // A message with no reactions left has no `reactions`.
    const late = await member(room, "late");
    expect((late.welcome.history as Packet[])[0]).toEqual({
      seq,
      ts: expect.any(Number),
      sender: expect.anything(),
      cid: expect.any(String),
      text: "react to me",
    });
  });

  it("refuses a new reaction past MAX_REACTIONS_PER_MESSAGE, one to a missing message, and one that is no emoji", async () => {
    const room = uniqueRoom("react-refused");
    const ann = await member(room, "ann");
    const bob = await member(room, "bob");
    const { seq } = await say(ann.client, "popular");
    const five = ["👍", "❤️", "😂", "🇫🇷", "1️⃣"];
    for (const reaction of five) ann.client.send({ type: "react", seq, reaction });
    await bob.client.collect((p) => p.type === "reactions" && (p.reactions as unknown[]).length === 5, 1);
    bob.client.send({ type: "react", seq, reaction: "👩‍👩‍👧" });
    expect(await refusal(bob.client, "react")).toMatchObject({ code: "reaction_limit" });
    // One of those five is still welcome.
    bob.client.send({ type: "react", seq, reaction: "🇫🇷" });
    expect(
      await ann.client.next((p) => p.type === "reactions" && JSON.stringify(p).includes('"by":["ann","bob"]')),
    ).toBeTruthy();
    bob.client.send({ type: "react", seq: 999, reaction: "👍" });
    expect(await refusal(bob.client, "react")).toMatchObject({ code: "not_found" });
    for (const reaction of ["a", "👍👍", ":Nope:", "1", ""]) {
      bob.client.send({ type: "react", seq, reaction });
      expect(await refusal(bob.client, "react")).toMatchObject({ code: "invalid_reaction" });
    }
  });

  it("makes a storm of reactions in one batch one change per message: one frame per member, one position", async () => {
    const room = uniqueRoom("react-storm");
    const members: Member[] = [];
    for (const name of ["ann", "bob", "cy", "dee"]) members.push(await member(room, name));
    const first = (await say(members[0]!.client, "one")).seq as number;
    const second = (await say(members[0]!.client, "two")).seq as number;
    await members[3]!.client.next((p) => p.seq === second);
    const lastSeq = (await env.ROOMS.getByName(room).info()).lastSeq;
    // Every reaction of the storm reaches the room within one turn of its event loop, as frames arriving together do
    // (from its own sockets: in a sharded room, the others' members hear it through their shards).
    const reactors = await runInDurableObject(env.ROOMS.getByName(room), async (instance: ChatRoom, state) => {
      const sockets = state.getWebSockets();
      const frames = sockets.flatMap((socket) =>
        STORM.flatMap((reaction) => [
          [socket, JSON.stringify({ type: "react", seq: first, reaction })] as const,
          [socket, JSON.stringify({ type: "react", seq: second, reaction })] as const,
        ]),
      );
      await Promise.all(frames.map(([socket, frame]) => instance.webSocketMessage(socket, frame)));
      return sockets.length;
    });
    for (const { client } of members) {
      const storm = await client.collect((p) => p.type === "reactions", 2);
      await sleep(100);
      expect(ofType(client, "reactions")).toEqual(storm);
      expect(storm.map((p) => [p.seq, p.at])).toEqual([
        [first, lastSeq + 1],
        [second, lastSeq + 2],
      ]);
      for (const packet of storm)
        expect((packet.reactions as Packet[]).map((r) => [r.reaction, r.count])).toEqual(
          STORM.map((reaction) => [reaction, reactors]),
        );
    }
    expect((await env.ROOMS.getByName(room).info()).lastSeq).toBe(lastSeq + 2);
  });
});

describe("replies and game data", () => {
  it("quotes a reply's original as it is (120 characters), refuses a reply to a message the room does not hold", async () => {
    const room = uniqueRoom("reply");
    const ann = await member(room, "ann");
    const bob = await member(room, "bob");
    const godot = await joinTutorial(room, "godot");
    const long = `${"a".repeat(119)}😀 and more`;
    const original = (await say(ann.client, long)).seq as number;
    const reply = await say(bob.client, "indeed", { replyTo: original });
    expect(reply.replyTo).toEqual({ seq: original, name: "ann", text: `${"a".repeat(119)}😀` });
    expect(await ann.client.next((p) => p.seq === reply.seq)).toEqual(reply);
    expect(await godot.next((p) => p.message === "indeed")).toEqual({
      type: "chat_message",
      name: "bob (guest)",
      message: "indeed",
      id: bob.id,
      seq: reply.seq,
      ts: reply.ts,
    });
    // An edit of the original leaves the quote as it was; its deletion leaves the quote deleted, for everyone later.
    ann.client.send({ type: "edit", seq: original, text: "changed my mind" });
    await bob.client.next(changeOf("edited", original));
    ann.client.send({ type: "delete", seq: original });
    await bob.client.next(changeOf("deleted", original));
    const late = await member(room, "late");
    expect((late.welcome.history as Packet[]).find((m) => m.seq === reply.seq)!.replyTo).toEqual({
      seq: original,
      name: "ann",
      text: "",
      deleted: true,
    });
    for (const replyTo of [original, 999, (reply.seq as number) + 100]) {
      bob.client.send({ type: "chat", text: "to nothing", replyTo, cid: `r${replyTo}` });
      expect(await refusal(bob.client, "chat")).toMatchObject({ code: "not_found", cid: `r${replyTo}` });
    }
    bob.client.send({ type: "chat", text: "bad", replyTo: "1" });
    expect(await refusal(bob.client, "chat")).toMatchObject({ code: "invalid_field" });
  });

  it("delivers game data as sent, and refuses data that is not an object, weighs more than MAX_DATA_BYTES or nests too deep", async () => {
    const room = uniqueRoom("data");
    const ann = await member(room, "ann");
    const bob = await member(room, "bob");
    const godot = await joinTutorial(room, "godot");
    const data = { item: { id: 42, name: "Épée ⚔️", tags: ["rare", null, true] }, at: [1.5, -2, 0], "": "<b>x</b>" };
    const sent = await say(ann.client, "look", { data });
    expect(sent.data).toEqual(data);
    expect(JSON.stringify(await bob.client.next((p) => p.seq === sent.seq))).toBe(JSON.stringify(sent));
    expect(await godot.next((p) => p.message === "look")).not.toHaveProperty("data");
    const late = await member(room, "late");
    expect(JSON.stringify((late.welcome.history as Packet[])[0]!.data)).toBe(JSON.stringify(data));

    let deep: unknown = {};
    for (let i = 0; i < 8; i++) deep = { deeper: deep };
    for (const bad of [[1, 2], null, "text", 7, { big: "x".repeat(2040) }, deep]) {
      ann.client.send({ type: "chat", text: "bad data", data: bad, cid: "bad" });
      expect(await refusal(ann.client, "chat")).toMatchObject({ code: "invalid_data", cid: "bad" });
    }
    // Just at the limit: 2048 bytes as JSON.
    const atLimit = { big: "é".repeat(1019) };
    expect(new TextEncoder().encode(JSON.stringify(atLimit)).length).toBe(2048);
    expect((await say(ann.client, "full", { data: atLimit })).data).toEqual(atLimit);
  });
});
