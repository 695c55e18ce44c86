// The durable floor behind the room's own front door (door.toml, `--servers durable-door`): every WebSocket upgrade
// goes through the room's Worker (src/server/front-door/worker.ts) exactly as a room's does (routing by path, the
// settings check, the upgrade checks, the identity and header rewriting, the call to the object by room name) and
// reaches the durable floor's object instead of a room. So ours / durable-door compares the room's own work per
// message, with the same front door on both sides. The counters' route (`GET /api/rooms/<name>/counters`, with
// ADMIN_TOKEN) goes through it too, to the floor's `counters` (floor.ts). Other requests (wrangler's startup probe asks
// `/api/rooms/<name>`, which the room's Worker would answer with an RPC the floor has not got) get the floors' plain
// answer.

import type { Env } from "../../src/server/config/env";
import frontDoor from "../../src/server/front-door/worker";

export { DurableFloor } from "./floor";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const upgrade = request.headers.get("Upgrade")?.toLowerCase() === "websocket";
    const counters = /^\/api\/rooms\/[^/]+\/counters$/.test(new URL(request.url).pathname);
    if (!upgrade && !counters) return new Response("floor", { status: 200 });
    return frontDoor.fetch(request, env);
  },
} satisfies ExportedHandler<Env>;
