// The shared spec (clients/spec) as the TypeScript runner reads it: the scenarios, their shorthands expanded
// (clients/spec/README.md), and the comparison of frames with cid placeholders. test/godot/spec_runner.gd does the
// same for the Godot addon.

import constantsFile from "../../../clients/spec/constants.json";
import scenariosFile from "../../../clients/spec/scenarios.json";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Packet = { [key: string]: Json };

export interface Expectations {
  out?: Packet[];
  chats?: string[];
  pings?: number;
  delivered?: number[];
  /** Codes, or code and `for` (and `retryAfterMs` when listed). */
  errors?: (string | { code: string; for?: string; retryAfterMs?: number })[];
  reconnectIn?: number | null;
  stopped?: string | null;
  members?: number[];
  /** [seq, change] of each change told. */
  changed?: [number, string][];
  /** Messages held by seq: the fields listed (null: absent), or null: not held. */
  messages?: Record<string, Packet | null>;
  /** [seq, reaction, whether the client's]. */
  reactedByMe?: [number, string, boolean][];
  /** The ids shown as typing, in the order they started. */
  typers?: number[];
  /** Member id: its state as the member list has it (null: none). */
  states?: Record<string, Packet | null>;
  memberCount?: number;
  /** The client's mute now (null: none), `until` and `reason` each null when absent. */
  muted?: { until: number | null; reason: string | null } | null;
  /** The room's settings as the client has them, whole. */
  settings?: Packet;
  /** How the room tells its presence, as the client has it. */
  presence?: "list" | "summary";
  /** The pages of the member list told to the app since the last such check: their member ids, and `more`. */
  membersPage?: { members: number[]; more: boolean }[];
}

export type Step =
  | { do: "open" | "loadOlder" | "leave" | "loadMembers" | "loadMembersFromStart" }
  | { in: Packet | "pong" }
  | { close: number }
  | { wait: number | "reconnect" }
  | { send: string | string[] | { text: string; replyTo?: number; data?: Packet } }
  | { edit: [number, string] }
  | { delete: number }
  | { react: [number, string] }
  | { unreact: [number, string] }
  | { rename: string }
  | { typing: boolean }
  | { setState: Packet }
  | { setSettings: Packet }
  | { mute: { id: number; minutes?: number; reason?: string } }
  | { unmute: string }
  | { repeat: number; steps: Step[] }
  | { expect: Expectations };

export interface Scenario {
  name: string;
  rules: string[];
  random?: number;
  client?: { maxFrameBytes?: number; tokens?: boolean };
  unsupported?: { ts?: string; godot?: string };
  drift?: string;
  steps: Step[];
}

export interface Spec {
  defaults: { random: number; limits: Packet };
  rules: Record<string, string>;
  scenarios: Scenario[];
}

export const spec = scenariosFile as unknown as Spec;
export const constants = constantsFile;

/** Cids as the scenario writes them (#1, #2…), in the order the client first sent them. */
export class CidNames {
  private readonly real: string[] = [];

  /** The placeholder of a cid the client sent, naming it on first sight. */
  nameOf(cid: string): string {
    if (!this.real.includes(cid)) this.real.push(cid);
    return `#${this.real.indexOf(cid) + 1}`;
  }

  /** The real cid behind a placeholder (a placeholder not sent yet stays as written). */
  realOf(placeholder: string): string {
    const match = /^#(\d+)$/.exec(placeholder);
    return (match && this.real[Number(match[1]) - 1]) ?? placeholder;
  }
}

const member = (value: Json): Json => (typeof value === "number" ? { id: value, name: `u${value}` } : value);

function message(value: Json, cids: CidNames): Packet {
  const given = (typeof value === "number" ? { seq: value } : value) as Packet;
  const { from, size, ...rest } = given;
  const seq = rest.seq as number;
  const filled: Packet = {
    ts: seq,
    sender: from === undefined ? { id: 9, name: "ann" } : { id: from, name: "me" },
    text: size === undefined ? `m${seq}` : "x".repeat(size as number),
    ...rest,
  };
  if (typeof filled.cid === "string") filled.cid = cids.realOf(filled.cid);
  return filled;
}

/** A frame from the room, its shorthands expanded. */
export function expand(packet: Packet, cids: CidNames, limits: Packet): Packet {
  switch (packet.type) {
    case "welcome": {
      const id = (packet.id as number | undefined) ?? 1;
      const name = (packet.name as string | undefined) ?? "me";
      const history = ((packet.history as Json[] | undefined) ?? []).map((m) => message(m, cids));
      const members = ((packet.members as Json[] | undefined) ?? [{ id, name }]).map(member);
      const changed: Packet[] = [];
      if (packet.changed) changed.push(...(packet.changed as Json[]).map((m) => message(m, cids)));
      const defaults: Packet = {
        type: "welcome",
        memberCount: members.length,
        more: false,
        lastSeq: (history.at(-1)?.seq as number | undefined) ?? 0,
        limits,
        resumeKey: `k${id}`,
      };
      return { ...defaults, ...packet, id, name, members, history, ...(packet.changed && { changed }) };
    }
    case "chat":
      return { ...message(packet, cids), type: "chat" };
    case "history":
    case "changes":
      return { ...packet, messages: (packet.messages as Json[]).map((m) => message(m, cids)) };
    case "members":
    case "joins":
    case "leaves":
      return { ...packet, members: (packet.members as Json[]).map(member) };
    case "presence": {
      // Its lists of members, those it has.
      const lists = (["members", "joins", "leaves"] as const).filter((key) => packet[key] !== undefined);
      return { ...packet, ...Object.fromEntries(lists.map((key) => [key, (packet[key] as Json[]).map(member)])) };
    }
    case "join":
    case "leave":
      return { name: `u${packet.id as number}`, ...packet };
    case "error":
      return typeof packet.cid === "string" ? { ...packet, cid: cids.realOf(packet.cid) } : packet;
    default:
      return packet;
  }
}

/** A sent frame as the scenario writes it: its cid as a placeholder. */
export function named(frame: Packet, cids: CidNames): Packet {
  return typeof frame.cid === "string" ? { ...frame, cid: cids.nameOf(frame.cid) } : frame;
}

/**
 * The sent frames, each cut to the fields its expected packet lists (so extra fields are not compared). A field
 * expected as null is one the frame must not have: it reads as null when absent.
 */
export function cutTo(actual: Packet[], expected: Packet[]): Packet[] {
  return actual.map((frame, i) => {
    const wanted = expected[i];
    if (!wanted) return frame;
    return Object.fromEntries(
      Object.keys(wanted)
        .filter((key) => key in frame || wanted[key] === null)
        .map((key) => [key, key in frame ? frame[key]! : null]),
    );
  });
}
