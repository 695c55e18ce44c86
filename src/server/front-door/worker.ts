// The Worker: routes each request to the room it names, or to the static assets.
//
//   WebSocket upgrade on /              → room "lobby" (the Godot tutorial's client connects with no path)
//   WebSocket upgrade on /rooms/<name>  → room <name>
//   GET /api/rooms                      → the directory: listed rooms, their titles and counts (directory-api.ts)
//   GET /api/rooms/<name>               → JSON about the room: its count, a page of its members (in a token-only
//                                         room, only to a caller with a token for it), last sequence number, its
//                                         settings; to the admin, how its webhooks fare (room-info-api.ts)
//   POST /api/rooms/<name>/messages     → the publish API (publish-api.ts), when PUBLISH_TOKEN or ADMIN_TOKEN is set
//   POST /api/rooms/<name>/<action>,
//   DELETE /api/rooms/<name>            → the admin API (admin-api.ts: moderation, settings), when ADMIN_TOKEN is set
//   anything else                       → static/ (the browser client)
//
// Each room is one Durable Object, addressed by its name, so every member of a room reaches the same object
// wherever in the world they connect from. A room that holds SHARD_CAPACITY connections answers an upgrade with
// the shard to send it to instead (docs/scaling.md); small rooms never see that second step.

import { DEFAULT_ROOM, isRoomName, ROOM_NAME_RULE } from "../../shared/protocol";
import type { Env } from "../config/env";
import { EXTENSIONS_HEADER } from "../connections/compression";
import { IDENTITY_HEADER, identify } from "../connections/identity";
import { refusal, refusalCode } from "../connections/requests";
import { logEvent } from "../observability/log";
import { ROUTING_HEADERS, SHARD_HEADER, shardName } from "../shards/wire";
import { accessSettings } from "./access";
import { adminRequest, isAdminRoute } from "./admin-api";
import { DIRECTORY_ROUTE, directoryRequest } from "./directory-api";
import { PUBLISH_ROUTE, publishRequest } from "./publish-api";
import { roomInfoRequest } from "./room-info-api";
import { refuseUpgrade } from "./upgrade-checks";

export default {
  /** Routes the request; a refusal made here is logged, with the room it names (rooms log their own). */
  async fetch(request: Request, env: Env): Promise<Response> {
    const response = await route(request, env);
    const code = refusalCode(response);
    if (code !== undefined) {
      const origin = { room: roomOfPath(new URL(request.url).pathname), object: "worker" };
      const upgrade = request.headers.get("Upgrade")?.toLowerCase() === "websocket";
      logEvent("refusal", origin, { code, for: upgrade ? "upgrade" : request.method, status: response.status });
    }
    return response;
  },
} satisfies ExportedHandler<Env>;

async function route(request: Request, env: Env): Promise<Response> {
  const { pathname } = new URL(request.url);
  // A room cannot start with a bad setting: say which, at once, instead of letting every request reach a room
  // that fails as it starts.
  const misconfigured = settingsProblem(env);
  if (misconfigured) return misconfigured;

  if (pathname === DIRECTORY_ROUTE) return directoryRequest(request, env);
  if (pathname.startsWith("/api/rooms/")) {
    const [rawName = "", action, ...beyond] = pathname.slice("/api/rooms/".length).split("/");
    const name = roomName(rawName);
    if (name instanceof Response) return name;
    const known = action === undefined || action === PUBLISH_ROUTE || isAdminRoute(action, request.method);
    if (beyond.length > 0 || !known) return refusal(404, { error: "not_found", message: "no such route" });
    if (action === PUBLISH_ROUTE) return publishRequest(request, env, name);
    if (isAdminRoute(action, request.method)) return adminRequest(request, env, name, action);
    return roomInfoRequest(request, env, name);
  }

  const wantsRoom =
    pathname === "/" ? DEFAULT_ROOM : pathname.startsWith("/rooms/") ? pathname.slice("/rooms/".length) : null;
  if (wantsRoom === null) return env.ASSETS.fetch(request);
  const name = roomName(wantsRoom);
  if (name instanceof Response) return name;

  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
    // A browser opening a room's address gets the chat page, which then connects to the same address.
    if (request.method === "GET" && request.headers.get("Accept")?.includes("text/html")) {
      return env.ASSETS.fetch(new Request(new URL("/", request.url), request));
    }
    return refusal(
      426,
      { error: "upgrade_required", message: "this address takes WebSocket connections" },
      { Upgrade: "websocket" },
    );
  }
  const refused = await refuseUpgrade(request, env);
  if (refused) return refused;
  const identity = await identify(new URL(request.url), name, accessSettings(env));
  if (identity instanceof Response) return identity;
  // Only the Worker may say who a connection is and where the room placed it: whatever a client sent in these
  // headers goes.
  const headers = new Headers(request.headers);
  for (const header of [IDENTITY_HEADER, ...ROUTING_HEADERS]) headers.delete(header);
  // Rooms take no compressed frames (compression.ts): they answer without the extension, and never see it offered.
  headers.delete(EXTENSIONS_HEADER);
  if (identity) headers.set(IDENTITY_HEADER, JSON.stringify(identity));
  const answer = await env.ROOMS.getByName(name).fetch(new Request(request, { headers }));
  const shard = answer.headers.get(SHARD_HEADER);
  if (answer.webSocket || shard === null) return answer;
  for (const header of ROUTING_HEADERS) headers.set(header, answer.headers.get(header) ?? "");
  return env.SHARDS.getByName(shardName(name, Number(shard))).fetch(new Request(request, { headers }));
}

/** The room a path names, as the log shows it: "" for none, or a name that is not one. */
function roomOfPath(pathname: string): string {
  const raw = pathname === "/" ? DEFAULT_ROOM : (pathname.match(/^\/(?:api\/)?rooms\/([^/]+)/)?.[1] ?? "");
  return isRoomName(raw) ? raw : "";
}

/** Settings are read once per isolate: the same `env` holds the same values. */
const checked = new WeakMap<Env, Response | undefined>();

/** A 503 naming the setting that is not valid, or undefined if all are. */
function settingsProblem(env: Env): Response | undefined {
  if (!checked.has(env)) {
    try {
      accessSettings(env);
      checked.set(env, undefined);
    } catch (error) {
      console.error(`worker: ${String(error)}`);
      checked.set(
        env,
        refusal(503, { error: "bad_setting", message: error instanceof Error ? error.message : String(error) }),
      );
    }
  }
  // A Response's body can be read once: each request gets its own copy.
  return checked.get(env)?.clone();
}

function roomName(raw: string): string | Response {
  return isRoomName(raw) ? raw : refusal(400, { error: "invalid_room_name", message: ROOM_NAME_RULE });
}
