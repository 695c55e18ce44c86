// The admin API: what an operator, or a game's backend, does to a room without joining it.
//
//   POST /api/rooms/<name>/kick|ban|unban|delete|mute|unmute
//                                                  a moderation action (moderation/actions.ts), JSON body as the
//                                                  packet's; a ban that needs confirming answers 409 with whom it
//                                                  would remove
//   POST /api/rooms/<name>/settings                change the room's settings (slow mode, listing, title), JSON body
//                                                  as the `settings` packet's; answers them all as they are now
//   GET|PUT /api/rooms/<name>/blocked-words        the room's own blocked words (moderation/blocked-list.ts)
//   GET /api/rooms/<name>/audit?before=&limit=     the room's audit log, newest first (moderation/audit-log.ts)
//   GET /api/rooms/<name>/counters                 what the room's hub and each of its shards with members did since
//                                                  they started (observability/room-counters.ts); reads only
//   DELETE /api/rooms/<name>                       wipe the room: history, bans, mutes, lists, settings, everyone
//                                                  closed with 4002
//
// It exists only when the secret ADMIN_TOKEN is set (otherwise these routes answer 404), and answers only requests
// that bear it: `Authorization: Bearer <ADMIN_TOKEN>`. Bodies are read, bounded and checked here, in the Worker:
// a room is reached only by a valid request of its admin.

import { MAX_BLOCKED_WORD_CHARS, MAX_BLOCKED_WORDS, parseBlockedWords } from "../../shared/blocked-words";
import { fail, ok, type Parsed } from "../../shared/fields";
import { parseModeration } from "../../shared/moderation-packets";
import type { ModerationPacket, ProtocolError } from "../../shared/protocol";
import { parseSettingsChange } from "../../shared/room-settings";
import type { Env } from "../config/env";
import { readSettings } from "../config/settings";
import { refusal } from "../connections/requests";
import { AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX } from "../moderation/audit-log";
import { readJsonBody } from "./json-body";

const ACTIONS: readonly string[] = [
  "kick",
  "ban",
  "unban",
  "delete",
  "mute",
  "unmute",
] satisfies ModerationPacket["type"][];

/** The admin's other routes, and the methods each takes. */
const TOOLS: Readonly<Record<string, readonly string[]>> = {
  "blocked-words": ["GET", "PUT"],
  audit: ["GET"],
  counters: ["GET"],
};

/** The route that changes the room's settings. */
const SETTINGS = "settings";

/** A moderation request is a few fields: anything larger is not one. */
const MAX_BODY_BYTES = 4096;

/** A list of blocked words at its longest: each word's code points as JSON escapes (12 bytes), quoted. */
const MAX_WORDS_BODY_BYTES = 1024 + MAX_BLOCKED_WORDS * (MAX_BLOCKED_WORD_CHARS * 12 + 3);

/** Whether `action` (what follows the room's name in the path; undefined for the room itself) is an admin route. */
export const isAdminRoute = (action: string | undefined, method: string): boolean =>
  action === undefined
    ? method === "DELETE"
    : action === SETTINGS || ACTIONS.includes(action) || Object.hasOwn(TOOLS, action);

/** The methods a route takes. */
const methodsOf = (action: string | undefined): readonly string[] =>
  action === undefined ? ["DELETE"] : (TOOLS[action] ?? ["POST"]);

/** Answers an admin route of room `name` (see `isAdminRoute`). */
export async function adminRequest(
  request: Request,
  env: Env,
  name: string,
  action: string | undefined,
): Promise<Response> {
  if (!env.ADMIN_TOKEN) return refusal(404, { error: "not_found", message: "no admin API: ADMIN_TOKEN is not set" });
  const methods = methodsOf(action);
  if (!methods.includes(request.method)) {
    const allow = methods.join(", ");
    return refusal(405, { error: "method_not_allowed", message: `use ${allow}` }, { Allow: allow });
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
  if (action === "audit") {
    const query = auditQuery(new URL(request.url).searchParams);
    return query.ok
      ? Response.json(await room.auditPage(query.value.before, query.value.limit))
      : answerError(query.error);
  }
  if (action === "counters") return Response.json({ room: name, objects: await room.counters() });
  if (action === "blocked-words") {
    if (request.method === "GET") return Response.json({ words: await room.blockedWords() });
    const body = await readJsonBody(request, MAX_WORDS_BODY_BYTES);
    if (body instanceof Response) return body;
    const words = parseBlockedWords(body.words);
    if (!words.ok) return answerError(words.error);
    return Response.json({ ok: true, words: await room.setBlockedWords(words.value) });
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

/** The audit log's page a query asks for: `before` an entry's id (absent: the newest), `limit` 1 to AUDIT_PAGE_MAX. */
function auditQuery(params: URLSearchParams): Parsed<{ before?: number; limit: number }> {
  const whole = (name: string, max: number): Parsed<number | undefined> => {
    const raw = params.get(name);
    if (raw === null) return ok(undefined);
    const value = Number(raw);
    return /^[0-9]+$/.test(raw) && value >= 1 && value <= max
      ? ok(value)
      : fail("invalid_field", `${name} must be a whole number from 1 to ${max}`);
  };
  const before = whole("before", Number.MAX_SAFE_INTEGER);
  if (!before.ok) return before;
  const limit = whole("limit", AUDIT_PAGE_MAX);
  if (!limit.ok) return limit;
  return ok({ ...(before.value !== undefined && { before: before.value }), limit: limit.value ?? AUDIT_PAGE_DEFAULT });
}

/** A moderation error as an HTTP answer: a missing target is 404, anything else the request's fault. */
function answerError(error: ProtocolError): Response {
  return refusal(error.code === "not_found" ? 404 : error.code === "forbidden" ? 403 : 400, {
    error: error.code,
    message: error.message,
  });
}
