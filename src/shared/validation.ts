// What a valid client packet is: how one decoded JSON value of either dialect becomes a request for the room, and
// the smallest frame limit a client may ask for. The rules for names and texts are text-rules.ts, moderation
// packets moderation-packets.ts, and the field readers they all share fields.ts.

import { fail, ok, optionalWholeNumber, type Parsed, requiredWholeNumber } from "./fields";
import { stateProblem } from "./member-state";
import { dataProblem, isReaction, MAX_REACTION_UNITS, REACTION_RULE } from "./message-changes";
import { parseModeration } from "./moderation-packets";
import {
  type Answering,
  CHAT_ID_RULE,
  type ClientPacketType,
  type ClientRequest,
  type Dialect,
  type GameData,
  isChatId,
  type Limits,
  type MemberState,
  type ModerationPacket,
  QUOTE_CHARS,
  REACTORS_NAMED,
} from "./protocol";
import { parseSettingsChange } from "./room-settings";
import { validateName, validateText } from "./text-rules";

/**
 * A packet read: what it asks for, the dialect it is written in, to answer an error in that dialect, and what an
 * answer to it names (`for`, `cid`), for a packet whose type the room knows.
 */
export interface ParsedRequest {
  dialect: Dialect;
  request: Parsed<ClientRequest>;
  answering?: Answering;
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
  [
    "settings",
    {
      dialect: "native",
      read: (packet) => {
        const change = parseSettingsChange(packet);
        return change.ok ? ok({ kind: "settings", change: change.value }) : change;
      },
    },
  ],
  ["mute", { dialect: "native", read: readModeration("mute") }],
  ["unmute", { dialect: "native", read: readModeration("unmute") }],
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
