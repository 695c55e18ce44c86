// Limits that charge what input costs: bytes as well as frames, the size of a history answer, the room's own
// budget shared fairly among many senders, and caps per client address.

import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/server/config/env";
import { connect, joinNative, type Packet, sleep, UPGRADE, uniqueRoom } from "../client";

const isChat = (p: Packet) => p.type === "chat";

describe("the rate limit charges bytes", () => {
  it("charges a frame one token per started 4 KiB (RATE_LIMIT_BYTES_PER_TOKEN)", async () => {
    const room = uniqueRoom("heavy-chats");
    const { client: ann } = await joinNative(room, "ann");
    const { client: heavy } = await joinNative(room, "heavy");
    // 2,000 three-byte characters: about 6 KB, two tokens each. The join took one token of the burst of ten.
    const sent = Date.now();
    for (let i = 0; i < 6; i++) heavy.send({ type: "chat", text: `${i}`.padEnd(2000, "€") });
    const refusal = await heavy.next((p) => p.type === "error");
    expect(refusal).toMatchObject({ code: "rate_limited" });
    // Once the hint's wait is over, heavy's next chat passes, after all six: up to it, four of them had passed.
    // Counted by frames alone, all six would. (On a loaded machine a late heavy chat may spend what refilled: the
    // marker names a cid, so that a refusal of it is answered, and is sent again when told.)
    let wait = refusal.retryAfterMs as number;
    let marker = "";
    for (let attempt = 0; marker === ""; attempt++) {
      await sleep(wait);
      const cid = `marker-${attempt}`;
      heavy.send({ type: "chat", text: `marker ${cid}`, cid });
      const answer = await heavy.next((p) => p.cid === cid);
      if (answer.type === "chat") marker = `marker ${cid}`;
      else wait = answer.retryAfterMs as number;
    }
    const heard = await ann.upTo((p) => isChat(p) && p.text === marker);
    // The bucket refills 5 tokens a second: over the time all this took, at most that many more tokens were spent.
    const refilled = Math.floor(((Date.now() - sent) / 1000) * 5);
    // (This pool may reorder one socket's frames in flight: which four passed is not known, only how many.)
    const chats = heard.filter(isChat).map((p) => String(p.text));
    expect(chats.at(-1)).toBe(marker);
    const heavyChats = chats.filter((text) => text.length === 2000).length;
    expect(heavyChats).toBeGreaterThanOrEqual(4);
    expect(heavyChats).toBeLessThanOrEqual(Math.floor((9 + refilled) / 2));
  });

  it("charges a history request by the size of its answer", async () => {
    const room = uniqueRoom("history-bill");
    const { client: ann } = await joinNative(room, "ann");
    for (let i = 1; i <= 6; i++) {
      ann.send({ type: "chat", text: `${i}`.padEnd(2000, "€") });
      await ann.next((p) => isChat(p) && p.seq === i);
      await sleep(300);
    }
    const joining = Date.now();
    const { client: reader } = await joinNative(room, "reader");
    // Each answer is a page of about 20 KB (HISTORY_PAGE_MAX_BYTES here): five tokens, on top of the request's one.
    reader.send({ type: "history", before: 7 });
    expect(new TextEncoder().encode(JSON.stringify(await reader.nextOfType("history"))).length).toBeGreaterThan(16_384);
    reader.send({ type: "history", before: 7 });
    await reader.nextOfType("history");
    // Nine tokens after the join, twelve spent: three in debt, so the next request waits for four (800 ms at 5 a
    // second), less what the bucket refilled since the join.
    reader.send({ type: "history", before: 7 });
    const refusal = await reader.next((p) => p.type === "error");
    expect(refusal).toMatchObject({ code: "rate_limited" });
    expect(refusal.retryAfterMs).toBeGreaterThanOrEqual(800 - (Date.now() - joining));
  });
});

describe("the room's own budget", () => {
  it("serves a member at a human pace while many others flood, refusing the heaviest (room_busy)", async () => {
    const room = uniqueRoom("budget");
    const { client: honest } = await joinNative(room, "honest");
    const flooders = await Promise.all(Array.from({ length: 30 }, (_, i) => joinNative(room, `flooder${i}`)));
    // Each flooder spends its whole burst: 270 messages at once, past the room's 200 per second.
    for (const { client } of flooders) for (let i = 0; i < 9; i++) client.send({ type: "chat", text: `flood ${i}` });
    // Meanwhile the honest member says five things, one every 300 ms: about 3 a second, under its share of the
    // room (200 a second among 31 senders), each once its last was heard.
    const said = Array.from({ length: 5 }, (_, i) => `I am still heard ${i + 1}`);
    for (const text of said) {
      honest.send({ type: "chat", text });
      await honest.next((p) => isChat(p) && p.text === text, 10_000);
      await sleep(300);
    }
    // Up to the last of them, which the room took after the whole flood: the honest member was refused nothing,
    // every one of its messages passed, and the flood was cut short, by refusals to flooders.
    const heard = await honest.upTo((p) => isChat(p) && p.text === said.at(-1));
    expect(heard.filter((p) => p.type === "error")).toEqual([]);
    expect(
      heard
        .filter((p) => isChat(p) && p.sender !== undefined && (p.sender as { name: string }).name === "honest")
        .map((p) => p.text),
    ).toEqual(said);
    const flood = heard.filter((p) => isChat(p) && String(p.text).startsWith("flood "));
    expect(flood.length).toBeLessThan(270);
    const refusedFlooders = flooders.filter(({ client }) => client.received.some((p) => p.code === "room_busy"));
    expect(refusedFlooders.length).toBeGreaterThan(0);
    // Each refused flooder got fewer of its nine through than it sent.
    for (const { welcome } of refusedFlooders) {
      const passed = flood.filter((p) => (p.sender as { id: number }).id === welcome.id).length;
      expect(passed).toBeLessThan(9);
    }
  });

  it("takes joins at ROOM_JOINS_PER_SECOND (per object) after a burst, and tells the others when to come back", async () => {
    const room = uniqueRoom("join-budget");
    const clients = await Promise.all(Array.from({ length: 45 }, () => connect(`/rooms/${room}`)));
    const sentAt = Date.now();
    for (const [i, client] of clients.entries()) client.send({ type: "join", name: `j${i}` });
    const answers = await Promise.all(
      clients.map((client) => client.next((p) => p.type === "welcome" || p.type === "error")),
    );
    const refused = answers.filter((p) => p.type === "error");
    if (Number((env as Env).SHARD_CAPACITY) < clients.length) {
      // In a room of many objects each admits the joins of the connections it holds (test/worker/shard-joins): two
      // each in this pool, far below a burst.
      expect(refused).toEqual([]);
      return;
    }
    // A burst of five seconds at eight per second, and one more for each eighth of a second the burst took to arrive
    // (on a loaded machine, through shards, it can take longer than that).
    const refilled = Math.floor(((Date.now() - sentAt) / 1000) * 8);
    expect(answers.length - refused.length).toBeGreaterThanOrEqual(40);
    expect(answers.length - refused.length).toBeLessThanOrEqual(40 + refilled);
    expect(refused[0]).toMatchObject({ code: "room_busy" });
    const retryAfterMs = refused[0]!.retryAfterMs as number;
    expect(retryAfterMs).toBeGreaterThan(0);
    // A refused client that comes back when told gets in: told again if the burst's later joins took the room's
    // refill first (they may, on a loaded machine), it waits again, as a client does.
    const late = clients[answers.indexOf(refused[0]!)]!;
    let answer: Packet = refused[0]!;
    for (let attempt = 0; attempt < 10 && answer.type === "error"; attempt++) {
      expect(answer).toMatchObject({ code: "room_busy", retryAfterMs: expect.any(Number) });
      await sleep(answer.retryAfterMs as number);
      late.send({ type: "join", name: "patient" });
      answer = await late.next((p) => p.type === "welcome" || p.type === "error");
    }
    expect(answer).toMatchObject({ type: "welcome", name: "patient" });
  });
});

describe("per-address caps", () => {
  it("refuses a room's 21st connection from one address (429), not another address's", async () => {
    const room = uniqueRoom("per-address");
    const held = await Promise.all(Array.from({ length: 20 }, () => connect(`/rooms/${room}`, "203.0.113.20")));
    const refused = await SELF.fetch(`http://rooms.test/rooms/${room}`, {
      headers: { ...UPGRADE, "CF-Connecting-IP": "203.0.113.20" },
    });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: "too_many_connections" });
    expect(refused.headers.get("Retry-After")).toMatch(/^[1-9][0-9]*$/);
    await connect(`/rooms/${room}`, "203.0.113.21");
    held[0]!.socket.close(1000);
    await held[0]!.closed;
    await expect
      .poll(
        async () =>
          (
            await SELF.fetch(`http://rooms.test/rooms/${room}`, {
              headers: { ...UPGRADE, "CF-Connecting-IP": "203.0.113.20" },
            })
          ).status,
      )
      .toBe(101);
  });

  it("refuses upgrades from an address past the Worker's rate limit, before any room is reached", async () => {
    const address = "203.0.113.60";
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    // A different room each time: no room's own cap is reached, and none of them is touched by the refusals. The
    // limit counts in fixed 10-second windows, so the loop may straddle two of them: it stops at the first refusal.
    while (statuses.at(-1) !== 429 && statuses.length < 130) {
      const response = await SELF.fetch(`http://rooms.test/rooms/${uniqueRoom("loop")}`, {
        headers: { ...UPGRADE, "CF-Connecting-IP": address },
      });
      statuses.push(response.status);
      retryAfter = response.headers.get("Retry-After");
      response.webSocket?.accept();
      response.webSocket?.close(1000);
    }
    expect(statuses.at(-1)).toBe(429);
    expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
    expect(statuses.length - 1).toBeGreaterThanOrEqual(60);
    expect(statuses.length - 1).toBeLessThan(120);
  });
});
