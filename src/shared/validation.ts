// What a valid client packet is: the rules for names and texts (the browser checks them before sending, the room
// enforces them), and how one decoded JSON value of either dialect becomes a request for the room.

import { confineBidi } from "./bidi";
import { stateProblem } from "./member-state";
import { dataProblem, isReaction, MAX_REACTION_UNITS, REACTION_RULE } from "./message-changes";
import { nameProblem, normalizeName } from "./names";
import {
  type Answering,
  type BanAim,
  CHAT_ID_RULE,
  type ClientPacketType,
  type ClientRequest,
  type Dialect,
  type ErrorCode,
  type GameData,
  isChatId,
  type Limits,
  type MemberState,
  type ModerationAction,
  type ModerationPacket,
  type ProtocolError,
  QUOTE_CHARS,
  REACTORS_NAMED,
} from "./protocol";

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

/**
 * A packet read: what it asks for, the dialect it is written in, to answer an error in that dialect, and what an
 * answer to it names (`for`, `cid`), for a packet whose type the room knows.
 */
export interface ParsedRequest {
  dialect: Dialect;
  request: Parsed<ClientRequest>;
  answering?: Answering;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });

export const fail = (code: ErrorCode, message: string): { ok: false; error: ProtocolError } => ({
  ok: false,
  error: { code, message },
});

/** Characters as a person counts them: code points, so an emoji is one, not two UTF-16 units. */
export function countChars(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

// C0 and C1 controls and DEL, but for tab and newline. Lone surrogates are rejected separately: they cannot be
// encoded as UTF-8.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching controls is this pattern's job.
const CONTROL_CHARS_EXCEPT_TAB_AND_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A name's rules are in names.ts; here, its length and its encoding too. */
export function validateName(raw: unknown, limits: Limits): Parsed<string> {
  if (typeof raw !== "string") return fail("invalid_field", "name must be a string");
  const name = normalizeName(raw);
  const chars = countChars(name);
  if (chars < 1 || chars > limits.maxNameChars) {
    return fail("invalid_name", `name must be 1 to ${limits.maxNameChars} characters after trimming`);
  }
  if (LONE_SURROGATE.test(name)) return fail("invalid_name", "name must be valid Unicode");
  const problem = nameProblem(name);
  return problem === undefined ? ok(name) : fail("invalid_name", problem);
}

/**
 * A message as the room stores it: its one line break is "\n" (line and paragraph separators become one), and its
 * bidi controls cannot reorder what is shown around it. It is measured as stored, closers added by confineBidi
 * included, so no stored message is over the limit.
 */
export function validateText(raw: unknown, limits: Limits, field = "text"): Parsed<string> {
  if (typeof raw !== "string") return fail("invalid_field", `${field} must be a string`);
  // Trimmed twice: before, so added closers follow the last character shown; after, as a dropped closer may have
  // been all that stood before a space.
  const text = confineBidi(raw.replace(/[\u2028\u2029]/g, "\n").trim()).trim();
  const chars = countChars(text);
  if (chars < 1 || chars > limits.maxMessageChars) {
    return fail("invalid_text", `${field} must be 1 to ${limits.maxMessageChars} characters after trimming`);
  }
  if (CONTROL_CHARS_EXCEPT_TAB_AND_NEWLINE.test(text)) {
    return fail("invalid_text", `${field} must not contain control characters other than tab and newline`);
  }
  if (LONE_SURROGATE.test(text)) return fail("invalid_text", `${field} must be valid Unicode`);
  return ok(text);
}

/**
 * The whole number `field` holds, from `min` to `max`, if it holds any: a seq, a page's limit, a ban's minutes, a
 * frame size. A fraction, or a number past 2^53, is refused, never rounded.
 */
function optionalWholeNumber(
  packet: Record<string, unknown>,
  field: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): Parsed<number | undefined> {
  const raw = packet[field];
  if (raw === undefined) return ok(undefined);
  if (typeof raw !== "number" || !Number.isSafeInteger(raw) || raw < min || raw > max) {
    return fail(
      "invalid_field",
      max === Number.MAX_SAFE_INTEGER
        ? `${field} must be an integer of at least ${min}`
        : `${field} must be an integer from ${min} to ${max}`,
    );
  }
  return ok(raw);
}

/** The whole number of at least 1 that `field` must hold: a seq, a member id. */
function requiredWholeNumber(packet: Record<string, unknown>, field: string): Parsed<number> {
  const value = optionalWholeNumber(packet, field, 1);
  if (!value.ok) return value;
  return value.value === undefined ? fail("invalid_field", `${field} is required`) : ok(value.value);
}

type Packet = Record<string, unknown> & { type: string };

/**
 * The smallest frame limit a client may ask for (`join.maxFrameBytes`): one largest message must fit in a frame,
 * with a welcome's other fields. A code point is at most 4 bytes of UTF-8 (JSON escapes take no more than that for
 * what validation lets in); 2,048 bytes are for everything else (the packet's fields, `limits`, a sender's user id).
 * A message may also carry game data (`maxDataBytes` as sent), the quote of the message it answers (its sender's
 * name and QUOTE_CHARS of its text) and its reactions: each a reaction of at most MAX_REACTION_UNITS UTF-16 units
 * (3 bytes each at most), its count and the names of its first REACTORS_NAMED reactors.
 */
export const minServerFrameBytes = (limits: Limits): number =>
  (limits.maxMessageChars + limits.maxNameChars) * 4 +
  2048 +
  limits.maxDataBytes +
  (QUOTE_CHARS + limits.maxNameChars) * 4 +
  QUOTE_FIELDS_BYTES +
  limits.maxReactionsPerMessage *
    (MAX_REACTION_UNITS * 3 + REACTION_FIELDS_BYTES + REACTORS_NAMED * (limits.maxNameChars * 4 + 3));

/** A quote's own fields (`"replyTo":{"seq":…,"name":"","text":"","deleted":true}`), and a reaction's (`count`…). */
const QUOTE_FIELDS_BYTES = 80;
const REACTION_FIELDS_BYTES = 64;

const RESUME_KEY = /^[0-9a-f]{32}$/;

function readJoin(packet: Packet, limits: Limits, dialect: Dialect): Parsed<ClientRequest> {
  const name = validateName(packet.name, limits);
  if (!name.ok) return name;
  const since = optionalWholeNumber(packet, "since");
  if (!since.ok) return since;
  const { resume } = packet;
  if (resume !== undefined && (typeof resume !== "string" || !RESUME_KEY.test(resume))) {
    return fail("invalid_field", "resume must be the resumeKey of a welcome");
  }
  const floor = minServerFrameBytes(limits);
  const maxFrameBytes = optionalWholeNumber(packet, "maxFrameBytes", floor);
  if (!maxFrameBytes.ok) return maxFrameBytes;
  const join: Extract<ClientRequest, { kind: "join" }> = { kind: "join", dialect, name: name.value };
  // Only the native dialect has member state: whatever the tutorial's client sends besides its name is ignored.
  if (dialect === "native" && packet.state !== undefined) {
    const state = readState(packet, limits);
    if (!state.ok) return state;
    join.state = state.value;
  }
  if (since.value !== undefined) join.since = since.value;
  if (resume !== undefined) join.resume = resume;
  if (maxFrameBytes.value !== undefined) join.maxFrameBytes = maxFrameBytes.value;
  return ok(join);
}

function readState(packet: Packet, limits: Limits): Parsed<MemberState> {
  const problem = stateProblem(packet.state, limits);
  return problem === undefined ? ok(packet.state as MemberState) : fail("invalid_state", problem);
}

/** A typing signal: `stop`, if present, is `true`. */
function readTyping(packet: Packet): Parsed<ClientRequest> {
  if (packet.stop !== undefined && packet.stop !== true) return fail("invalid_field", "stop must be true if present");
  return ok({ kind: "typing", on: packet.stop === undefined });
}

function readChat(packet: Packet, limits: Limits, field: "text" | "message"): Parsed<ClientRequest> {
  const text = validateText(packet[field], limits, field);
  if (!text.ok) return text;
  // Only the native dialect has chat ids, replies and data: the tutorial's client sends none, and whatever it sends
  // is ignored.
  if (field === "message") return ok({ kind: "chat", text: text.value });
  const chat: Extract<ClientRequest, { kind: "chat" }> = { kind: "chat", text: text.value };
  if (packet.cid !== undefined) {
    if (!isChatId(packet.cid)) return fail("invalid_field", CHAT_ID_RULE);
    chat.cid = packet.cid;
  }
  const replyTo = optionalWholeNumber(packet, "replyTo", 1);
  if (!replyTo.ok) return replyTo;
  if (replyTo.value !== undefined) chat.replyTo = replyTo.value;
  if (packet.data !== undefined) {
    const problem = dataProblem(packet.data, limits);
    if (problem !== undefined) return fail("invalid_data", problem);
    chat.data = packet.data as GameData;
  }
  return ok(chat);
}

function readEdit(packet: Packet, limits: Limits): Parsed<ClientRequest> {
  const seq = requiredWholeNumber(packet, "seq");
  if (!seq.ok) return seq;
  const text = validateText(packet.text, limits);
  if (!text.ok) return text;
  if (packet.cid !== undefined && !isChatId(packet.cid)) return fail("invalid_field", CHAT_ID_RULE);
  return ok({ kind: "edit", seq: seq.value, text: text.value });
}

function readReaction(packet: Packet, on: boolean): Parsed<ClientRequest> {
  const seq = requiredWholeNumber(packet, "seq");
  if (!seq.ok) return seq;
  if (!isReaction(packet.reaction)) return fail("invalid_reaction", REACTION_RULE);
  return ok({ kind: "react", seq: seq.value, reaction: packet.reaction, on });
}

function readChanges(packet: Packet, limits: Limits): Parsed<ClientRequest> {
  const after = optionalWholeNumber(packet, "after");
  if (!after.ok) return after;
  if (after.value === undefined) return fail("invalid_field", "after is required");
  const limit = optionalWholeNumber(packet, "limit", 1);
  if (!limit.ok) return limit;
  return ok({
    kind: "changes",
    after: after.value,
    limit: Math.min(limit.value ?? limits.historyPageMax, limits.historyPageMax),
  });
}

function readHistory(packet: Packet, limits: Limits): Parsed<ClientRequest> {
  const before = optionalWholeNumber(packet, "before");
  if (!before.ok) return before;
  const limit = optionalWholeNumber(packet, "limit");
  if (!limit.ok) return limit;
  if (limit.value === 0) return fail("invalid_field", "limit must be at least 1");
  const capped = Math.min(limit.value ?? limits.historyPageMax, limits.historyPageMax);
  return ok(
    before.value === undefined
      ? { kind: "history", limit: capped }
      : { kind: "history", before: before.value, limit: capped },
  );
}

function readMembers(packet: Packet, limits: Limits): Parsed<ClientRequest> {
  const after = optionalWholeNumber(packet, "after");
  if (!after.ok) return after;
  const limit = optionalWholeNumber(packet, "limit", 1);
  if (!limit.ok) return limit;
  return ok({
    kind: "members",
    after: after.value ?? 0,
    limit: Math.min(limit.value ?? limits.membersPageMax, limits.membersPageMax),
  });
}

/** A moderator's reason, shown to the member it removes; a ban's length; a user id as tokens carry it. */
export const MAX_REASON_CHARS = 200;
export const MAX_BAN_MINUTES = 10 * 365 * 24 * 60;
const MAX_USER_CHARS = 64;

/**
 * A moderation request: the native packet's fields (`type` is kick, ban, unban or delete), or an admin API body for
 * that action. Only the admin API may ban a `user` by id rather than a member in the room (`byUser`).
 */
export function parseModeration(
  type: ModerationPacket["type"],
  packet: Record<string, unknown>,
  limits: Limits,
  byUser = false,
): Parsed<ModerationAction> {
  if (type === "delete") {
    const seq = requiredWholeNumber(packet, "seq");
    return seq.ok ? ok({ kind: "delete", seq: seq.value }) : seq;
  }
  if (type === "unban") {
    const user = readUser(packet);
    return user.ok ? ok({ kind: "unban", user: user.value }) : user;
  }
  if (type === "ban") return readBan(packet, limits, byUser);
  const reason = optionalReason(packet, limits);
  if (!reason.ok) return reason;
  if (packet.minutes !== undefined) return fail("invalid_field", "a kick has no minutes: ban for a time instead");
  const id = requiredWholeNumber(packet, "id");
  return id.ok
    ? ok({ kind: "kick", id: id.value, ...(reason.value === undefined ? {} : { reason: reason.value }) })
    : id;
}

/** The most ids a ban's `confirm` may list: more than one address may hold (MAX_CONNECTIONS_PER_ADDRESS). */
export const MAX_CONFIRM_IDS = 1000;

/** A ban, or with `preview: true` the question of whom it would remove (nothing else may come with it). */
function readBan(packet: Record<string, unknown>, limits: Limits, byUser: boolean): Parsed<ModerationAction> {
  let aim: Parsed<BanAim>;
  if (byUser && packet.user !== undefined) {
    if (packet.id !== undefined) return fail("invalid_field", "a ban names an id or a user, not both");
    const user = readUser(packet);
    aim = user.ok ? ok({ user: user.value }) : user;
  } else {
    const id = requiredWholeNumber(packet, "id");
    aim = id.ok ? ok({ id: id.value }) : id;
  }
  if (!aim.ok) return aim;
  if (packet.preview !== undefined) {
    if (packet.preview !== true) return fail("invalid_field", "preview must be true if present");
    const extra = ["minutes", "reason", "confirm"].find((field) => packet[field] !== undefined);
    if (extra !== undefined) return fail("invalid_field", `a preview bans nothing: it takes no ${extra}`);
    return ok({ kind: "preview_ban", ...aim.value });
  }
  const reason = optionalReason(packet, limits);
  if (!reason.ok) return reason;
  const minutes = optionalWholeNumber(packet, "minutes", 1, MAX_BAN_MINUTES);
  if (!minutes.ok) return minutes;
  const confirm = optionalIds(packet, "confirm");
  if (!confirm.ok) return confirm;
  return ok({
    kind: "ban",
    ...aim.value,
    ...(reason.value === undefined ? {} : { reason: reason.value }),
    ...(minutes.value === undefined ? {} : { minutes: minutes.value }),
    ...(confirm.value === undefined ? {} : { confirm: confirm.value }),
  });
}

function optionalIds(packet: Record<string, unknown>, field: string): Parsed<number[] | undefined> {
  const raw = packet[field];
  if (raw === undefined) return ok(undefined);
  const valid =
    Array.isArray(raw) &&
    raw.length <= MAX_CONFIRM_IDS &&
    raw.every((id) => typeof id === "number" && Number.isSafeInteger(id) && id >= 1);
  return valid
    ? ok(raw as number[])
    : fail("invalid_field", `${field} must be a list of at most ${MAX_CONFIRM_IDS} member ids`);
}

function readUser(packet: Record<string, unknown>): Parsed<string> {
  const { user } = packet;
  if (typeof user !== "string" || user.length < 1 || user.length > MAX_USER_CHARS) {
    return fail("invalid_field", `user must be 1 to ${MAX_USER_CHARS} characters`);
  }
  return ok(user);
}

function optionalReason(packet: Record<string, unknown>, limits: Limits): Parsed<string | undefined> {
  if (packet.reason === undefined) return ok(undefined);
  return validateText(packet.reason, { ...limits, maxMessageChars: MAX_REASON_CHARS }, "reason");
}

const readModeration =
  (type: ModerationPacket["type"]) =>
  (packet: Packet, limits: Limits): Parsed<ClientRequest> => {
    const action = parseModeration(type, packet, limits);
    return action.ok ? ok({ kind: "moderate", action: action.value }) : action;
  };

/** Every packet type a client may send, the dialect it belongs to, and how it is read. */
const READERS = new Map<string, { dialect: Dialect; read(packet: Packet, limits: Limits): Parsed<ClientRequest> }>([
  ["join", { dialect: "native", read: (packet, limits) => readJoin(packet, limits, "native") }],
  ["chat", { dialect: "native", read: (packet, limits) => readChat(packet, limits, "text") }],
  [
    "rename",
    {
      dialect: "native",
      read: (packet, limits) => {
        const name = validateName(packet.name, limits);
        return name.ok ? ok({ kind: "rename", name: name.value }) : name;
      },
    },
  ],
  ["typing", { dialect: "native", read: readTyping }],
  [
    "state",
    {
      dialect: "native",
      read: (packet, limits) => {
        const state = readState(packet, limits);
        return state.ok ? ok({ kind: "state", state: state.value }) : state;
      },
    },
  ],
  ["edit", { dialect: "native", read: readEdit }],
  ["react", { dialect: "native", read: (packet) => readReaction(packet, true) }],
  ["unreact", { dialect: "native", read: (packet) => readReaction(packet, false) }],
  ["changes", { dialect: "native", read: readChanges }],
  ["history", { dialect: "native", read: readHistory }],
  ["members", { dialect: "native", read: readMembers }],
  ["kick", { dialect: "native", read: readModeration("kick") }],
  ["ban", { dialect: "native", read: readModeration("ban") }],
  ["unban", { dialect: "native", read: readModeration("unban") }],
  ["delete", { dialect: "native", read: readModeration("delete") }],
  ["test", { dialect: "tutorial", read: () => ok({ kind: "ignore" }) }],
  ["user_joined", { dialect: "tutorial", read: (packet, limits) => readJoin(packet, limits, "tutorial") }],
  ["chat_message", { dialect: "tutorial", read: (packet, limits) => readChat(packet, limits, "message") }],
]);

/** Validates one decoded JSON value as a client packet of either dialect. */
export function parseRequest(value: unknown, limits: Limits): ParsedRequest {
  if (!isObject(value)) return { dialect: "native", request: fail("invalid_packet", "a packet must be a JSON object") };
  const { type } = value;
  if (typeof type !== "string") {
    return { dialect: "native", request: fail("invalid_packet", "a packet must have a string field type") };
  }
  const reader = READERS.get(type);
  if (!reader) {
    return {
      dialect: "native",
      request: fail("unknown_type", `unknown packet type ${JSON.stringify(type.slice(0, 40))}`),
    };
  }
  const answering: Answering = { for: type as ClientPacketType };
  if (reader.dialect === "native" && isChatId(value.cid)) answering.cid = value.cid;
  return { dialect: reader.dialect, request: reader.read(value as Packet, limits), answering };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
