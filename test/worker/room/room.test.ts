import { abortAllDurableObjects, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatRoom } from "../../../src/server/room/room";
import type { RoomShard } from "../../../src/server/shards/shard";
import { shardName } from "../../../src/server/shards/wire";
import {
  announcedJoins,
  announcedLeaves,
  asGuest,
  type Client,
  connect,
  joinNative,
  joinTutorial,
  knownMemberIds,
  type Packet,
  sleep,
  uniqueRoom,
  upToMarker,
} from "../client";

const isChat = (p: Packet) => p.type === "chat";
const texts = (packets: Packet[]) => packets.map((p) => p.text);
const leavesOf = (client: Client) => client.received.flatMap(announcedLeaves);

describe("native dialect", () => {
  it("welcomes a member with id, members, history and limits, and announces the join to everyone", async () => {
    const room = uniqueRoom("welcome");
    const { client: ann, welcome: annWelcome } = await joinNative(room, "ann");
    expect(annWelcome).toMatchObject({
      name: "ann",
      members: [{ id: annWelcome.id, name: "ann" }],
      history: [],
      lastSeq: 0,
      more: false,
    });
    expect(annWelcome.limits).toMatchObject({ maxMessageChars: 2000, maxNameChars: 32, rateLimitBurst: 10 });

    const { client: bob, welcome: bobWelcome } = await joinNative(room, "bob");
    expect(bobWelcome.members).toEqual([
      { id: annWelcome.id, name: "ann", guest: true },
      { id: bobWelcome.id, name: "bob", guest: true },
    ]);
    expect(await ann.next((p) => p.type === "join" && p.name === "bob")).toEqual({
      type: "join",
      id: bobWelcome.id,
      name: "bob",
      guest: true,
    });
    expect(await bob.next((p) => p.type === "join")).toEqual({
      type: "join",
      id: bobWelcome.id,
      name: "bob",
      guest: true,
    });
  });

  it("stamps every chat with sequence, time and the real sender, ignoring any name the client claims", async () => {
    const room = uniqueRoom("chat");
    const { client: ann, welcome } = await joinNative(room, "ann");
    const { client: bob } = await joinNative(room, "bob");
    const before = Date.now();
    ann.send({ type: "chat", text: "  hello 😀  ", name: "bob", sender: { id: 99, name: "bob" } });
    const seen = await bob.next(isChat);
    expect(seen).toMatchObject({ seq: 1, sender: { id: welcome.id, name: "ann" }, text: "hello 😀" });
    expect(seen.ts).toBeGreaterThanOrEqual(before - 1000);
    expect(await ann.next(isChat)).toEqual(seen);
  });

  it("renames a member without leaving, and later messages carry the new name", async () => {
    const room = uniqueRoom("rename");
    const { client: ann, welcome } = await joinNative(room, "ann");
    const { client: bob } = await joinNative(room, "bob");
    ann.send({ type: "rename", name: "annie" });
    expect(await bob.nextOfType("rename")).toEqual({
      type: "rename",
      id: welcome.id,
      name: "annie",
      guest: true,
      previous: "ann",
    });
    ann.send({ type: "chat", text: "still me" });
    expect(await bob.next(isChat)).toMatchObject({ sender: { id: welcome.id, name: "annie" } });
    const info = await env.ROOMS.getByName(room).info();
    expect(info.members).toContainEqual({ id: welcome.id, name: "annie", guest: true });
  });

  // Every member sees one order. That each sender's own messages keep their order is checked end to end against
  // `wrangler dev` (test/e2e): this test pool may deliver one socket's frames to the room out of order
  // (cloudflare/workers-sdk#14061, fixed after the pinned @cloudflare/vitest-pool-workers 0.15.1).
  it("delivers concurrent senders' messages to every member in one sequence order", async () => {
    const room = uniqueRoom("order");
    const names = ["a", "b", "c", "d", "e"];
    const members = await Promise.all(names.map((name) => joinNative(room, name)));
    // Whichever order the joins arrive in, every member ends up knowing all five.
    for (const member of members) await expect.poll(() => knownMemberIds(member).length).toBe(5);
    // The join took one token of each member's burst of ten.
    for (let i = 0; i < 9; i++) {
      for (const { client, welcome } of members) client.send({ type: "chat", text: `${welcome.name}-${i}` });
    }
    const streams = await Promise.all(members.map(({ client }) => client.collect(isChat, 45)));
    const first = streams[0]!;
    expect(first.map((p) => p.seq)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    for (const stream of streams) expect(stream).toEqual(first);
    const sent = names.flatMap((name) => Array.from({ length: 9 }, (_, i) => `${name}-${i}`));
    expect(texts(first).sort()).toEqual(sent.sort());
  });

  it("announces a burst of joins in batches, and every member learns of every other exactly once", async () => {
    const room = uniqueRoom("burst");
    const count = 30;
    const members = await Promise.all(Array.from({ length: count }, (_, i) => joinNative(room, `m${i}`)));
    const everyone = members.map(({ welcome }) => welcome.id as number).sort((a, b) => a - b);
    for (const member of members) {
      await expect.poll(() => knownMemberIds(member).length).toBe(count);
      expect(knownMemberIds(member)).toEqual(everyone);
    }
    // One frame per join per member would be count × (count + 1) / 2 frames.
    const frames = members.reduce(
      (sum, { client }) => sum + client.received.filter((p) => announcedJoins(p).length > 0).length,
      0,
    );
    expect(frames).toBeLessThan((count * (count + 1)) / 2);
    // A chat sent after the burst comes after every announcement: up to it, each member heard of each other once.
    const heard = await upToMarker(
      members[0]!.client,
      members.map(({ client }) => client),
    );
    for (const [i, packets] of heard.entries()) {
      const member = members[i]!;
      const listed = (member.welcome.members as { id: number }[])
        .map((m) => m.id)
        .filter((id) => id !== member.welcome.id);
      const announced = packets.flatMap(announcedJoins).map((m) => m.id);
      expect([...listed, ...announced].sort((a, b) => a - b)).toEqual(everyone);
    }
  });

  it("answers the text ping with pong", async () => {
    const client = await connect(`/rooms/${uniqueRoom("ping")}`);
    client.sendRaw("ping");
    await expect.poll(() => client.plain).toEqual(["pong"]);
  });
});

describe("tutorial dialect (the Godot 3 chat tutorial's client, unchanged)", () => {
  it("joins with binary frames, hears its own join, and chats with itself and others", async () => {
    const room = uniqueRoom("tutorial");
    const godot = await joinTutorial(room, "godot");
    const joined = godot.received.find((p) => p.type === "server_message")!;
    expect(joined.message).toMatch(/^godot \(guest\)\(#\d+\) joined the chat\.$/);

    const other = await joinTutorial(room, "other");
    expect(
      (await godot.next((p) => p.type === "server_message" && String(p.message).startsWith("other (guest)(#"))).message,
    ).toMatch(/^other \(guest\)\(#\d+\) joined the chat\.$/);
    godot.sendBinary({ type: "chat_message", name: "other", message: "héllo 😀" });
    for (const client of [godot, other]) {
      expect(await client.nextOfType("chat_message")).toMatchObject({
        type: "chat_message",
        name: asGuest("godot"),
        message: "héllo 😀",
        seq: 1,
      });
    }
    other.socket.close(1000, "bye");
    expect(
      (await godot.next((p) => p.type === "server_message" && String(p.message).includes("left"))).message,
    ).toMatch(/^other \(guest\)\(#\d+\) left the chat\.$/);
  });

  it("gives a late joiner the recent history as chat messages", async () => {
    const room = uniqueRoom("tutorial-history");
    const { client: ann } = await joinNative(room, "ann");
    // One at a time: this pool may reorder one socket's frames (see the order test above).
    for (const text of ["one", "two"]) {
      ann.send({ type: "chat", text });
      await ann.next((p) => isChat(p) && p.text === text);
    }
    const godot = await joinTutorial(room, "godot");
    const history = godot.received.filter((p) => p.type === "chat_message");
    expect(history.map((p) => [p.name, p.message])).toEqual([
      [asGuest("ann"), "one"],
      [asGuest("ann"), "two"],
    ]);
  });

  it("shares one room with native members, each hearing the other in its own dialect", async () => {
    const room = uniqueRoom("mixed");
    const godot = await joinTutorial(room, "godot");
    const { client: ann, welcome } = await joinNative(room, "ann");
    expect(welcome.members).toHaveLength(2);
    expect((await godot.next((p) => String(p.message).startsWith(`${asGuest("ann")}(#`))).message).toBe(
      `${asGuest("ann")}(#${welcome.id}) joined the chat.`,
    );

    godot.sendBinary({ type: "chat_message", name: "godot", message: "from godot" });
    ann.send({ type: "chat", text: "from ann" });
    const annSees = await ann.collect(isChat, 2);
    const godotSees = await godot.collect((p) => p.type === "chat_message", 2);
    expect(godotSees.map((p) => p.seq)).toEqual(annSees.map((p) => p.seq));
    expect(godotSees.map((p) => p.message)).toEqual(texts(annSees));
    ann.send({ type: "rename", name: "annie" });
    expect((await godot.next((p) => String(p.message).includes("known as"))).message).toBe(
      `${asGuest("ann")}(#${welcome.id}) is now known as ${asGuest("annie")}.`,
    );
  });
});

describe("bad input", () => {
  async function expectRefused(client: Client, frame: string | Uint8Array, code: string): Promise<Packet> {
    client.sendRaw(frame);
    const error = await client.nextOfType("error");
    expect(error).toMatchObject({ code });
    expect(String(error.message).length).toBeGreaterThan(0);
    return error;
  }

  it("answers each kind of bad packet with its error code, keeps the connection, and disturbs no one", async () => {
    const room = uniqueRoom("bad");
    const { client: ann } = await joinNative(room, "ann");
    const { client: bob } = await joinNative(room, "bob");
    const cases: [string | Uint8Array, string][] = [
      ["{not json", "invalid_json"],
      ["[1,2,3]", "invalid_packet"],
      ['"chat"', "invalid_packet"],
      ['{"type":"dance"}', "unknown_type"],
      ['{"type":"chat"}', "invalid_field"],
      ['{"type":"chat","text":42}', "invalid_field"],
      [JSON.stringify({ type: "chat", text: "x".repeat(2001) }), "invalid_text"],
      ['{"type":"chat","text":"\\ud800"}', "invalid_text"],
      ['{"type":"join","name":"again"}', "already_joined"],
      ['{"type":"rename","name":"   "}', "invalid_name"],
      [new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]), "invalid_utf8"],
    ];
    for (const [frame, code] of cases) {
      await expectRefused(bob, frame, code);
      await sleep(200); // one token back: bad frames count against the rate limit too
    }

    bob.send({ type: "chat", text: "still here" });
    expect(await ann.next(isChat)).toMatchObject({ seq: 1, text: "still here" });
    // Ann heard nothing of Bob's mistakes, and no bad packet became a message.
    expect(ann.received.filter((p) => announcedJoins(p).length === 0 && p.type !== "welcome")).toEqual([
      expect.objectContaining({ type: "chat", text: "still here" }),
    ]);
  });

  it("closes a connection that sends a frame over the byte limit (1009), and announces its leave once", async () => {
    const room = uniqueRoom("too-big");
    const { client: ann } = await joinNative(room, "ann");
    const { client: bob, welcome } = await joinNative(room, "bob");
    await ann.next((p) => announcedJoins(p).some((m) => m.name === "bob"));
    bob.sendRaw(JSON.stringify({ type: "chat", text: "x".repeat(16 * 1024) }));
    expect(await bob.closed).toBe(1009);
    expect(bob.received.filter((p) => p.type === "error")).toEqual([]);
    await expect.poll(() => leavesOf(ann).map((m) => m.id)).toEqual([welcome.id]);
    const [heard] = await upToMarker(ann, [ann]);
    expect(heard!.flatMap(announcedLeaves).map((m) => m.id)).toEqual([welcome.id]);
    expect(heard!.at(-1)).toMatchObject({ seq: 1 });
  });

  it("refuses chat, rename and history before join", async () => {
    const client = await connect(`/rooms/${uniqueRoom("early")}`);
    for (const packet of [{ type: "chat", text: "hi" }, { type: "rename", name: "x" }, { type: "history" }]) {
      client.send(packet);
      expect(await client.nextOfType("error")).toMatchObject({ code: "not_joined" });
    }
    client.send({ type: "join", name: "late" });
    expect(await client.nextOfType("welcome")).toMatchObject({ name: "late", lastSeq: 0 });
  });

  it("answers a rate-limit refusal before join in the dialect of the refused packet", async () => {
    const client = await connect(`/rooms/${uniqueRoom("tutorial-flood")}`);
    for (let i = 0; i < 11; i++) client.sendBinary({ type: "test", test: "test message" });
    expect(await client.next((p) => p.code === "rate_limited")).toMatchObject({ type: "server_message" });
  });

  it("answers a tutorial client's mistakes as server messages, which its UI shows", async () => {
    const client = await connect(`/rooms/${uniqueRoom("tutorial-errors")}`);
    client.sendBinary({ type: "chat_message", name: "godot", message: "too early" });
    expect(await client.nextOfType("server_message")).toMatchObject({
      code: "not_joined",
      message: expect.stringMatching(/^Error: /),
    });
    client.sendBinary({ type: "user_joined", name: "godot" });
    await client.next((p) => String(p.message).includes("joined the chat"));
    client.sendBinary({ type: "chat_message", name: "godot", message: "" });
    expect(await client.next((p) => p.code === "invalid_text")).toMatchObject({ type: "server_message" });
  });

  it("rate-limits every frame with a retry hint, then closes a connection that keeps flooding (1008)", async () => {
    const room = uniqueRoom("flood");
    const { client: ann } = await joinNative(room, "ann");
    const { client: flooder } = await joinNative(room, "flooder");
    const sent = Date.now();
    for (let i = 0; i < 12; i++) flooder.send({ type: "chat", text: `m${i}` });
    // The join took one token of the burst of ten: nine messages pass, three are refused, and the first refusal of
    // the second is answered with a retry hint. (The bucket refills 5 tokens a second while the frames travel: on a
    // loaded machine that may let one more pass, never more than the time they took pays for.)
    const refusal = await flooder.next((p) => p.code === "rate_limited");
    const passed = 9 + Math.floor(((Date.now() - sent) / 1000) * 5);
    expect(refusal.retryAfterMs).toBeGreaterThan(0);
    expect(refusal.retryAfterMs).toBeLessThanOrEqual(200);
    await ann.collect(isChat, 9);
    // Once the hint's wait is over, the flooder's next chat passes, after all twelve: nine passed, one answer.
    await sleep(refusal.retryAfterMs as number);
    const [annHeard, flooderHeard] = await upToMarker(flooder, [ann, flooder]);
    // (This pool may reorder one socket's frames in flight: which nine passed is not known, only how many.)
    const chats = texts(annHeard!.filter(isChat)) as string[];
    const flood = chats.slice(0, -1);
    expect(flood.length).toBeGreaterThanOrEqual(9);
    expect(flood.length).toBeLessThanOrEqual(Math.min(passed, 11));
    expect(new Set(flood).size).toBe(flood.length);
    for (const text of flood) expect(text).toMatch(/^m\d+$/);
    expect(flooderHeard!.filter((p) => p.code === "rate_limited")).toHaveLength(1);

    for (let i = 0; i < 60; i++) flooder.sendRaw("garbage");
    expect(await flooder.closed).toBe(1008);
    await expect.poll(() => leavesOf(ann).map((m) => m.name)).toEqual(["flooder"]);
  });
});

describe("leaving", () => {
  async function twoMembers(label: string) {
    const room = uniqueRoom(label);
    const { client: ann } = await joinNative(room, "ann");
    const { client: bob, welcome } = await joinNative(room, "bob");
    // Had bob left before ann heard of its join, ann would hear of neither.
    await ann.next((p) => announcedJoins(p).some((m) => m.name === "bob"));
    return { room, ann, bob, bobId: welcome.id as number };
  }

  it("announces a clean close once, and answers the close frame", async () => {
    const { ann, bob, bobId } = await twoMembers("leave-clean");
    bob.socket.close(1000, "bye");
    expect(await bob.closed).toBe(1000);
    expect(await ann.nextOfType("leave")).toEqual({ type: "leave", id: bobId, name: "bob", guest: true });
    // bob's close is answered, so the room is done with it: a chat sent now comes after any leave it announced.
    const [heard] = await upToMarker(ann, [ann]);
    expect(heard!.flatMap(announcedLeaves)).toHaveLength(1);
  });

  it("announces a drop (1006) once, and an error once, with no close event after it", async () => {
    const { room, ann, bob, bobId } = await twoMembers("leave-drop");
    const { welcome: catWelcome } = await joinNative(room, "cat");
    // The runtime reports a lost connection as a close with 1006, or as an error; play both to the object that holds
    // the socket: the room, or (with SHARD_CAPACITY 2, for cat) its shard.
    await lose(room, bobId, (object, socket) => object.webSocketClose(socket, 1006));
    await lose(room, catWelcome.id as number, (object, socket) => object.webSocketError(socket));
    await expect.poll(() => leavesOf(ann).length).toBe(2);
    const [first] = await upToMarker(ann, [ann]);
    expect(
      first!
        .flatMap(announcedLeaves)
        .map((p) => p.id)
        .sort(),
    ).toEqual([bobId, catWelcome.id].sort());
    // The socket's own close, after the drop was played: answered, and announced no second time.
    bob.socket.close(1000);
    expect(await bob.closed).toBe(1000);
    const [second] = await upToMarker(ann, [ann]);
    expect(second!.flatMap(announcedLeaves)).toHaveLength(2);
  });

  it("announces a burst of leaves in batches, each exactly once, and never to a later joiner", async () => {
    const room = uniqueRoom("leave-burst");
    const { client: ann } = await joinNative(room, "ann");
    const leavers = await Promise.all(Array.from({ length: 20 }, (_, i) => joinNative(room, `l${i}`)));
    await expect.poll(() => ann.received.flatMap(announcedJoins).length).toBe(21);
    for (const { client } of leavers) client.socket.close(1000);
    const { client: late, welcome } = await joinNative(room, "late");

    const ids = leavers.map(({ welcome }) => welcome.id as number).sort((a, b) => a - b);
    await expect.poll(() => leavesOf(ann).length).toBe(20);
    expect(
      leavesOf(ann)
        .map((m) => m.id)
        .sort((a, b) => a - b),
    ).toEqual(ids);
    expect(ann.received.filter((p) => announcedLeaves(p).length > 0).length).toBeLessThan(20);
    // The late joiner hears of the leaves of exactly those leavers its welcome listed, once each.
    const listed = new Set((welcome.members as { id: number }[]).map((m) => m.id));
    const expected = ids.filter((id) => listed.has(id));
    await expect
      .poll(() =>
        leavesOf(late)
          .map((m) => m.id)
          .sort((a, b) => a - b),
      )
      .toEqual(expected);
    // All twenty leaves were announced: a chat sent now comes after any the late joiner will ever hear.
    const [lateHeard] = await upToMarker(ann, [late]);
    expect(lateHeard!.flatMap(announcedLeaves)).toHaveLength(expected.length);
  });

  it("never announces a connection that did not join", async () => {
    const room = uniqueRoom("leave-unjoined");
    const { client: ann } = await joinNative(room, "ann");
    const lurker = await connect(`/rooms/${room}`);
    lurker.socket.close(1000);
    // Answered: the room is done with the lurker, and a chat sent now comes after any leave it announced.
    expect(await lurker.closed).toBe(1000);
    const [heard] = await upToMarker(ann, [ann]);
    expect(heard!.flatMap(announcedLeaves)).toEqual([]);
  });
});

// The worker test pool runs rooms with HISTORY_RETAINED 40, HISTORY_ON_JOIN 20, HISTORY_PAGE_MAX 30 and
// HISTORY_PAGE_MAX_BYTES 20,000.
describe("history", () => {
  /**
   * Sends each message once the previous one is back, as a polite client does: a refusal says when to try again,
   * and a refusal within the same second says nothing (the frame is dropped), so silence means "send it again".
   */
  async function say(client: Client, count: number): Promise<void> {
    for (let i = 1; i <= count; i++) {
      client.send({ type: "chat", text: `m${i}` });
      const answer = await client
        .next((p) => (isChat(p) && p.text === `m${i}`) || p.code === "rate_limited", 1000)
        .catch((): Packet => ({ type: "silence", code: "rate_limited", retryAfterMs: 200 }));
      if (answer.code === "rate_limited") {
        await sleep(answer.retryAfterMs as number);
        i--;
      }
    }
  }

  async function roomWithMessages(label: string, count: number) {
    const room = uniqueRoom(label);
    const { client: ann } = await joinNative(room, "ann");
    await say(ann, count);
    return { room, ann };
  }

  const seqs = (messages: unknown) => (messages as Packet[]).map((m) => m.seq);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it("gives the recent history on join, resumes exactly after `since`, and pages backwards", async () => {
    const { room } = await roomWithMessages("history", 15);
    const { welcome: fresh } = await joinNative(room, "fresh");
    expect(fresh).toMatchObject({ lastSeq: 15, more: false });
    expect(texts(fresh.history as Packet[])).toEqual(range(1, 15).map((i) => `m${i}`));

    const { client: back, welcome: resumed } = await joinNative(room, "back", 12);
    expect(seqs(resumed.history)).toEqual([13, 14, 15]);
    expect(resumed.more).toBe(false);

    back.send({ type: "history", before: 11, limit: 4 });
    const page = await back.nextOfType("history");
    expect(seqs(page.messages)).toEqual([7, 8, 9, 10]);
    expect(page.more).toBe(true);
    back.send({ type: "history", before: 3, limit: 4 });
    expect(await back.nextOfType("history")).toMatchObject({ messages: [{ seq: 1 }, { seq: 2 }], more: false });
  });

  it("bounds what it sends, resumes and keeps to the configured sizes", { timeout: 60_000 }, async () => {
    const { room } = await roomWithMessages("history-long", 45);
    const { client, welcome } = await joinNative(room, "late");
    expect(seqs(welcome.history)).toEqual(range(26, 45)); // HISTORY_ON_JOIN
    expect(welcome.more).toBe(true);

    // A resume from further back than one page gets the newest page and `more`, to page back into the gap.
    const { welcome: resumed } = await joinNative(room, "away", 2);
    expect(seqs(resumed.history)).toEqual(range(16, 45)); // HISTORY_PAGE_MAX
    expect(resumed.more).toBe(true);

    // Only the newest 40 are kept (HISTORY_RETAINED): seqs 1 to 5 are gone.
    client.send({ type: "history", before: 10, limit: 30 });
    expect(await client.nextOfType("history")).toMatchObject({
      messages: range(6, 9).map((seq) => ({ seq })),
      more: false,
    });
  });

  it("bounds a page of history by its weight too, and pages on from where a light page stopped", async () => {
    const room = uniqueRoom("history-heavy");
    const { client: ann } = await joinNative(room, "ann");
    const long = (i: number) => `${i}`.padEnd(2000, "é");
    for (let i = 1; i <= 6; i++) {
      ann.send({ type: "chat", text: long(i) });
      await ann.next((p) => isChat(p) && p.seq === i);
    }
    const { client: late, welcome } = await joinNative(room, "late");
    const firstPage = welcome.history as Packet[];
    expect(firstPage.length).toBeGreaterThan(0);
    expect(firstPage.length).toBeLessThan(6);
    expect(new TextEncoder().encode(JSON.stringify(firstPage)).length).toBeLessThanOrEqual(20_000);
    expect(welcome.more).toBe(true);
    const pages = [firstPage];
    for (let more = true; more; ) {
      late.send({ type: "history", before: pages[0]![0]!.seq });
      const page = await late.nextOfType("history");
      pages.unshift(page.messages as Packet[]);
      more = page.more as boolean;
    }
    expect(pages.flat().map((m) => m.text)).toEqual([1, 2, 3, 4, 5, 6].map(long));
  });

  it("keeps history and members' ids across a restart of the room", async () => {
    const { room, ann } = await roomWithMessages("restart", 3);
    const idBefore = ann.received.find((p) => p.type === "welcome")!.id as number;
    await abortAllDurableObjects();
    expect(await ann.closed).toBe(1006);

    const { client: back, welcome } = await joinNative(room, "ann", 1);
    expect((welcome.history as Packet[]).map((m) => [m.seq, m.text])).toEqual([
      [2, "m2"],
      [3, "m3"],
    ]);
    expect(welcome.id).toBeGreaterThan(idBefore); // ids are never reused, even after a restart
    back.send({ type: "chat", text: "after restart" });
    expect(await back.next(isChat)).toMatchObject({ seq: 4 });
  });
});

describe("hibernation", () => {
  it("keeps members, names, their state and chat working after the idle room is evicted and re-created", {
    timeout: 60_000,
  }, async () => {
    const room = uniqueRoom("hibernate");
    const stub = env.ROOMS.getByName(room);
    const { client: ann, welcome: annWelcome } = await joinNative(room, "ann");
    const godot = await joinTutorial(room, "godot");
    // A third member: in a sharded room (the worker-sharded project) it is on a shard, so the room that wakes is a hub.
    const { client: cat, welcome: catWelcome } = await joinNative(room, "cat");
    ann.send({ type: "chat", text: "before sleep" });
    await ann.next(isChat);
    // A member's state lives with its session, in its socket's attachment (on a shard's socket, for cat there).
    cat.send({ type: "state", state: { status: "asleep?" } });
    await ann.nextOfType("signals");
    const marker = Symbol.for("test.instance");
    await runInDurableObject(stub, (instance) => {
      (instance as unknown as Record<symbol, boolean>)[marker] = true;
    });

    // The runtime evicts an object idle for about 10 s. Looking at the instance is activity, so look only after
    // longer than that idle each time, three times at the most.
    let evicted = false;
    for (let look = 0; look < 3 && !evicted; look++) {
      await sleep(11_000);
      evicted = await runInDurableObject(
        stub,
        (instance) => (instance as unknown as Record<symbol, boolean>)[marker] === undefined,
      );
    }
    // A new instance, yet everything the room knew of its members came back from the attachments.
    expect(evicted).toBe(true);
    const info = await stub.info();
    expect(info.members.map((m) => m.name).sort()).toEqual(["ann", "cat", "godot"]);
    expect(info.members.find((m) => m.name === "cat")?.state).toEqual({ status: "asleep?" });
    expect(info.lastSeq).toBe(1);

    godot.sendBinary({ type: "chat_message", message: "after sleep" });
    expect(await ann.next(isChat)).toMatchObject({ seq: 2, text: "after sleep", sender: { name: "godot" } });
    ann.send({ type: "chat", text: "hello again" });
    expect(await godot.next((p) => p.message === "hello again")).toMatchObject({
      name: asGuest("ann"),
      id: annWelcome.id,
    });
    const { welcome } = await joinNative(room, "new");
    expect(welcome.id).toBeGreaterThan(annWelcome.id as number);
    expect((welcome.members as Packet[]).map((m) => m.name)).toEqual(["ann", "godot", "cat", "new"]);
    expect((welcome.members as Packet[])[2]).toMatchObject({ id: catWelcome.id, state: { status: "asleep?" } });
    expect(await ann.next((p) => p.type === "join" && p.name === "new")).toMatchObject({ id: welcome.id });
    expect(await cat.next((p) => p.type === "join" && p.name === "new")).toMatchObject({ id: welcome.id });
    // Waking is no departure: nobody heard that anyone left.
    expect([...leavesOf(ann), ...leavesOf(cat)]).toEqual([]);
  });
});

/** Plays a runtime event to the socket of member `id`, on whichever object holds it: the room, or one of its shards. */
async function lose(
  room: string,
  id: number,
  event: (object: ChatRoom | RoomShard, socket: WebSocket) => Promise<void>,
): Promise<void> {
  // A room's socket holds the member's session; a shard's holds it under `session`.
  const idOf = (socket: WebSocket) => {
    const attachment = socket.deserializeAttachment() as { id?: number; session?: { id?: number } };
    return attachment.session?.id ?? attachment.id;
  };
  const objects = [env.ROOMS.getByName(room), env.SHARDS.getByName(shardName(room, 1))] as DurableObjectStub<
    ChatRoom | RoomShard
  >[];
  for (const stub of objects) {
    const played = await runInDurableObject(stub, async (object: ChatRoom | RoomShard, state) => {
      const socket = state.getWebSockets().find((candidate) => idOf(candidate) === id);
      if (socket) await event(object, socket);
      return socket !== undefined;
    });
    if (played) return;
  }
  throw new Error(`no object holds member ${id}`);
}
