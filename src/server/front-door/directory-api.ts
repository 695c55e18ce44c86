// `GET /api/rooms?limit=&cursor=`: the rooms that chose to be listed, with their titles and member counts, a page
// at a time, by members (most first) then name (docs/backend.md, "Directory"). Answered by the directory object
// alone (directory/directory.ts): no room is reached, so a read of the list wakes none. Anyone may read it, and a
// cache may keep an answer for a couple of seconds: counts are reported every few seconds anyway.

import type { Env } from "../config/env";
import { refusal } from "../connections/requests";
import { decodeCursor } from "../directory/cursor";
import { DIRECTORY_NAME } from "../directory/directory";
import { refuseRead } from "./read-limit";

export const DIRECTORY_ROUTE = "/api/rooms";

/** Rooms per page unless the request says, and the most it may ask for. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

export async function directoryRequest(request: Request, env: Env): Promise<Response> {
  if (request.method !== "GET")
    return refusal(405, { error: "method_not_allowed", message: "use GET" }, { Allow: "GET" });
  const query = new URL(request.url).searchParams;
  const rawLimit = query.get("limit");
  const limit = rawLimit === null ? DEFAULT_LIMIT : Number(rawLimit);
  if (!/^\d+$/.test(rawLimit ?? "0") || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return refusal(400, { error: "invalid_field", message: `limit must be a whole number from 1 to ${MAX_LIMIT}` });
  }
  const rawCursor = query.get("cursor");
  const cursor = rawCursor === null ? undefined : decodeCursor(rawCursor);
  if (rawCursor !== null && cursor === undefined) {
    return refusal(400, { error: "invalid_field", message: "cursor must be the next of a page of this list" });
  }
  const flooding = await refuseRead(request, env, false);
  if (flooding) return flooding;
  const page = await env.DIRECTORY.getByName(DIRECTORY_NAME).list(limit, cursor);
  return Response.json(page, { headers: { "Cache-Control": "max-age=2" } });
}
