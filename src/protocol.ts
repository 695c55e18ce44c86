// The wire protocol: every packet type of both dialects, how client packets are validated, and how server
// packets are encoded. This module is the single source of truth for the room, the tests and the browser client,
// so it must not depend on any runtime API beyond the JavaScript language itself.
//
// Two dialects share one room:
// - "native": our own protocol (docs/protocol.md).
// - "tutorial": the packets of the well-known Godot 3 chat tutorial, which must work unchanged.
// A connection's dialect is fixed by its join packet; the room speaks to each member in its own dialect.

export type Dialect = "native" | "tutorial";

export interface Member {
  id: number;
  name: string;
}

/** One stored chat message, as the room keeps it and sends it. */
export interface ChatMessage {
  seq: number;
  /** Server time, milliseconds since the epoch. */
  ts: number;
  sender: Member;
  text: string;
}

/** The limits a room enforces, sent in `welcome` so clients can show them. */
export interface Limits {
  maxNameChars: number;
  maxMessageChars: number;
  maxFrameBytes: number;
  rateLimitBurst: number;
  rateLimitPerSecond: number;
  historyPageMax: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Rooms: a WebSocket on `/` joins DEFAULT_ROOM, one on `/rooms/<name>` joins <name>.

export const DEFAULT_ROOM = "lobby";
export const ROOM_NAME_RULE = "a room name is 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'";
const ROOM_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export const isRoomName = (name: string): boolean => ROOM_NAME.test(name);

// ---------------------------------------------------------------------------------------------------------------
// Client → server

/** Native packets a client may send. */
export type NativeClientPacket =
  | { type: "join"; name: string; since?: number }
  | { type: "chat"; text: string }
  | { type: "rename"; name: string }
  | { type: "history"; before?: number; limit?: number };

/** The Godot 3 tutorial client's packets. Its `name` in `chat_message` is ignored: the server stamps the sender. */
export type TutorialClientPacket =
  | { type: "test"; [extra: string]: unknown }
  | { type: "user_joined"; name: string }
  | { type: "chat_message"; name?: string; message: string };

/** What a valid client packet asks the room to do, whichever dialect it came in. */
export type ClientRequest =
  | { kind: "join"; dialect: Dialect; name: string; since?: number }
  | { kind: "chat"; text: string }
  | { kind: "rename"; name: string }
  | { kind: "history"; before?: number; limit: number }
  | { kind: "ignore" };

// ---------------------------------------------------------------------------------------------------------------
// Server → client (native dialect)

export type ErrorCode =
  | "frame_too_large"
  | "invalid_utf8"
  | "invalid_json"
  | "invalid_packet"
  | "unknown_type"
  | "invalid_field"
  | "invalid_name"
  | "invalid_text"
  | "not_joined"
  | "already_joined"
  | "rate_limited"
  | "internal_error";

export interface ProtocolError {
  code: ErrorCode;
  message: string;
  /** With `rate_limited`: how long to wait before the next packet will be accepted. */
  retryAfterMs?: number;
}

export type ServerPacket =
  | {
      type: "welcome";
      /** Your own id and name. */
      id: number;
      name: string;
      /** Everyone in the room now, you included. */
      members: Member[];
      /** Recent history, or with `since` what you missed; oldest first. */
      history: ChatMessage[];
      /** True when older messages exist (after `since`, if given) that `history` leaves out. */
      more: boolean;
      /** The newest sequence number in the room (0 before the first message). */
      lastSeq: number;
      limits: Limits;
    }
  | ({ type: "join" } & Member)
  /** Several joins announced at once, oldest first: how a room tells of a burst of joins. */
  | { type: "joins"; members: Member[] }
  | ({ type: "leave" } & Member)
  /** Several leaves announced at once, oldest first: how a room tells of a burst of leaves. */
  | { type: "leaves"; members: Member[] }
  | ({ type: "rename"; previous: string } & Member)
  | ({ type: "chat" } & ChatMessage)
  | { type: "history"; messages: ChatMessage[]; more: boolean }
  | ({ type: "error" } & ProtocolError);

/** The tutorial client's packets from the server. Extra fields are allowed by that client and carried for others. */
export type TutorialServerPacket =
  | { type: "server_message"; message: string; code?: ErrorCode; retryAfterMs?: number }
  | { type: "chat_message"; name: string; message: string; id: number; seq: number; ts: number };

// ---------------------------------------------------------------------------------------------------------------
// Validation

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (code: ErrorCode, message: string): { ok: false; error: ProtocolError } => ({
  ok: false,
  error: { code, message },
});

const TUTORIAL_TYPES = new Set(["test", "user_joined", "chat_message"]);

/** The dialect a raw packet's `type` belongs to, so an error before join can answer in the sender's dialect. */
function dialectOf(value: unknown): Dialect {
  const type = isObject(value) ? value.type : undefined;
  return typeof type === "string" && TUTORIAL_TYPES.has(type) ? "tutorial" : "native";
}

/** Characters as a person counts them: code points, so an emoji is one, not two UTF-16 units. */
export function countChars(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

// C0 and C1 controls and DEL. Lone surrogates are rejected separately: they cannot be encoded as UTF-8.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_CHARS_EXCEPT_TAB_AND_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function validateName(raw: unknown, limits: Limits): Parsed<string> {
  if (typeof raw !== "string") return fail("invalid_field", "name must be a string");
  const name = raw.trim();
  const chars = countChars(name);
  if (chars < 1 || chars > limits.maxNameChars) {
    return fail("invalid_name", `name must be 1 to ${limits.maxNameChars} characters after trimming`);
  }
  if (CONTROL_CHARS.test(name)) return fail("invalid_name", "name must not contain control characters");
  if (LONE_SURROGATE.test(name)) return fail("invalid_name", "name must be valid Unicode");
  return ok(name);
}

export function validateText(raw: unknown, limits: Limits, field = "text"): Parsed<string> {
  if (typeof raw !== "string") return fail("invalid_field", `${field} must be a string`);
  const text = raw.trim();
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

function optionalSeq(value: Record<string, unknown>, field: string): Parsed<number | undefined> {
  const raw = value[field];
  if (raw === undefined) return ok(undefined);
  if (typeof raw !== "number" || !Number.isSafeInteger(raw) || raw < 0) {
    return fail("invalid_field", `${field} must be a non-negative integer`);
  }
  return ok(raw);
}

/** Validates one decoded JSON value as a client packet of either dialect. */
export function parseRequest(value: unknown, limits: Limits): Parsed<ClientRequest> {
  if (!isObject(value)) return fail("invalid_packet", "a packet must be a JSON object");
  if (typeof value.type !== "string") return fail("invalid_packet", "a packet must have a string field type");

  switch (value.type) {
    case "join":
    case "user_joined": {
      const name = validateName(value.name, limits);
      if (!name.ok) return name;
      const since = optionalSeq(value, "since");
      if (!since.ok) return since;
      const dialect: Dialect = value.type === "join" ? "native" : "tutorial";
      return ok(since.value === undefined
        ? { kind: "join", dialect, name: name.value }
        : { kind: "join", dialect, name: name.value, since: since.value });
    }
    case "chat":
    case "chat_message": {
      const text = validateText(value.type === "chat" ? value.text : value.message, limits,
        value.type === "chat" ? "text" : "message");
      return text.ok ? ok({ kind: "chat", text: text.value }) : text;
    }
    case "rename": {
      const name = validateName(value.name, limits);
      return name.ok ? ok({ kind: "rename", name: name.value }) : name;
    }
    case "history": {
      const before = optionalSeq(value, "before");
      if (!before.ok) return before;
      const limit = optionalSeq(value, "limit");
      if (!limit.ok) return limit;
      if (limit.value === 0) return fail("invalid_field", "limit must be at least 1");
      const capped = Math.min(limit.value ?? limits.historyPageMax, limits.historyPageMax);
      return ok(before.value === undefined
        ? { kind: "history", limit: capped }
        : { kind: "history", before: before.value, limit: capped });
    }
    case "test":
      return ok({ kind: "ignore" });
    default:
      return fail("unknown_type", `unknown packet type ${JSON.stringify(value.type.slice(0, 40))}`);
  }
}

/**
 * Turns one WebSocket frame into a request: size, UTF-8, JSON, then the packet itself. Binary frames carry UTF-8
 * JSON, as Godot 3's client sends by default. Returns the dialect of the packet too, for answering errors.
 */
export function decodeFrame(
  frame: string | ArrayBuffer,
  limits: Limits,
): { request: Parsed<ClientRequest>; dialect: Dialect } {
  const native: Dialect = "native";
  if (exceedsBytes(frame, limits.maxFrameBytes)) {
    return { request: fail("frame_too_large", `a frame must be at most ${limits.maxFrameBytes} bytes`), dialect: native };
  }
  let text: string;
  if (typeof frame === "string") {
    text = frame;
  } else {
    try {
      text = strictUtf8.decode(frame);
    } catch {
      return { request: fail("invalid_utf8", "a binary frame must be UTF-8 encoded JSON"), dialect: native };
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { request: fail("invalid_json", "a packet must be valid JSON"), dialect: native };
  }
  return { request: parseRequest(value, limits), dialect: dialectOf(value) };
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const utf8 = new TextEncoder();

function exceedsBytes(frame: string | ArrayBuffer, limit: number): boolean {
  if (typeof frame !== "string") return frame.byteLength > limit;
  // Every UTF-16 unit is 1 to 3 UTF-8 bytes, so most frames are decided without encoding them.
  if (frame.length > limit) return true;
  if (frame.length * 3 <= limit) return false;
  return utf8.encode(frame).byteLength > limit;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/**
 * The frames that carry one server packet to a client of the given dialect (a tutorial client has no packet for
 * some things, so it may get several frames, or none). JSON.stringify writes non-ASCII as raw UTF-8, never as
 * `\uXXXX` escapes, which Godot 3.2's parser garbles; lone surrogates, the one thing it would escape, never pass
 * validation.
 */
export function encode(packet: ServerPacket, dialect: Dialect): string[] {
  if (dialect === "native") return [JSON.stringify(packet)];
  return toTutorial(packet).map((p) => JSON.stringify(p));
}

/** The packet that announces these joins: `join` for one member, `joins` for several. */
export function joinsPacket(members: Member[]): ServerPacket {
  return members.length === 1 ? { type: "join", ...members[0]! } : { type: "joins", members };
}

/** The packet that announces these leaves: `leave` for one member, `leaves` for several. */
export function leavesPacket(members: Member[]): ServerPacket {
  return members.length === 1 ? { type: "leave", ...members[0]! } : { type: "leaves", members };
}

/** How the tutorial client names a member in its server messages. */
const tutorialLabel = (member: Member): string => `${member.name}(#${member.id})`;

function toTutorial(packet: ServerPacket): TutorialServerPacket[] {
  switch (packet.type) {
    case "welcome":
      // The tutorial client learns of its own join from the join broadcast; late joiners catch up from history.
      return packet.history.map(tutorialChat);
    case "join":
      return [{ type: "server_message", message: `${tutorialLabel(packet)} joined the chat.` }];
    case "joins":
      return [{ type: "server_message", message: `${packet.members.map(tutorialLabel).join(", ")} joined the chat.` }];
    case "leave":
      return [{ type: "server_message", message: `${tutorialLabel(packet)} left the chat.` }];
    case "leaves":
      return [{ type: "server_message", message: `${packet.members.map(tutorialLabel).join(", ")} left the chat.` }];
    case "rename":
      return [{
        type: "server_message",
        message: `${packet.previous}(#${packet.id}) is now known as ${packet.name}.`,
      }];
    case "chat":
      return [tutorialChat(packet)];
    case "history":
      return packet.messages.map(tutorialChat);
    case "error":
      return [{
        type: "server_message",
        message: `Error: ${packet.message}`,
        code: packet.code,
        ...(packet.retryAfterMs === undefined ? {} : { retryAfterMs: packet.retryAfterMs }),
      }];
  }
}

function tutorialChat(message: ChatMessage): TutorialServerPacket {
  return {
    type: "chat_message",
    name: message.sender.name,
    message: message.text,
    id: message.sender.id,
    seq: message.seq,
    ts: message.ts,
  };
}
