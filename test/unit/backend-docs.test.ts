// docs/backend.md's receiver works as the docs say: run as written, it takes a batch the room signed (by the room's
// own delivery code), skips the events of a batch sent again, and refuses one whose signature does not check out.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deliverer } from "../../src/server/room/webhook-delivery.ts";

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
    const deliver = deliverer({ url, secret: SECRET });
    const batch = (first: number, texts: string[]) => {
      const events = texts.map((text, i) => ({
        id: first + i,
        type: "message.created",
        room: "lobby",
        at: 0,
        data: { text },
      }));
      const body = JSON.stringify({ room: "lobby", events });
      return {
        id: `lobby:${first}-${first + texts.length - 1}`,
        body,
        last: first + texts.length - 1,
        count: texts.length,
      };
    };
    for (let tries = 0; ; tries++) {
      const outcome = await deliver(batch(1, ["one", "two"]));
      if (outcome === undefined) break;
      if (tries > 100) throw new Error(`the receiver did not start: ${outcome}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Sent again with one more: the first two are skipped.
    expect(await deliver(batch(1, ["one", "two", "three"]))).toBeUndefined();
    const forged = deliverer({ url, secret: `whsec_${btoa("not the receiver's key, 24+ bytes")}` });
    expect(await forged(batch(4, ["forged"]))).toBe("HTTP 401");
    await new Promise((r) => setTimeout(r, 200));
    expect(printed.trim().split("\n")).toEqual([
      'lobby message.created {"text":"one"}',
      'lobby message.created {"text":"two"}',
      'lobby message.created {"text":"three"}',
    ]);
  });
});
