// The backend a "webhooks" server of the bench sends its events to: a receiver on 127.0.0.1 in the bench's own
// process, as a game's would be, that verifies every request's signature with the Standard Webhooks package and
// answers 200. It counts what it took, so that the bench can say the room kept up (no backlog, nothing refused), and
// costs the bench's event loop what a receiver costs: what the room's latency with webhooks on is measured against.

import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface WebhookReceiver {
  /** The settings the server starts with: WEBHOOK_URL pointing here, and the secret both sides share. */
  vars: { WEBHOOK_URL: string; WEBHOOK_SECRET: string };
  /** Requests taken, events in them, and requests whose signature did not check out. */
  counts(): { requests: number; events: number; unverified: number };
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  const verifier = new Webhook(secret);
  const counts = { requests: 0, events: 0, unverified: 0 };
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
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    vars: { WEBHOOK_URL: `http://127.0.0.1:${port}/events`, WEBHOOK_SECRET: secret },
    counts: () => ({ ...counts }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
