// docs/backend.md's receiver works as the docs say: run as written, it takes a batch signed as the room signs them
// (with the standardwebhooks package: test/unit/server/room/webhook-delivery.test.ts), skips the events of a batch
// sent again, and refuses one whose signature does not check out.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const SECRET = `whsec_${btoa("the docs' receiver key, 24+ bytes")}`;

/** The JavaScript of the section "A receiver". */
function receiverCode(): string {
  const doc = readFileSync(`${ROOT}/docs/backend.md`, "utf8");
  const section = doc.slice(doc.indexOf("### A receiver"));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error("docs/backend.md has no receiver");
  return code;
}

const freePort = () =>
  new Promise<number>((resolvePort) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });

/** Posts a batch of events signed with `secret`; resolves with the receiver's status. */
async function post(url: string, secret: string, first: number, texts: string[]): Promise<number> {
  const events = texts.map((text, i) => ({
    id: first + i,
    type: "message.created",
    room: "lobby",
    at: 0,
    data: { text },
  }));
  const body = JSON.stringify({ room: "lobby", events });
  const id = `lobby:${first}-${first + texts.length - 1}`;
  const now = new Date();
  const signature = new Webhook(secret).sign(id, now, body);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const headers = { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature };
  return (await fetch(url, { method: "POST", headers, body })).status;
}

let receiver: ChildProcess | undefined;
afterAll(() => receiver?.kill());

describe("docs/backend.md's receiver", () => {
  it("takes signed batches, each event once, and refuses a forged one", async () => {
    // Inside the project, so that it finds standardwebhooks as a backend that installed it would.
    const dir = resolve(ROOT, "test-results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/receiver.mjs`, receiverCode());
    const port = await freePort();
    receiver = spawn(process.execPath, [`${dir}/receiver.mjs`], {
      env: { ...process.env, WEBHOOK_SECRET: SECRET, PORT: String(port) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let printed = "";
    receiver.stdout?.on("data", (chunk) => (printed += chunk));
    const url = `http://127.0.0.1:${port}/`;
    for (let tries = 0; ; tries++) {
      const status = await post(url, SECRET, 1, ["one", "two"]).catch(() => 0);
      if (status === 204) break;
      if (tries > 100) throw new Error(`the receiver did not start (${status})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Sent again with one more: the first two are skipped.
    expect(await post(url, SECRET, 1, ["one", "two", "three"])).toBe(204);
    expect(await post(url, `whsec_${btoa("not the receiver's key, 24+ bytes")}`, 4, ["forged"])).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(printed.trim().split("\n")).toEqual([
      'lobby message.created {"text":"one"}',
      'lobby message.created {"text":"two"}',
      'lobby message.created {"text":"three"}',
    ]);
  });
});
