// Webhooks end to end: a real `wrangler dev` whose WEBHOOK_URL is a receiver on 127.0.0.1 in this process. The
// receiver checks every request with the Standard Webhooks package, as docs/backend.md's does; it is killed for a
// while and started again on the same port, and once back it loses one answer (it takes a request, then answers
// 503). It must still end up with every event exactly once after dedupe by webhook-id, in id order.

import { createServer, type Server } from "node:http";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { connect, type TestClient } from "../support/ws-client.ts";

const SECRET = `whsec_${Buffer.from("an e2e webhook key of 32 bytes!!").toString("base64")}`;
const ADMIN_TOKEN = "e2e-admin-token";
const ROOM = "hooked";

type Event = { id: number; type: string; room: string; at: number; data: Record<string, unknown> };
interface Request {
  id: string;
  verified: boolean;
  body: string;
  events: Event[];
  status: number;
}

/** The receiver: every request it took, and how many of its next answers to lose (it answers 503 to those). */
const received: Request[] = [];
let answersToLose = 0;
let receiver: Server | undefined;
let port = 0;

function startReceiver(): Promise<void> {
  const verifier = new Webhook(SECRET);
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let verified = true;
      try {
        verifier.verify(body, request.headers as Record<string, string>);
      } catch {
        verified = false;
      }
      const status = answersToLose > 0 ? 503 : 204;
      if (status === 503) answersToLose--;
      const { events } = JSON.parse(body) as { events: Event[] };
      received.push({ id: String(request.headers["webhook-id"]), verified, body, events, status });
      response.writeHead(status).end();
    });
  });
  receiver = server;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
}

/** Kills the receiver: its port refuses connections until it starts again. */
function killReceiver(): Promise<void> {
  const server = receiver!;
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port below Linux's ephemeral range (as tools/dev-server.ts picks), which no outgoing connection can take. */
async function listenOnFreePort(): Promise<void> {
  for (;;) {
    port = 20_000 + Math.floor(Math.random() * 12_000);
    try {
      return await startReceiver();
    } catch {}
  }
}

/** The events the backend took: each request it answered 2xx, once per webhook-id. */
function taken(): Event[] {
  const seen = new Set<string>();
  return received
    .filter(({ id, status }) => status < 300 && !seen.has(id) && seen.add(id))
    .flatMap(({ events }) => events);
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let server: DevServer;
beforeAll(async () => {
  await listenOnFreePort();
  server = await startDevServer({
    vars: { WEBHOOK_URL: `http://127.0.0.1:${port}/chat-webhooks`, WEBHOOK_SECRET: SECRET, ADMIN_TOKEN },
  });
});
afterAll(async () => {
  await server?.dispose();
  if (receiver?.listening) await killReceiver();
});

async function join(name: string): Promise<{ client: TestClient; id: number }> {
  const client = await connect(`${server.wsUrl}/rooms/${ROOM}`);
  client.send({ type: "join", name });
  const welcome = await client.next((p) => p.type === "welcome");
  return { client, id: welcome.id as number };
}

async function say(client: TestClient, text: string): Promise<number> {
  client.send({ type: "chat", text });
  return (await client.next((p) => p.type === "chat" && p.text === text)).seq as number;
}

const webhookInfo = async () => {
  const response = await fetch(`${server.httpUrl}/api/rooms/${ROOM}`, {
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return ((await response.json()) as { webhook: Record<string, unknown> }).webhook;
};

describe("webhooks on wrangler dev", () => {
  it("reach a receiver that was down for a while every event once, in order, each request signed", async () => {
    const ann = await join("ann");
    const bob = await join("bob");
    const before = [await say(ann.client, "one"), await say(bob.client, "two")];
    await until(() => taken().some(({ data }) => data.seq === before[1]), "the receiver has the first chats");

    await killReceiver();
    const during = [];
    for (const text of ["three", "four", "five"]) during.push(await say(ann.client, text));
    await bob.client.close();
    await until(async () => (await webhookInfo()).lastError !== undefined, "the room sees its receiver down");
    expect(await webhookInfo()).toMatchObject({ backlog: expect.any(Number), dropped: 0 });
    // Down for a few attempts (after 1 s, then 2 s more): then back, and it loses its first answer.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    answersToLose = 1;
    await startReceiver();
    const after = await say(ann.client, "six");
    await ann.client.close();
    await until(() => taken().at(-1)?.type === "room.vacated", "the receiver has the room vacated");

    const events = taken();
    expect(received.every(({ verified }) => verified)).toBe(true);
    expect(events.map(({ type }) => type)).toEqual([
      "room.occupied",
      "member.joined",
      "member.joined",
      "message.created",
      "message.created",
      "message.created",
      "message.created",
      "message.created",
      "member.left",
      "message.created",
      "member.left",
      "room.vacated",
    ]);
    // Each once, in order: consecutive ids; the messages by their seq, as the members saw them.
    expect(events.every((event, i) => i === 0 || event.id === events[i - 1]!.id + 1)).toBe(true);
    const seqs = events.filter(({ type }) => type === "message.created").map(({ data }) => data.seq);
    expect(seqs).toEqual([...before, ...during, after]);
    expect(events.filter(({ type }) => type === "member.left").map(({ data }) => data.member)).toMatchObject([
      { id: bob.id, name: "bob" },
      { id: ann.id, name: "ann" },
    ]);
    // The answer lost: that request came again, the same under the same webhook-id, and was taken once.
    const lost = received.find(({ status }) => status === 503)!;
    expect(received.filter(({ id }) => id === lost.id).map(({ body, status }) => [body, status])).toEqual([
      [lost.body, 503],
      [lost.body, 204],
    ]);
    expect(await webhookInfo()).toEqual({ backlog: 0, lagMs: 0, dropped: 0 });
  });
});
