// A webhook receiver for the rooms of the `worker-webhooks` pool (vitest.config.ts): it runs in Node, as the rooms'
// outbound service, so every request a room sends lands here. It checks each request's signature with the
// Standard Webhooks package, as a game's backend would, records it, and answers as a test told it for that room.
// The tests, inside workerd, read and steer it through a service binding (`WEBHOOK_SINK`):
//
//   GET  /deliveries?room=<room>          every request received for that room, in order
//   POST /answer?room=<room>&status=<n>   answer that room's requests with status n from now on (200 by default)

import { Webhook } from "standardwebhooks";

/** One request as the sink received it. */
export interface Delivery {
  id: string;
  timestamp: number;
  /** Whether its signature checked out with the pool's WEBHOOK_SECRET. */
  verified: boolean;
  body: {
    room: string;
    events: { id: number; type: string; room: string; at: number; data: Record<string, unknown> }[];
  };
  /** What the sink answered. */
  status: number;
}

export function webhookSink(secret: string) {
  const verifier = new Webhook(secret);
  const deliveries: Delivery[] = [];
  const answers = new Map<string, number>();
  return {
    /** The rooms' outbound fetch. */
    async receive(request: Request): Promise<Response> {
      const text = await request.text();
      const headers = Object.fromEntries(request.headers);
      let verified = true;
      try {
        verifier.verify(text, headers);
      } catch {
        verified = false;
      }
      const body = JSON.parse(text) as Delivery["body"];
      const status = answers.get(body.room) ?? 200;
      const id = headers["webhook-id"] ?? "";
      deliveries.push({ id, timestamp: Number(headers["webhook-timestamp"]), verified, body, status });
      return new Response(null, { status });
    },
    /** The tests' view and controls. */
    async control(request: Request): Promise<Response> {
      const url = new URL(request.url);
      const room = url.searchParams.get("room") ?? "";
      if (url.pathname === "/answer") {
        answers.set(room, Number(url.searchParams.get("status")));
        return new Response(null, { status: 204 });
      }
      return Response.json(deliveries.filter((delivery) => delivery.body.room === room));
    },
  };
}
