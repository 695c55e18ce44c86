// Packets as WebSocket frames, both ways. A client's frame is checked for UTF-8 and JSON before validation.ts
// reads it (and for size before that: the room closes a connection that sends an oversized frame); a server packet is written once per dialect: as is for native clients, translated into
// the Godot 3 tutorial's own packets for tutorial clients.

import { fail } from "./fields";
import { GUEST_MARK } from "./names";
import type {
  ChatMessage,
  Departure,
  Dialect,
  Limits,
  Member,
  MuteState,
  ServerPacket,
  TutorialServerPacket,
} from "./protocol";
import { type ParsedRequest, parseRequest } from "./validation";

/**
 * Turns one WebSocket frame, no larger than the limit (`frameBytes` counts it), into a request: UTF-8, JSON, then the
 * packet itself. Binary frames carry UTF-8 JSON, as Godot 3's client sends by default. A frame that is not even
 * JSON is answered in the native dialect.
 */
export function decodeFrame(frame: string | ArrayBuffer, limits: Limits): ParsedRequest {
  let text: string;
  if (typeof frame === "string") {
    text = frame;
  } else {
    try {
      text = strictUtf8.decode(frame);
    } catch {
      return { dialect: "native", request: fail("invalid_utf8", "a binary frame must be UTF-8 encoded JSON") };
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { dialect: "native", request: fail("invalid_json", "a packet must be valid JSON") };
  }
  return parseRequest(value, limits);
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Whether a frame is the keep-alive `ping` in a binary frame, as Godot 3's client sends text by default. The runtime
 * answers a text `ping` itself (`setWebSocketAutoResponse`), but matches text frames only.
 */
export function isBinaryPing(frame: string | ArrayBuffer): boolean {
  if (typeof frame === "string" || frame.byteLength !== 4) return false;
  const bytes = new Uint8Array(frame);
  return bytes[0] === 0x70 && bytes[1] === 0x69 && bytes[2] === 0x6e && bytes[3] === 0x67;
}
/**
 * What a frame costs against the rate limit: one token per started `bytesPerToken` bytes, at least one. The room
 * charges frames it receives and the history it sends; the browser client computes the same to pace itself.
 */
export function frameCost(frame: string | ArrayBuffer, bytesPerToken: number): number {
  // Most frames are small enough to cost one token whatever their characters: no need to count their bytes.
  if (typeof frame === "string" && frame.length * 3 <= bytesPerToken) return 1;
  return bytesCost(frameBytes(frame), bytesPerToken);
}

/** What a frame of `bytes` costs against the rate limit (`frameCost`), its size already counted. */
export const bytesCost = (bytes: number, bytesPerToken: number): number =>
  Math.max(1, Math.ceil(bytes / bytesPerToken));

/** A frame's size in bytes: a text frame's in UTF-8, counted without encoding it. */
export function frameBytes(frame: string | ArrayBuffer): number {
  if (typeof frame !== "string") return frame.byteLength;
  let bytes = frame.length;
  for (let i = 0; i < frame.length; i++) {
    const unit = frame.charCodeAt(i);
    // One UTF-16 unit is 1 to 3 UTF-8 bytes; a surrogate pair (two units) is 4.
    if (unit >= 0x800 && (unit < 0xd800 || unit > 0xdfff)) bytes += 2;
    else if (unit >= 0x80) bytes += 1;
  }
  return bytes;
}

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
export function leavesPacket(members: Departure[]): ServerPacket {
  return members.length === 1 ? { type: "leave", ...members[0]! } : { type: "leaves", members };
}

/** A member's name as the tutorial client shows it: a guest's (protocol.ts, `Member`) with its mark. */
const tutorialName = (member: Pick<Member, "name" | "guest">): string =>
  member.guest ? `${member.name}${GUEST_MARK}` : member.name;

/** How the tutorial client names a member in its server messages. */
const tutorialLabel = (member: Pick<Member, "id" | "name" | "guest">): string =>
  `${tutorialName(member)}(#${member.id})`;

const serverMessage = (message: string): TutorialServerPacket => ({ type: "server_message", message });

function toTutorial(packet: ServerPacket): TutorialServerPacket[] {
  switch (packet.type) {
    case "welcome":
      // The tutorial client learns of its own join from the join broadcast; late joiners catch up from history. A
      // muted member hears so after it, as it would have when it was muted.
      return [...tutorialChats(packet.history), ...(packet.muted ? [serverMessage(muteNotice(packet.muted))] : [])];
    case "join":
      return [serverMessage(`${tutorialLabel(packet)} joined the chat.`)];
    case "joins":
      return [serverMessage(`${packet.members.map(tutorialLabel).join(", ")} joined the chat.`)];
    case "leave":
      return tutorialLeaves([packet]);
    case "leaves":
      return tutorialLeaves(packet.members);
    // A room past its presence list's size tells counts: no line per join or leave for this client.
    case "presence":
      return [];
    case "rename":
      return [
        serverMessage(
          `${tutorialLabel({ ...packet, name: packet.previous })} is now known as ${tutorialName(packet)}.`,
        ),
      ];
    case "chat":
      return tutorialChats([packet]);
    case "history":
      return tutorialChats(packet.messages);
    case "members":
      // The tutorial client keeps no member list, and never asks for one.
      return [];
    // The tutorial client cannot take back or change a line it has shown; it can say which one no longer stands,
    // in one notice of the server's own words: an edit's new text is never shown as a line (it could pass for a
    // new message), and reactions and changes are not for it at all.
    case "deleted":
      return [
        serverMessage(
          packet.by === "author"
            ? `Message #${packet.seq} was deleted by its author.`
            : `A moderator deleted message #${packet.seq}.`,
        ),
      ];
    case "edited":
      return [serverMessage(`Message #${packet.seq} was edited by its author.`)];
    case "reactions":
    case "changes":
    // Live signals (typing, member state) have no place in the tutorial's chat.
    case "signals":
      return [];
    case "banned":
      return [
        serverMessage(
          `Banned ${packet.user}${packet.until === undefined ? "" : ` until ${new Date(packet.until).toISOString()}`}.`,
        ),
      ];
    case "ban_preview": {
      const removes = packet.removes.map(tutorialLabel).join(", ") || "nobody";
      return [
        serverMessage(
          `This ban would remove ${removes}. To ban, send it again with confirm: [${packet.removes.map((m) => m.id).join(", ")}].`,
        ),
      ];
    }
    case "unbanned":
      return [serverMessage(`Unbanned ${packet.user}.`)];
    // Of the room's settings, only slow mode changes what this client may do: it alone is told, when it changes.
    case "settings": {
      if (!packet.changed.includes("slowModeSeconds")) return [];
      const seconds = packet.settings.slowModeSeconds;
      return [serverMessage(seconds === 0 ? "Slow mode is off" : `Slow mode: one message per ${seconds} s`)];
    }
    case "muted":
      return [
        serverMessage(
          `Muted ${packet.user}${packet.until === undefined ? "" : ` until ${new Date(packet.until).toISOString()}`}.`,
        ),
      ];
    case "unmuted":
      return [serverMessage(`Unmuted ${packet.user}.`)];
    case "mute_status":
      return [serverMessage(packet.muted ? muteNotice(packet) : "You may speak again.")];
    case "error":
      return [
        {
          type: "server_message",
          message: `Error: ${packet.message}`,
          code: packet.code,
          ...(packet.retryAfterMs === undefined ? {} : { retryAfterMs: packet.retryAfterMs }),
        },
      ];
  }
}

/**
 * What the tutorial client shows a member that is muted: for how long (in whole minutes from now, at least one), and
 * the moderator's reason, flattened to its line.
 */
function muteNotice({ until, reason }: MuteState, now = Date.now()): string {
  const minutes = until === undefined ? undefined : Math.max(1, Math.ceil((until - now) / 60_000));
  const time = minutes === undefined ? "" : ` for ${minutes} minute${minutes === 1 ? "" : "s"}`;
  return `A moderator muted you${time}${reason === undefined ? "" : `: ${flattened(reason)}`}`;
}

/**
 * The tutorial's client shows each packet as a line of its own: a line break in a message would draw a line of
 * its own too, that could pass for another member's or for a server notice. There, each run of line breaks and
 * tabs is one space: a visible mark such as '⏎' could be missing from Godot 3's default font. Every line break
 * Unicode has is flattened, not only the "\n" that validation lets in, so that this does not rest on validation
 * (nor on what an older room stored: U+2028 and U+2029 were once kept as they came).
 */
const flattened = (text: string): string => text.replace(/[\n\v\f\r\t\u0085\u2028\u2029]+/g, " ");

/** One line per departure reason, in the order the reasons first occur. */
function tutorialLeaves(departures: Departure[]): TutorialServerPacket[] {
  const byReason = new Map<Departure["reason"], Departure[]>();
  for (const departure of departures) {
    const same = byReason.get(departure.reason);
    if (same) same.push(departure);
    else byReason.set(departure.reason, [departure]);
  }
  return [...byReason].map(([reason, members]) => {
    const was = members.length === 1 ? "was" : "were";
    const how =
      reason === undefined ? "left the chat" : `${was} ${reason === "kicked" ? "removed" : "banned"} by a moderator`;
    return serverMessage(`${members.map(tutorialLabel).join(", ")} ${how}.`);
  });
}

/** A deleted message is left out: a line with its sender's name and no text would still look like theirs. */
const tutorialChats = (messages: ChatMessage[]): TutorialServerPacket[] =>
  messages.filter((message) => !message.deleted).map(tutorialChat);

/**
 * A member's message is a `chat_message`; one the game's backend posted (protocol.ts, `SystemSender`) is a notice
 * of the server's own, `name(#0): text`. As a `chat_message` it would pass for a member's, since that client shows
 * no more of a sender than its name; and its name is labelled as notices label members, `(#id)`, which no member's
 * name may hold (names.ts): a member who took the same name still cannot draw the same line.
 */
function tutorialChat(message: ChatMessage): TutorialServerPacket {
  if (message.sender.system) return serverMessage(`${tutorialLabel(message.sender)}: ${flattened(message.text)}`);
  return {
    type: "chat_message",
    name: tutorialName(message.sender),
    message: flattened(message.text),
    id: message.sender.id,
    seq: message.seq,
    ts: message.ts,
  };
}
