// The SDK (`edge-chat-rooms/client`, as an app imports it) against a real `wrangler dev` under the room's rules
// (design 25b): a moderator's connection sets slow mode and mutes; the member's connection hears the settings and
// its mute, its chats' promises reject with the room's codes (slow_mode with its wait, blocked_word, muted) and are
// not sent again, and a mute lifted lets it write again; a message the backend posts has the system sender.

import { type ConnectionEvent, Refusal, RoomConnection, webSocketFactory, withToken } from "edge-chat-rooms/client";
import { SignJWT } from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";

const SECRET = "sdk-rules-secret";
const ADMIN_TOKEN = "sdk-rules-admin";
const ROOM = "sdk-rules";

let server: DevServer;
const connections: RoomConnection[] = [];
beforeAll(async () => {
  server = await startDevServer({ vars: { AUTH_SECRET: SECRET, ADMIN_TOKEN, BLOCKED_WORDS: "frobnicate" } });
});
afterAll(async () => {
  for (const connection of connections) connection.close();
  await server?.dispose();
});

/** A connection to the room, joined; its events kept. */
async function joined(name: string, token?: string) {
  const events: ConnectionEvent[] = [];
  const url = `${server.wsUrl}/rooms/${ROOM}`;
  const connection = new RoomConnection({
    url: token ? withToken(url, token) : url,
    name,
    createSocket: webSocketFactory(WebSocket),
    onEvent: (event) => events.push(event),
  });
  connections.push(connection);
  connection.open();
  await expect.poll(() => connection.status.state, { timeout: 20_000 }).toBe("online");
  return { connection, events };
}

/** How a chat's promise settled: the message's text, or the refusal's code and wait. */
const settled = (promise: Promise<{ text: string }>) =>
  promise.then(
    (message) => ({ text: message.text }),
    (error: unknown) =>
      error instanceof Refusal ? { code: error.code, waits: error.retryAfterMs !== undefined } : { error },
  );

it("keeps the room's rules: settings, slow mode, blocked words, a mute until lifted, the system sender", async () => {
  const modToken = await new SignJWT({ sub: "mod-1", name: "Mod", role: "moderator" })
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(SECRET));
  const mod = await joined("Mod", modToken);
  const ann = await joined("Ann");
  expect(ann.connection.settings).toEqual({ slowModeSeconds: 0, listed: false });

  expect(mod.connection.setSettings({ slowModeSeconds: 60 })).toBe(true);
  await expect.poll(() => ann.connection.settings.slowModeSeconds).toBe(60);
  expect(await settled(ann.connection.sendChat("first"))).toEqual({ text: "first" });
  expect(await settled(ann.connection.sendChat("second"))).toEqual({ code: "slow_mode", waits: true });
  // Moderators are exempt.
  expect(await settled(mod.connection.sendChat("one"))).toEqual({ text: "one" });
  expect(await settled(mod.connection.sendChat("two"))).toEqual({ text: "two" });
  mod.connection.setSettings({ slowModeSeconds: 0 });
  await expect.poll(() => ann.connection.settings.slowModeSeconds).toBe(0);

  expect(await settled(ann.connection.sendChat("you frobnicate"))).toEqual({ code: "blocked_word", waits: false });

  const annId = ann.connection.members.find((m) => m.name === "Ann")?.id;
  expect(mod.connection.mute(annId!, { minutes: 5, reason: "cool off" })).toBe(true);
  await expect.poll(() => ann.connection.muted?.reason).toBe("cool off");
  expect(ann.connection.muted?.until).toBeGreaterThan(Date.now());
  const mutedAnswer = () => {
    const event = mod.events.find((e) => e.type === "moderated" && e.packet.type === "muted");
    return event?.type === "moderated" && event.packet.type === "muted" ? event.packet : undefined;
  };
  await expect.poll(mutedAnswer).toMatchObject({ id: annId, name: "Ann" });
  expect(await settled(ann.connection.sendChat("let me speak"))).toEqual({ code: "muted", waits: true });

  expect(mod.connection.unmute(mutedAnswer()!.user)).toBe(true);
  await expect.poll(() => ann.connection.muted).toBeUndefined();
  expect(await settled(ann.connection.sendChat("thank you"))).toEqual({ text: "thank you" });

  const posted = await fetch(`${server.httpUrl}/api/rooms/${ROOM}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ text: "Ann won", sender: { name: "Ann" } }),
  });
  const { seq } = (await posted.json()) as { seq: number };
  await expect.poll(() => ann.connection.messages.get(seq)?.sender).toEqual({ id: 0, name: "Ann", system: true });

  // What the room refused for good was never sent again: the room holds each accepted chat once, and none refused.
  const texts = [...ann.connection.messages.values()].map((m) => m.text);
  expect(texts).toEqual(["first", "one", "two", "thank you", "Ann won"]);
});
