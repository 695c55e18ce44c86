// The admin API: what an operator, or a game's backend, does to a room without joining it.
//
//   POST /api/rooms/<name>/kick|ban|unban|delete   a moderation action (moderation/actions.ts), JSON body as the packet's;
//                                                  a ban that needs confirming answers 409 with whom it would remove
//   POST /api/rooms/<name>/settings                 change the room's settings (slow mode, listing, title), JSON body
//                                                  as the `settings` packet's; answers them all as they are now
//   DELETE /api/rooms/<name>                       wipe the room: history and bans, everyone closed with 4002
//
// It exists only when the secret ADMIN_TOKEN is set (otherwise these routes answer 404), and answers only requests
// that bear it: `Authorization: Bearer <ADMIN_TOKEN>`. Bodies are read, bounded and checked here, in the Worker:
// a room is reached only by a valid request of its admin.

import { parseModeration } from "../../shared/moderation-packets";
import type { ModerationPacket, ProtocolError } from "../../shared/protocol";
import { parseSettingsChange } from "../../shared/room-settings";
import type { Env } from "../config/env";
import { readSettings } from "../config/settings";
import { refusal } from "../connections/requests";
import { readJsonBody } from "./json-body";

const ACTIONS: readonly string[] = ["kick", "ban", "unban", "delete"] satisfies ModerationPacket["type"][];

/** The route that changes the room's settings. */
const SETTINGS = "settings";

/** A moderation request is a few fields: anything larger is not one. */
const MAX_BODY_BYTES = 4096;

/** Whether `action` (what follows the room's name in the path; undefined for the room itself) is an admin route. */
export const isAdminRoute = (action: string | undefined, method: string): boolean =>
  action === undefined ? method === "DELETE" : action === SETTINGS || ACTIONS.includes(action);

/** Answers an admin route of room `name` (see `isAdminRoute`). */
export async function adminRequest(
  request: Request,
  env: Env,
  name: string,
  action: string | undefined,
): Promise<Response> {
  if (!env.ADMIN_TOKEN) return refusal(404, { error: "not_found", message: "no admin API: ADMIN_TOKEN is not set" });
  if (action !== undefined && request.method !== "POST") {
    return refusal(405, { error: "method_not_allowed", message: "use POST" }, { Allow: "POST" });
  }
  if (!(await bearsToken(request, env.ADMIN_TOKEN))) {
    return refusal(
      401,
      { error: "unauthorized", message: "send Authorization: Bearer <ADMIN_TOKEN>" },
      {
        "WWW-Authenticate": 'Bearer realm="admin"',
      },
    );
  }
  const room = env.ROOMS.getByName(name);
  if (action === undefined) {
    await room.wipe();
    return Response.json({ ok: true, room: name });
  }
  const body = await readJsonBody(request, MAX_BODY_BYTES);
  if (body instanceof Response) return body;
  if (action === SETTINGS) {
    const change = parseSettingsChange(body);
    if (!change.ok) return answerError(change.error);
    return Response.json({ ok: true, settings: await room.changeSettingsAsAdmin(change.value) });
  }
  const parsed = parseModeration(action as ModerationPacket["type"], body, readSettings(env).limits, true);
  if (!parsed.ok) return answerError(parsed.error);
  const outcome = await room.moderateAsAdmin(parsed.value);
  if (!outcome.ok) return answerError(outcome.error);
  // A ban that would remove others besides its target waits for `confirm`: it was not carried out.
  if (outcome.answer?.type === "ban_preview" && parsed.value.kind === "ban") {
    return Response.json(
      {
        ok: false,
        error: "confirm_required",
        message:
          "this ban would remove others besides its target: send it again with confirm listing the ids in removes",
        ...outcome.answer,
      },
      { status: 409 },
    );
  }
  return Response.json({ ok: true, ...outcome.answer });
}

/**
 * Whether the request bears `token` (`Authorization: Bearer`). Compares in constant time, over digests of equal
 * length, so that neither timing nor length tells anything.
 */
export async function bearsToken(request: Request, token: string): Promise<boolean> {
  const given = request.headers.get("Authorization")?.match(/^Bearer (.+)$/)?.[1];
  if (given === undefined) return false;
  const digest = (text: string) => crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return crypto.subtle.timingSafeEqual(await digest(given), await digest(token));
}

/** A moderation error as an HTTP answer: a missing target is 404, anything else the request's fault. */
function answerError(error: ProtocolError): Response {
  return refusal(error.code === "not_found" ? 404 : error.code === "forbidden" ? 403 : 400, {
    error: error.code,
    message: error.message,
  });
}
