// `GET /api/rooms/<name>?after=&limit=`: a look at one room. How many are here, how many are typing, how far its
// history goes, its settings and connections, to anyone; a page of its members (the first 100 unless `limit` says,
// at most 1,000; the next page `after` the last one's id, as `next` says) to anyone in an open room, and in a
// token-only room to a caller with a token for it; how its webhooks fare to the admin. A room of a million members
// is never listed whole: the page is read from the room, not the room into the page.

import type { Env } from "../config/env";
import { identify } from "../connections/identity";
import { refusal } from "../connections/requests";
import { INFO_MEMBERS_DEFAULT, INFO_MEMBERS_MAX, type MembersPage } from "../room/info";
import { accessSettings } from "./access";
import { bearsToken } from "./admin-api";
import { refuseRead } from "./read-limit";

export async function roomInfoRequest(request: Request, env: Env, name: string): Promise<Response> {
  if (request.method !== "GET")
    return refusal(405, { error: "method_not_allowed", message: "use GET" }, { Allow: "GET" });
  const url = new URL(request.url);
  const page = membersPage(url.searchParams);
  if (typeof page === "string") return refusal(400, { error: "invalid_field", message: page });
  const admin = env.ADMIN_TOKEN !== undefined && env.ADMIN_TOKEN !== "" && (await bearsToken(request, env.ADMIN_TOKEN));
  const flooding = await refuseRead(request, env, admin);
  if (flooding) return flooding;
  const listed = admin || (await mayListMembers(request, env, name));
  // A caller who may not see the members asks for none of them: the room reads no page for it.
  const { members, next, webhook, ...counts } = await env.ROOMS.getByName(name).info(
    listed ? page : { after: 0, limit: 0 },
  );
  return Response.json({
    room: name,
    ...counts,
    ...(listed && { members, ...(next !== undefined && { next }) }),
    // How the room's webhooks fare is the operator's business.
    ...(admin && webhook ? { webhook } : {}),
  });
}

/** The page of members a query asks for, or what is wrong with it. */
function membersPage(params: URLSearchParams): MembersPage | string {
  const whole = (key: string, min: number, max: number, absent: number): number | string => {
    const raw = params.get(key);
    if (raw === null) return absent;
    const value = Number(raw);
    return /^[0-9]+$/.test(raw) && value >= min && value <= max
      ? value
      : `${key} must be a whole number from ${min} to ${max}`;
  };
  const after = whole("after", 0, Number.MAX_SAFE_INTEGER, 0);
  if (typeof after === "string") return after;
  const limit = whole("limit", 1, INFO_MEMBERS_MAX, INFO_MEMBERS_DEFAULT);
  if (typeof limit === "string") return limit;
  return { after, limit };
}

/** Whether the caller may see who is in the room: anyone in an open room, a caller with a valid token otherwise. */
async function mayListMembers(request: Request, env: Env, name: string): Promise<boolean> {
  const access = accessSettings(env);
  if (access.access === "open" || access.secret === undefined) return true;
  const url = new URL(request.url);
  const bearer = request.headers.get("Authorization")?.match(/^Bearer (.+)$/)?.[1];
  if (bearer !== undefined && !url.searchParams.has("token")) url.searchParams.set("token", bearer);
  const identity = await identify(url, name, access);
  return identity !== undefined && !(identity instanceof Response);
}
