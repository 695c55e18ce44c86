// Client chat ids (docs/protocol.md, "Client chat ids"): a chat's cid comes back in its echo and in history, a
// resend of a cid its sender posted is stored once and acked to the sender alone, and errors name what they answer.

import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../../src/shared/protocol";
import { type Client, connect, joinNative, type Packet, sleep, token, uniqueRoom, upToMarker } from "../client";

const chatWith = (cid: string) => (packet: Packet) => packet.type === "chat" && packet.cid === cid;
const chats = (client: Client) => client.received.filter((packet) => packet.type === "chat");

/** Joins as a member with a token for `user`: two connections of one user are one sender. */
async function joinVerified(room: string, user: string): Promise<{ client: Client; welcome: Packet }> {
  const client = await connect(`/rooms/${room}?token=${await token({ sub: user, name: user })}`);
  client.send({ type: "join", name: user });
  return { client, welcome: await client.nextOfType("welcome") };
}

describe("client chat ids", () => {
  it("carries a chat's cid to everyone and into history; a resend is acked to its sender alone, with the stored seq", async () => {
    const room = uniqueRoom("cid");
    const ann = await joinNative(room, "ann");
    const bob = await joinNative(room, "bob");
    ann.client.send({ type: "chat", text: "hello", cid: "ann-1" });
    const first = await bob.client.next(chatWith("ann-1"));
    const echo = await ann.client.next(chatWith("ann-1"));
    expect(echo).toEqual(first);
    ann.client.send({ type: "chat", text: "hello again, but the same cid", cid: "ann-1" });
    expect(await ann.client.next(chatWith("ann-1"))).toEqual(first);
    // Bob hears of the next message, and of nothing in between.
    ann.client.send({ type: "chat", text: "next" });
    await bob.client.next((p) => p.type === "chat" && p.text === "next");
    expect(chats(bob.client).map((p) => p.text)).toEqual(["hello", "next"]);
    bob.client.send({ type: "history" });
    const page = await bob.client.nextOfType("history");
    expect((page.messages as Packet[]).map((m) => [m.text, m.cid])).toEqual([
      ["hello", "ann-1"],
      ["next", undefined],
    ]);
  });

  it("answers every chat of a burst once, echoes before the first refusal; a resend after a refusal is stored once", async () => {
    const room = uniqueRoom("cid-refused");
    const ann = await joinNative(room, "ann");
    const bob = await joinNative(room, "bob");
    const cids = Array.from({ length: 14 }, (_, i) => `m${i}`);
    for (const cid of cids) ann.client.send({ type: "chat", text: cid, cid });
    const refusal = await ann.client.next((p) => p.type === "error" && p.code === "rate_limited");
    expect(refusal).toMatchObject({ for: "chat" });
    expect(cids).toContain(refusal.cid);
    // Every chat of the burst is answered once: its echo, or a refusal naming it.
    const burst = await ann.client.collect((p) => p.type === "chat" || p.type === "error", cids.length);
    expect(burst.map((p) => p.cid).sort()).toEqual([...cids].sort());
    expect(burst.filter((p) => p.type === "error").every((p) => p.code === "rate_limited" && p.for === "chat")).toBe(
      true,
    );
    // The first refusal comes after the echoes of the chats taken before it: a full bucket's worth, less the join's
    // token. (Which chats those are depends on the order the frames reached the room, and refills may let one
    // through between refusals: only the count is certain.)
    expect(burst.findIndex((p) => p.type === "error")).toBeGreaterThanOrEqual(DEFAULT_LIMITS.rateLimitBurst - 1);
    // The client resends all of them, as one that cannot tell which got through would, each until it is acked.
    await sleep(refusal.retryAfterMs as number);
    for (const cid of cids) {
      for (;;) {
        const sentAt = ann.client.received.length;
        ann.client.send({ type: "chat", text: cid, cid });
        const answer = await ann.client.next((p) => p.cid === cid && ann.client.received.indexOf(p) >= sentAt);
        if (answer.type === "chat") break;
        await sleep(answer.retryAfterMs as number);
      }
    }
    await bob.client.collect((p) => p.type === "chat", cids.length);
    // Up to a chat bob sends now, every resend has been stored or not.
    const [bobHeard] = await upToMarker(bob.client, [bob.client]);
    const stored = bobHeard!.filter((p) => p.type === "chat" && !String(p.text).startsWith("marker "));
    // Each stored once (in the order the frames reached the room, which a burst does not fix).
    expect(stored.map((p) => p.cid).sort()).toEqual([...cids].sort());
    const seqs = new Map(stored.map((p) => [p.cid, p.seq]));
    for (const echo of chats(ann.client).filter((p) => p.cid !== undefined)) expect(echo.seq).toBe(seqs.get(echo.cid));
  });

  it("knows an anonymous member by its membership across resumes, even once its old connection is gone", async () => {
    const room = uniqueRoom("cid-resume");
    const ann = await joinNative(room, "ann");
    const bob = await joinNative(room, "bob");
    ann.client.send({ type: "chat", text: "before the drop", cid: "drop-1" });
    const stored = await bob.client.next(chatWith("drop-1"));
    ann.client.socket.close(1000);
    await ann.client.closed;
    await bob.client.nextOfType("leave");
    let resumeKey = ann.welcome.resumeKey as string;
    for (let reconnect = 0; reconnect < 2; reconnect++) {
      const back = await connect(`/rooms/${room}`);
      back.send({ type: "join", name: "ann", since: stored.seq, resume: resumeKey });
      const welcome = await back.nextOfType("welcome");
      back.send({ type: "chat", text: "before the drop", cid: "drop-1" });
      const ack = await back.next(chatWith("drop-1"));
      expect(ack).toEqual(stored);
      resumeKey = welcome.resumeKey as string;
      back.socket.close(1000);
      await back.closed;
    }
    bob.client.send({ type: "chat", text: "after" });
    await bob.client.next((p) => p.type === "chat" && p.text === "after");
    expect(chats(bob.client).map((p) => p.text)).toEqual(["before the drop", "after"]);
  });

  it("stores the same cid from two members, and from a member that did not resume, as messages of their own", async () => {
    const room = uniqueRoom("cid-two");
    const ann = await joinNative(room, "ann");
    const bob = await joinNative(room, "bob");
    ann.client.send({ type: "chat", text: "from ann", cid: "same" });
    await bob.client.next(chatWith("same"));
    bob.client.send({ type: "chat", text: "from bob", cid: "same" });
    await ann.client.next((p) => p.type === "chat" && p.text === "from bob");
    const fresh = await joinNative(room, "carl");
    fresh.client.send({ type: "chat", text: "from carl", cid: "same" });
    await ann.client.next((p) => p.type === "chat" && p.text === "from carl");
    expect(new Set(chats(ann.client).map((p) => p.seq)).size).toBe(3);
  });

  it("knows a verified member by its user: its other connection's resend is acked, not stored", async () => {
    const room = uniqueRoom("cid-user");
    const tab1 = await joinVerified(room, "kim");
    const tab2 = await joinVerified(room, "kim");
    tab1.client.send({ type: "chat", text: "hi", cid: "k1" });
    const stored = await tab2.client.next(chatWith("k1"));
    tab2.client.send({ type: "chat", text: "hi", cid: "k1" });
    expect(await tab2.client.next(chatWith("k1"))).toEqual(stored);
    tab2.client.send({ type: "chat", text: "then" });
    await tab1.client.next((p) => p.type === "chat" && p.text === "then");
    expect(chats(tab1.client).map((p) => p.text)).toEqual(["hi", "then"]);
  });

  it("names the packet every error answers, with its cid", async () => {
    const room = uniqueRoom("cid-errors");
    const early = await connect(`/rooms/${room}`);
    early.send({ type: "chat", text: "too soon", cid: "e0" });
    expect(await early.nextOfType("error")).toMatchObject({ code: "not_joined", for: "chat", cid: "e0" });
    const { client } = await joinNative(room, "ann");
    client.send({ type: "chat", text: "   ", cid: "e1" });
    expect(await client.nextOfType("error")).toMatchObject({ code: "invalid_text", for: "chat", cid: "e1" });
    client.send({ type: "chat", text: "hi", cid: "not valid!" });
    const invalid = await client.nextOfType("error");
    expect(invalid).toMatchObject({ code: "invalid_field", for: "chat" });
    expect(invalid.cid).toBeUndefined();
    client.send({ type: "history", before: -1 });
    expect(await client.nextOfType("error")).toMatchObject({ code: "invalid_field", for: "history" });
    client.send({ type: "join", name: "ann" });
    expect(await client.nextOfType("error")).toMatchObject({ code: "already_joined", for: "join" });
    client.send({ type: "kick", id: 1, cid: "k" });
    expect(await client.nextOfType("error")).toMatchObject({ code: "forbidden", for: "kick", cid: "k" });
  });
});
