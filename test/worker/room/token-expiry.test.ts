// A connection lives no longer than its token: the room closes a verified connection with 4010 once its token's
// `exp` has passed (past the 60 s of clock skew the Worker allows), a silent one as well as one that chats, and takes
// nothing it sends after that. Each room here has two anonymous members first, so that in the sharded project
// (SHARD_CAPACITY 2) the verified member is on a shard, and its hub closes it there.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { announcedLeaves, type Client, connect, joinNative, sleep, token, uniqueRoom, upToMarker } from "../client";

const CLOSE_TOKEN_EXPIRED = 4010;
const SKEW_SECONDS = 60;

/**
 * A token whose connection the room must close in about `seconds` (and not before): its `exp` lies in the past, by
 * less than the clock skew the Worker allows. With when that is, in ms.
 */
async function expiringToken(
  claims: Record<string, unknown>,
  seconds: number,
): Promise<{ token: string; expiresAt: number }> {
  const exp = Math.floor(Date.now() / 1000) - SKEW_SECONDS + seconds;
  return {
    token: await token(claims, { expiresIn: exp - Math.floor(Date.now() / 1000) }),
    expiresAt: (exp + SKEW_SECONDS) * 1000,
  };
}

/** A room with two anonymous members; ann hears everything. */
async function roomWithTwo(label: string): Promise<{ room: string; ann: Client }> {
  const room = uniqueRoom(label);
  const { client: ann } = await joinNative(room, "ann");
  await joinNative(room, "ben");
  return { room, ann };
}

async function joinVerified(room: string, tokenText: string): Promise<{ client: Client; id: number }> {
  const client = await connect(`/rooms/${room}?token=${tokenText}`);
  client.send({ type: "join", name: "x" });
  const welcome = await client.nextOfType("welcome");
  return { client, id: welcome.id as number };
}

/** When a socket closed, with its code. */
const closing = (client: Client) => client.closed.then((code) => ({ code, at: Date.now() }));

describe("a connection outlives its token no more", () => {
  it("closes a silent member with 4010 when its token expires, and the room hears it leave", async () => {
    const { room, ann } = await roomWithTwo("expiry-silent");
    const { token: vera, expiresAt } = await expiringToken({ sub: "u-vera", name: "Vera", role: "moderator" }, 3);
    const { client, id } = await joinVerified(room, vera);
    const closed = await closing(client);
    expect(closed.code).toBe(CLOSE_TOKEN_EXPIRED);
    expect(closed.at).toBeGreaterThanOrEqual(expiresAt);
    // The room's alarm rings for it: within a second or two, not at the next sweep (30 s).
    expect(closed.at - expiresAt).toBeLessThan(2500);
    const leave = await ann.next((p) => announcedLeaves(p).some((m) => m.id === id));
    expect(announcedLeaves(leave).find((m) => m.id === id)).toMatchObject({ name: "Vera" });
    expect((await env.ROOMS.getByName(room).info()).members.map((m) => m.name)).toEqual(["ann", "ben"]);
  });

  it("closes a chatting member at expiry, and nobody hears a chat of it sent after", async () => {
    const { room, ann } = await roomWithTwo("expiry-chatting");
    const { token: vera, expiresAt } = await expiringToken({ sub: "u-vera", name: "Vera" }, 3);
    const { client } = await joinVerified(room, vera);
    let sent = 0;
    const chatting = setInterval(() => {
      try {
        client.send({ type: "chat", text: `chat ${++sent}` });
      } catch {
        // Closed under us.
      }
    }, 150);
    const closed = await closing(client);
    clearInterval(chatting);
    expect(closed.code).toBe(CLOSE_TOKEN_EXPIRED);
    expect(closed.at - expiresAt).toBeLessThan(2500);
    // Up to a chat ann sends now, everything the room took from Vera has been heard.
    const [upTo] = await upToMarker(ann, [ann]);
    const heard = upTo!.filter((p) => p.type === "chat" && p.sender && (p.sender as { name: string }).name === "Vera");
    expect(heard.length).toBeGreaterThan(5);
    for (const chat of heard) expect(chat.ts as number).toBeLessThan(expiresAt);
  });

  it("refuses a chat after expiry even before the alarm comes round, and closes the connection", async () => {
    const { room, ann } = await roomWithTwo("expiry-frame");
    const { token: vera, expiresAt } = await expiringToken({ sub: "u-vera", name: "Vera" }, 2);
    const { client, id } = await joinVerified(room, vera);
    // The alarm is gone: only the frame itself can tell the room that its sender's token expired.
    await runInDurableObject(env.ROOMS.getByName(room), (_, state) => state.storage.deleteAlarm());
    await sleep(expiresAt - Date.now() + 200);
    client.send({ type: "chat", text: "after my token expired" });
    expect(await client.closed).toBe(CLOSE_TOKEN_EXPIRED);
    await ann.next((p) => announcedLeaves(p).some((m) => m.id === id));
    expect(ann.received.some((p) => p.type === "chat" && p.text === "after my token expired")).toBe(false);
  });

  it("refuses a join after expiry, and writes nothing for that connection", async () => {
    const room = uniqueRoom("expiry-join");
    const { token: late, expiresAt } = await expiringToken({ sub: "u-late", name: "Late" }, 1);
    const client = await connect(`/rooms/${room}?token=${late}`);
    await sleep(expiresAt - Date.now() + 200);
    client.send({ type: "join", name: "x" });
    expect(await client.closed).toBe(CLOSE_TOKEN_EXPIRED);
    expect(client.received.some((p) => p.type === "welcome")).toBe(false);
    const written = await runInDurableObject(env.ROOMS.getByName(room), async (_, state) => ({
      alarm: await state.storage.getAlarm(),
      tables: state.storage.sql.exec(`SELECT name FROM sqlite_master WHERE name NOT LIKE '_cf_%'`).toArray().length,
    }));
    expect(written).toEqual({ alarm: null, tables: 0 });
  });
});
