// What the room sends fits what its client takes (docs/protocol.md, "Frame sizes"), and a binary `ping` is answered.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readSettings } from "../../../src/server/config/settings";
import { DEFAULT_LIMITS } from "../../../src/shared/protocol";
import { minServerFrameBytes } from "../../../src/shared/validation";
import { type Client, connect, joinNative, joinTutorial, type Packet, uniqueRoom } from "../client";

/** The longest message there is, in characters of 3 bytes each: one is 6,000 bytes of UTF-8. */
const long = (label: string) => `${label} ${"語".repeat(DEFAULT_LIMITS.maxMessageChars - label.length - 1)}`;
/** The smallest frame limit a client may ask for, with this pool's limits (few reactions per message). */
const floor = minServerFrameBytes(readSettings(env).limits);

async function joinWith(
  room: string,
  name: string,
  maxFrameBytes?: number,
): Promise<{ client: Client; welcome: Packet }> {
  const client = await connect(`/rooms/${room}`);
  client.send({ type: "join", name, ...(maxFrameBytes === undefined ? {} : { maxFrameBytes }) });
  return { client, welcome: await client.nextOfType("welcome") };
}

describe("frame sizes", () => {
  it("tells a client the frame limit in force: the room's by default, or less if its join asks for less", async () => {
    const room = uniqueRoom("frames-limit");
    expect((await joinWith(room, "ann")).welcome.limits).toMatchObject({
      maxServerFrameBytes: DEFAULT_LIMITS.maxServerFrameBytes,
    });
    expect((await joinWith(room, "bob", floor + 1000)).welcome.limits).toMatchObject({
      maxServerFrameBytes: floor + 1000,
    });
    expect((await joinWith(room, "cy", 10_000_000)).welcome.limits).toMatchObject({
      maxServerFrameBytes: DEFAULT_LIMITS.maxServerFrameBytes,
    });
    const small = await connect(`/rooms/${room}`);
    small.send({ type: "join", name: "dee", maxFrameBytes: floor - 1 });
    expect(await small.nextOfType("error")).toMatchObject({ code: "invalid_field", for: "join" });
  });

  it("cuts a welcome and history pages to a client's maxFrameBytes, newest first, the rest pageable", async () => {
    const room = uniqueRoom("frames-welcome");
    const ann = await joinNative(room, "ann");
    for (let i = 1; i <= 4; i++) ann.client.send({ type: "chat", text: long(`m${i}`) });
    await ann.client.collect((p) => p.type === "chat", 4);
    const carl = await joinWith(room, "carl", floor);
    const sizes = carl.client.frameSizes;
    expect(Math.max(...sizes)).toBeLessThanOrEqual(floor);
    expect(carl.welcome.more).toBe(true);
    expect(carl.welcome.moreMembers).toBe(false);
    const seen = (carl.welcome.history as Packet[]).map((m) => m.seq as number);
    expect(seen.at(-1)).toBe(4);
    while (seen[0]! > 1) {
      carl.client.send({ type: "history", before: seen[0] });
      const page = await carl.client.nextOfType("history");
      seen.unshift(...(page.messages as Packet[]).map((m) => m.seq as number));
      expect(page.more).toBe(seen[0]! > 1);
    }
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(Math.max(...carl.client.frameSizes)).toBeLessThanOrEqual(floor);
    // A resume is cut the same way.
    const back = await connect(`/rooms/${room}`);
    back.send({ type: "join", name: "carl2", since: 0, maxFrameBytes: floor });
    const resumed = await back.nextOfType("welcome");
    expect(resumed.more).toBe(true);
    expect(Math.max(...back.frameSizes)).toBeLessThanOrEqual(floor);
  });

  it("answers a binary ping with pong, before and after join, as it answers a text one", async () => {
    const room = uniqueRoom("frames-ping");
    const ping = new TextEncoder().encode("ping");
    const early = await connect(`/rooms/${room}`);
    early.sendRaw(ping);
    const { client } = await joinNative(room, "ann");
    client.sendRaw(ping);
    client.sendRaw("ping");
    await expect.poll(() => [early.plain, client.plain]).toEqual([["pong"], ["pong", "pong"]]);
    expect([...early.received, ...client.received].filter((p) => p.type === "error")).toEqual([]);
  });

  it("keeps a tutorial client's frames whole: history one message a frame, each under the limit", async () => {
    const room = uniqueRoom("frames-tutorial");
    const ann = await joinNative(room, "ann");
    for (let i = 1; i <= 3; i++) ann.client.send({ type: "chat", text: long(`t${i}`) });
    await ann.client.collect((p) => p.type === "chat", 3);
    const godot = await joinTutorial(room, "godot");
    await godot.collect((p) => p.type === "chat_message", 3);
    expect(Math.max(...godot.frameSizes)).toBeLessThanOrEqual(DEFAULT_LIMITS.maxServerFrameBytes);
  });
});
