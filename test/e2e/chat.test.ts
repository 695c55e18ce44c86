// End to end: Node WebSocket clients against a real `wrangler dev`, the way users run the server.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { connect, type TestClient } from "../support/ws-client.ts";

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server?.dispose();
});

const isChat = (p: Record<string, unknown>) => p.type === "chat";

async function joinNative(
  path: string,
  name: string,
  since?: number,
): Promise<{ client: TestClient; welcome: Record<string, unknown> }> {
  const client = await connect(`${server.wsUrl}${path}`);
  client.send(since === undefined ? { type: "join", name } : { type: "join", name, since });
  return { client, welcome: await client.next((p) => p.type === "welcome") };
}

/** Joins exactly as the Godot 3 tutorial's client does: no path, binary frames, `test` first. */
async function joinTutorial(name: string): Promise<TestClient> {
  const client = await connect(server.wsUrl);
  client.send({ type: "test", test: "test message" }, { binary: true });
  client.send({ type: "user_joined", name }, { binary: true });
  await client.next((p) => p.type === "server_message" && String(p.message).startsWith(`${name}(#`));
  return client;
}

describe("wrangler dev", () => {
  it("lets tutorial clients (binary frames, no path) and native clients chat together in the lobby", async () => {
    const godot = await joinTutorial("godot");
    const { client: ann, welcome } = await joinNative("/rooms/lobby", "ann");
    expect((welcome.members as { name: string }[]).map((m) => m.name)).toEqual(
      expect.arrayContaining(["godot", "ann"]),
    );

    godot.send({ type: "chat_message", name: "ann", message: "hello from Gödot 🎮" }, { binary: true });
    expect(await ann.next(isChat)).toMatchObject({ sender: { name: "godot" }, text: "hello from Gödot 🎮" });
    expect(await godot.next((p) => p.type === "chat_message")).toMatchObject({
      name: "godot",
      message: "hello from Gödot 🎮",
    });

    ann.send({ type: "chat", text: "hi godot" });
    expect(await godot.next((p) => p.type === "chat_message")).toMatchObject({ name: "ann", message: "hi godot" });
    await ann.close();
    expect((await godot.next((p) => String(p.message).endsWith("left the chat."))).message).toBe(
      `ann(#${welcome.id}) left the chat.`,
    );
    await godot.close();
  });

  it("keeps each sender's order, and one order for every member, under concurrent senders", async () => {
    const members = await Promise.all(["a", "b", "c", "d"].map((name) => joinNative("/rooms/order", name)));
    for (let i = 0; i < 9; i++) {
      for (const { client, welcome } of members) client.send({ type: "chat", text: `${welcome.name}-${i}` });
    }
    await Promise.all(members.map(({ client }) => client.next((p) => isChat(p) && p.seq === 36)));
    const streams = members.map(({ client }) => client.received.filter(isChat));
    for (const stream of streams) expect(stream).toEqual(streams[0]);
    for (const name of ["a", "b", "c", "d"]) {
      const own = streams[0]!.map((p) => String(p.text)).filter((text) => text.startsWith(`${name}-`));
      expect(own).toEqual(Array.from({ length: 9 }, (_, i) => `${name}-${i}`));
    }
    await Promise.all(members.map(({ client }) => client.close()));
  });

  it("answers a client's close frame, and announces a drop without one exactly once", async () => {
    const { client: ann } = await joinNative("/rooms/drops", "ann");
    const { client: bob, welcome: bobWelcome } = await joinNative("/rooms/drops", "bob");
    const { client: cat, welcome: catWelcome } = await joinNative("/rooms/drops", "cat");

    const closeCode = new Promise<number>((resolve) => bob.socket.once("close", (code) => resolve(code)));
    bob.socket.close(4000, "done");
    expect(await closeCode).toBe(4000); // the room echoed the close, so the handshake completed

    cat.socket.terminate(); // no close frame: the room learns of it as 1006
    const leaves = (packets: Record<string, unknown>[]) =>
      packets.flatMap((p) =>
        p.type === "leaves" ? (p.members as { id: number }[]).map((m) => m.id) : p.type === "leave" ? [p.id] : [],
      );
    await expect.poll(() => leaves(ann.received), { timeout: 10_000 }).toEqual([bobWelcome.id, catWelcome.id]);
    // Up to a chat ann sends now, each was announced once.
    ann.send({ type: "chat", text: "after the drops" });
    expect(leaves(await ann.upTo((p) => isChat(p) && p.text === "after the drops"))).toEqual([
      bobWelcome.id,
      catWelcome.id,
    ]);
    await ann.close();
  });

  it("keeps the history through a crash of the server, and a rejoin with `since` gets exactly what was missed", async () => {
    const { client: ann } = await joinNative("/rooms/crash", "ann");
    for (const text of ["one", "two", "three"]) ann.send({ type: "chat", text });
    await ann.next((p) => isChat(p) && p.seq === 3);
    const closed = new Promise<number>((resolve) => ann.socket.once("close", (code) => resolve(code)));

    await server.stop({ kill: true });
    expect(await closed).toBe(1006);
    server = await server.restart();

    const { client: bob } = await joinNative("/rooms/crash", "bob");
    bob.send({ type: "chat", text: "four" });
    await bob.next((p) => isChat(p) && p.seq === 4);
    const { client: back, welcome } = await joinNative("/rooms/crash", "ann", 2);
    expect((welcome.history as { seq: number; text: string }[]).map((m) => [m.seq, m.text])).toEqual([
      [3, "three"],
      [4, "four"],
    ]);
    expect(welcome.lastSeq).toBe(4);
    await Promise.all([bob.close(), back.close()]);
  });

  it("refuses a plain HTTP request to a room with 426 and a bad room name with 400", async () => {
    expect((await fetch(`${server.httpUrl}/rooms/lobby`)).status).toBe(426);
    const refused = new WebSocket(`${server.wsUrl}/rooms/bad!name`);
    const status = await new Promise<number | undefined>((resolve) => {
      refused.once("unexpected-response", (_request, response) => resolve(response.statusCode));
      refused.once("open", () => resolve(undefined));
    });
    expect(status).toBe(400);
  });
});
