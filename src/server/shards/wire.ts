// What a room's hub and its shards say to each other (see docs/scaling.md). A room past SHARD_CAPACITY connections
// keeps its first connections itself (it is the hub) and sends the next ones to shard objects, which hold the
// sockets. Everything a shard's clients send that the room must decide goes to the hub as raw frames (`Report`);
// everything the hub decides that a shard's clients must hear comes back as `Item`s, in deliveries numbered per
// shard, so that a shard can apply them in order whatever order they arrive in.

import type { CloseCode } from "../../shared/close-codes";
import type { Member, MemberState, ServerPacket } from "../../shared/protocol";
import type { Attachment, Session } from "../connections/session";

/** What the hub tells one shard to do, in the order it must be done. */
export type Item =
  /** The connection's session as the hub keeps it: the shard keeps it in the socket's attachment. */
  | { kind: "attach"; conn: string; attachment: Session }
  /** A frame for one connection (an answer, an error, a welcome). */
  | { kind: "send"; conn: string; frame: string }
  | { kind: "close"; conn: string; code: CloseCode; reason: string }
  /** A packet for every member on the shard. */
  | { kind: "packet"; packet: ServerPacket }
  /** Joins, announced as the hub announces them to its own members (fan-out.ts, announceJoins). */
  | { kind: "joins"; members: Member[] }
  /** A frame of the connection's left it unjoined: a join the shard charged, if it was one, did not happen. */
  | { kind: "join_refused"; conn: string }
  /** Every connection of the shard is closed (the room is deleted). */
  | { kind: "close_all"; code: CloseCode; reason: string };

/**
 * Items for one shard. `epoch` is when the hub's current instance started, `tick` counts deliveries to this shard
 * within it, from 1; the hub sends tick n only once the shard has taken tick n − 1.
 */
export interface Delivery {
  epoch: number;
  tick: number;
  items: Item[];
}

/**
 * What a shard tells the hub about one of its connections. The hub keeps its members in storage, not in memory
 * (shard-members.ts): a report carries what it takes to find the connection's member there, its id, and a frame the
 * connection's whole session as the hub last sent it, which the hub takes the frame in with.
 */
export type Report =
  /** A frame the shard checked (size, rate limit, validity) for the room to carry out. */
  | { kind: "frame"; conn: string; frame: string | ArrayBuffer; session: Session }
  /** The shard closed the connection itself (too big a frame, flooding); it holds the socket until it is gone. */
  | { kind: "shut"; conn: string; code: CloseCode; reason: string; id?: number }
  /** The runtime reports the connection gone: its close was answered, or it broke. */
  | { kind: "closed"; conn: string; id?: number };

/** What a shard holds, for a hub that starts again: its members are in the hub's storage. */
export interface Roster {
  /** Sockets, members among them. */
  held: number;
  /**
   * The connections not joined yet, and the retired ones: they count against their address until they are gone
   * (sessions.ts).
   */
  connections: { conn: string; attachment: Attachment }[];
  /** The states of its members who have one, by id: the hub keeps those in memory (shard-members.ts). */
  states: { id: number; state: MemberState }[];
  /** The newest position of the room's log (a chat's seq, a change's `at`) the shard delivered, if it remembers (it forgets when it hibernates). */
  lastSeq?: number;
}

/** A shard's answer to the hub's sweep (room/silence-sweep.ts): the connections it holds, how many are members, and
 * the silent ones. */
export interface CheckIn {
  held: string[];
  members: number;
  silent: { conn: string; id: number }[];
}

/** The headers the hub's routing answer carries, and the Worker passes on to the shard it names. */
export const SHARD_HEADER = "X-Room-Shard";
export const CONNECTION_HEADER = "X-Room-Connection";
export const SESSION_HEADER = "X-Room-Session";
export const ROUTING_HEADERS = [SHARD_HEADER, CONNECTION_HEADER, SESSION_HEADER];

/** A shard's object name: its room's name and its number (room names have no `/`). */
export const shardName = (room: string, shard: number): string => `${room}/${shard}`;

export function roomOfShard(name: string): { room: string; shard: number } {
  const at = name.lastIndexOf("/");
  return { room: name.slice(0, at), shard: Number(name.slice(at + 1)) };
}
