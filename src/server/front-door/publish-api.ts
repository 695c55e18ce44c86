// The publish API: the game's backend says something in a room ("Ann won the match") without joining it
// (docs/backend.md).
//
//   POST /api/rooms/<name>/messages   {"text", "data"?, "sender"?: {"name"}}   → 201 {"seq": N}
//
// It answers requests that bear PUBLISH_TOKEN (a secret that may only publish: a backend that posts needs no power to
// kick or ban) or ADMIN_TOKEN; with neither set it does not exist (404), like the admin API. The body is read, no
// further than MAX_FRAME_BYTES (what a member's chat frame may weigh), and checked here by a chat's rules, its
// sender's name by a name's: a room is reached only by a valid post. With an `Idempotency-Key`, a retry within a day
// gets the first answer again (`Idempotent-Replayed: true`) and posts nothing (room/publishing.ts).

import { fail, ok, type Parsed } from "../../shared/fields";
import { dataProblem } from "../../shared/message-changes";
import type { GameData, Limits, ProtocolError } from "../../shared/protocol";
import { validateName, validateText } from "../../shared/text-rules";
import type { Env } from "../config/env";
import { readSettings } from "../config/settings";
import { refusal } from "../connections/requests";
import type { Post } from "../room/publishing";
import { bearsToken } from "./admin-api";
import { readJsonBody } from "./json-body";

/** What follows the room's name in the publish API's path. */
export const PUBLISH_ROUTE = "messages";

/** Who a post is from when it does not say. */
const DEFAULT_SENDER_NAME = "system";

/** An `Idempotency-Key`: 1 to 255 printable ASCII characters (the runtime trims a header's ends). */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

const POST_FIELDS: readonly string[] = ["text", "data", "sender"];

/** Answers `POST /api/rooms/<name>/messages`. */
export async function publishRequest(request: Request, env: Env, name: string): Promise<Response> {
  const tokens = [env.PUBLISH_TOKEN, env.ADMIN_TOKEN].filter((token): token is string => Boolean(token));
  if (tokens.length === 0) {
    return refusal(404, {
      error: "not_found",
      message: "no publish API: neither PUBLISH_TOKEN nor ADMIN_TOKEN is set",
    });
  }
  if (request.method !== "POST") {
    return refusal(405, { error: "method_not_allowed", message: "use POST" }, { Allow: "POST" });
  }
  if (!(await bearsAny(request, tokens))) {
    return refusal(
      401,
      { error: "unauthorized", message: "send Authorization: Bearer <PUBLISH_TOKEN> (or <ADMIN_TOKEN>)" },
      { "WWW-Authenticate": 'Bearer realm="publish"' },
    );
  }
  const key = request.headers.get("Idempotency-Key");
  if (key !== null && !IDEMPOTENCY_KEY.test(key)) {
    const message = "Idempotency-Key must be 1 to 255 printable ASCII characters";
    return refusal(400, { error: "invalid_field", message });
  }
  const { limits } = readSettings(env);
  const body = await readJsonBody(request, limits.maxFrameBytes);
  if (body instanceof Response) return body;
  const post = readPost(body, limits);
  if (!post.ok) return refusal(400, { error: post.error.code, message: post.error.message });
  const outcome = await env.ROOMS.getByName(name).publish({ ...post.value, ...(key !== null && { key }) });
  if (!outcome.ok) return answerError(outcome.error);
  // A retry says so, and is otherwise the first answer, byte for byte.
  const headers: Record<string, string> = outcome.replayed ? { "Idempotent-Replayed": "true" } : {};
  return Response.json({ seq: outcome.seq }, { status: 201, headers });
}

/** Whether the request bears one of `tokens`; each compared in constant time (admin-api.ts, `bearsToken`). */
async function bearsAny(request: Request, tokens: string[]): Promise<boolean> {
  const bears = await Promise.all(tokens.map((token) => bearsToken(request, token)));
  return bears.includes(true);
}

/**
 * A post's body: its text and data by a chat's rules, its sender's name by a name's ("system" if it names none).
 * A field the API does not know is refused rather than ignored: a post that meant to say more than it can (a
 * `replyTo`, a sender's `id`) is told so, instead of appearing without it.
 */
function readPost(body: Record<string, unknown>, limits: Limits): Parsed<Post> {
  const unknown = Object.keys(body).find((field) => !POST_FIELDS.includes(field));
  if (unknown !== undefined) {
    return fail("invalid_field", `a post has text, data and sender; not ${JSON.stringify(unknown.slice(0, 40))}`);
  }
  const text = validateText(body.text, limits);
  if (!text.ok) return text;
  const name = readSenderName(body.sender, limits);
  if (!name.ok) return name;
  if (body.data === undefined) return ok({ text: text.value, name: name.value });
  const problem = dataProblem(body.data, limits);
  if (problem !== undefined) return fail("invalid_data", problem);
  return ok({ text: text.value, name: name.value, data: body.data as GameData });
}

function readSenderName(sender: unknown, limits: Limits): Parsed<string> {
  if (sender === undefined) return ok(DEFAULT_SENDER_NAME);
  const isObject = typeof sender === "object" && sender !== null && !Array.isArray(sender);
  if (!isObject || Object.keys(sender).some((field) => field !== "name")) {
    return fail("invalid_field", 'sender must be {"name": …}: the room stamps the rest');
  }
  return validateName((sender as { name?: unknown }).name, limits);
}

/**
 * A refused post as an HTTP answer: the room at its budget is 429 with when to retry (`Retry-After` in seconds,
 * `retryAfterMs` in the body); a failed write is the server's fault, to be sent again.
 */
function answerError(error: ProtocolError): Response {
  const body = { error: error.code, message: error.message };
  if (error.code === "room_busy" && error.retryAfterMs !== undefined) {
    const retryAfter = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    const headers = { "Retry-After": retryAfter };
    return Response.json({ ...body, retryAfterMs: error.retryAfterMs }, { status: 429, headers });
  }
  return refusal(error.code === "internal_error" ? 500 : 400, body);
}
