// What the Worker checks of a WebSocket upgrade before it reaches a room: a refusal here costs the room nothing.

import type { Env } from "../config/env";
import { clientAddress, refusal } from "../connections/requests";

/** A WebSocket key is 16 random bytes in base64 (RFC 6455, 4.1). */
const WEBSOCKET_KEY = /^[A-Za-z0-9+/]{22}==$/;

/** The refusal for an upgrade no room should see, or undefined to let it through. */
export async function refuseUpgrade(request: Request, env: Env): Promise<Response | undefined> {
  if (request.method !== "GET") {
    return refusal(
      405,
      { error: "method_not_allowed", message: "a WebSocket upgrade is a GET request" },
      { Allow: "GET" },
    );
  }
  if (!WEBSOCKET_KEY.test(request.headers.get("Sec-WebSocket-Key") ?? "")) {
    return refusal(400, {
      error: "bad_upgrade",
      message: "a WebSocket upgrade needs a valid Sec-WebSocket-Key header",
    });
  }
  const origin = request.headers.get("Origin");
  // Game clients send no Origin and are always welcome; a browser page must come from an allowed site.
  if (origin !== null && !originAllowed(origin, request, env.ALLOWED_ORIGINS)) {
    return refusal(403, { error: "origin_not_allowed", message: `pages from ${origin} may not connect` });
  }
  // Checked last, so that only upgrades that could succeed count. A connect-and-drop loop from one address is
  // refused here, before any room is reached; Cloudflare counts per location, which is close enough for this.
  const address = clientAddress(request);
  if (address !== undefined && env.UPGRADE_LIMIT && !(await env.UPGRADE_LIMIT.limit({ key: address })).success) {
    return refusal(
      429,
      { error: "too_many_upgrades", message: "too many connections from your address; try again in a few seconds" },
      { "Retry-After": "10" },
    );
  }
  return undefined;
}

/** The Worker's own pages are always allowed; others only if `ALLOWED_ORIGINS` (comma-separated) is unset or lists them. */
function originAllowed(origin: string, request: Request, allowed: string | undefined): boolean {
  if (origin === new URL(request.url).origin) return true;
  const list = (allowed ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return list.length === 0 || list.includes(origin);
}
