// The backend a "webhooks" server of the bench sends its events to: a receiver on 127.0.0.1, as a game's would be,
// that verifies every request's signature with the Standard Webhooks package and answers 200. It runs in a process of
// its own (this file, forked): a game's backend does not share its players' event loop, and in the load generator's
// it would add its work to every latency the bench measures. It counts what it took, so that the bench can say the
// room kept up and every request checked out.

import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

type Counts = { requests: number; events: number; unverified: number };

export interface WebhookReceiver {
  /** The settings the server starts with: WEBHOOK_URL pointing here, and the secret both sides share. */
  vars: { WEBHOOK_URL: string; WEBHOOK_SECRET: string };
  /** Requests taken, events in them, and requests whose signature did not check out. */
  counts(): Promise<Counts>;
  close(): Promise<void>;
}

/** Starts the receiver in a child process; resolves once it listens. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  const child = fork(import.meta.filename, ["--receive", secret], { stdio: "inherit" });
  const next = <T>() => new Promise<T>((resolve) => child.once("message", (message) => resolve(message as T)));
  const { port } = await next<{ port: number }>();
  return {
    vars: { WEBHOOK_URL: `http://127.0.0.1:${port}/events`, WEBHOOK_SECRET: secret },
    counts: async () => {
      const answer = next<Counts>();
      child.send("counts");
      return answer;
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    },
  };
}

/** The child: listens on a free port, tells its parent which, and answers its `counts` questions. */
function receive(secret: string): void {
  const verifier = new Webhook(secret);
  const counts: Counts = { requests: 0, events: 0, unverified: 0 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      counts.requests++;
      try {
        const { events } = verifier.verify(body, request.headers as Record<string, string>) as { events: unknown[] };
        counts.events += events.length;
      } catch {
        counts.unverified++;
      }
      response.writeHead(200).end();
    });
  });
  server.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on("message", () => process.send?.(counts));
  // The bench ended without closing it (a failure): nobody is left to send to it.
  process.on("disconnect", () => process.exit());
}

if (process.argv[2] === "--receive") receive(process.argv[3]!);
