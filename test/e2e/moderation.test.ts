// Moderation end to end: Node clients and the admin API against a real `wrangler dev` with AUTH_SECRET and
// ADMIN_TOKEN set, a tutorial client (binary frames) among the members, and a restart of the server in between.

import { once } from "node:events";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { GUEST_MARK } from "../../src/shared/names.ts";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { connect, type TestClient } from "../support/ws-client.ts";

const SECRET = "e2e-auth-secret";
const ADMIN_TOKEN = "e2e-admin-token";
const ROOM = "moderated";

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ vars: { AUTH_SECRET: SECRET, ADMIN_TOKEN } });
});
afterAll(async () => {
  await server?.dispose();
});

const mint = (claims: { sub: string; name: string; role?: string }) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(SECRET));

async function join(name: string, claims?: { sub: string; name: string; role?: string }, since?: number) {
  const query = claims ? `?token=${await mint(claims)}` : "";
  const client = await connect(`${server.wsUrl}/rooms/${ROOM}${query}`);
  client.send({ type: "join", name, ...(since === undefined ? {} : { since }) });
  return { client, welcome: await client.next((p) => p.type === "welcome") };
}

async function joinTutorial(name: string): Promise<TestClient> {
  const client = await connect(`${server.wsUrl}/rooms/${ROOM}`);
  client.send({ type: "test", test: "test message" }, { binary: true });
  client.send({ type: "user_joined", name }, { binary: true });
  // With AUTH_SECRET set, an anonymous member is a guest, and the tutorial dialect says so after its name.
  await client.next((p) => p.type === "server_message" && String(p.message).startsWith(`${name}${GUEST_MARK}(#`));
  return client;
}

/** The HTTP status (and JSON body) of an upgrade the server refuses; 101 if it accepts. */
function upgrade(path: string): Promise<{ status: number; body?: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.wsUrl}${path}`);
    socket.once("open", () => {
      socket.close(1000);
      resolve({ status: 101 });
    });
    socket.once("unexpected-response", (_, response) => {
      let text = "";
      response.on("data", (chunk) => (text += chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
      );
    });
    socket.once("error", (error) => (error.message.includes("Unexpected server response") ? undefined : reject(error)));
  });
}

const admin = (path: string, init: RequestInit & { bearer?: string } = {}) =>
  fetch(`${server.httpUrl}/api/rooms/${ROOM}${path}`, {
    method: "POST",
    ...init,
    headers: {
      "Content-Type": "application/json",
      ...(init.bearer === undefined ? {} : { Authorization: `Bearer ${init.bearer}` }),
    },
  });

const closeCode = async (client: TestClient) => (await once(client.socket, "close"))[0] as number;

describe("moderation on wrangler dev", () => {
  it("lets a moderator delete a tutorial client's message and kick it, as every dialect hears it", async () => {
    const { client: moderator } = await join("mod", { sub: "mod", name: "Mod", role: "moderator" });
    const godot = await joinTutorial("godot");
    const godotId = Number(/#(\d+)\)/.exec(String(godot.received.at(-1)?.message))?.[1]);
    godot.send({ type: "chat_message", message: "buy cheap gold" }, { binary: true });
    const { seq } = await moderator.next((p) => p.type === "chat" && p.text === "buy cheap gold");

    moderator.send({ type: "delete", seq });
    expect(await moderator.next((p) => p.type === "deleted")).toEqual({
      type: "deleted",
      seq,
      at: (seq as number) + 1,
    });
    expect(await godot.next((p) => String(p.message).includes("deleted"))).toMatchObject({
      message: `A moderator deleted message #${seq}.`,
    });

    const closed = closeCode(godot);
    moderator.send({ type: "kick", id: godotId, reason: "gold seller" });
    expect(await godot.next((p) => p.code === "kicked")).toMatchObject({
      type: "server_message",
      message: "Error: a moderator removed you from the room: gold seller",
    });
    expect(await closed).toBe(4001);
    expect(await moderator.next((p) => p.type === "leave")).toMatchObject({
      id: godotId,
      name: "godot",
      reason: "kicked",
    });
    await moderator.close();
  });

  it("keeps a ban and a tombstone across a restart of the server", async () => {
    const troll = { sub: "troll", name: "Troll" };
    const { client: moderator } = await join("mod", { sub: "mod", name: "Mod", role: "moderator" });
    const { client: trollClient, welcome } = await join("x", troll);
    trollClient.send({ type: "chat", text: "offensive" });
    const { seq } = await moderator.next((p) => p.type === "chat" && p.text === "offensive");
    moderator.send({ type: "delete", seq });
    await moderator.next((p) => p.type === "deleted");
    const closed = closeCode(trollClient);
    moderator.send({ type: "ban", id: welcome.id, reason: "repeat offender" });
    expect(await moderator.next((p) => p.type === "banned")).toMatchObject({ user: "troll", name: "Troll" });
    expect(await closed).toBe(4003);
    await moderator.close();

    server = await server.restart();
    expect(await upgrade(`/rooms/${ROOM}?token=${await mint(troll)}`)).toMatchObject({
      status: 403,
      body: { error: "banned" },
    });
    // Everyone here shares the troll's address: anonymous connections from it are refused too, verified ones are not.
    expect(await upgrade(`/rooms/${ROOM}`)).toMatchObject({ status: 403, body: { error: "banned" } });
    const { client: back, welcome: resumed } = await join("back", { sub: "reader", name: "Reader" }, Number(seq) - 1);
    expect((resumed.history as Record<string, unknown>[])[0]).toMatchObject({
      seq,
      text: "",
      deleted: true,
      sender: { name: "Troll", user: "troll", verified: true },
    });
    await back.close();
  });

  it("serves the admin API to the bearer of ADMIN_TOKEN only, and wipes a room", async () => {
    expect((await admin("/unban", { body: JSON.stringify({ user: "troll" }) })).status).toBe(401);
    expect((await admin("/unban", { body: JSON.stringify({ user: "troll" }), bearer: "guess" })).status).toBe(401);
    const unbanned = await admin("/unban", { body: JSON.stringify({ user: "troll" }), bearer: ADMIN_TOKEN });
    expect(await unbanned.json()).toEqual({ ok: true, type: "unbanned", user: "troll" });
    expect((await upgrade(`/rooms/${ROOM}?token=${await mint({ sub: "troll", name: "Troll" })}`)).status).toBe(101);

    const { client: ann } = await join("ann");
    const closed = closeCode(ann);
    expect((await admin("", { method: "DELETE", bearer: ADMIN_TOKEN })).status).toBe(200);
    expect(await closed).toBe(4002);
    const info = await (await fetch(`${server.httpUrl}/api/rooms/${ROOM}`)).json();
    expect(info).toMatchObject({ members: [], lastSeq: 0 });
  });
});
