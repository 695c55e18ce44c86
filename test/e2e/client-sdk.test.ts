// The package entry `edge-chat-rooms/client`, used as an app would use it: examples/echo-bot.ts imports it by the
// package's name (package.json "exports", built into sdk/), in Node, with `ws` for a WebSocket, against `wrangler
// dev`; and it rides out a server restart by itself.

import type { ConnectionEvent } from "edge-chat-rooms/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEchoBot } from "../../examples/echo-bot.ts";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { connect } from "../support/ws-client.ts";

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server?.dispose();
});

it("answers in a room through the package entry, before and after a server restart", async () => {
  const events: ConnectionEvent[] = [];
  const bot = startEchoBot(`${server.wsUrl}/rooms/sdk`, "echo-bot", (event) => events.push(event));
  const online = () => expect.poll(() => bot.status.state, { timeout: 20_000 }).toBe("online");
  await online();

  const ask = async (text: string) => {
    const ann = await connect(`${server.wsUrl}/rooms/sdk`);
    ann.send({ type: "join", name: "ann" });
    await ann.next((p) => p.type === "welcome");
    ann.send({ type: "chat", text: `!echo ${text}` });
    const answer = await ann.next((p) => p.type === "chat" && p.text === text, 15_000);
    await ann.close();
    return answer;
  };
  expect(await ask("héllo 🎮")).toMatchObject({ sender: { name: "echo-bot" } });

  server = await server.restart();
  await expect
    .poll(() => events.some((e) => e.type === "status" && e.status.state === "reconnecting"), { timeout: 20_000 })
    .toBe(true);
  await online();
  expect(await ask("still here")).toMatchObject({ sender: { name: "echo-bot" } });
  // Every message the bot saw, it saw once.
  const seqs = events.flatMap((e) => (e.type === "messages" ? e.messages.map((m) => m.seq) : []));
  expect(new Set(seqs).size).toBe(seqs.length);
  bot.close();
});
