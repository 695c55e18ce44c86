// Sending packets to members: each in its own dialect, each packet serialized once per dialect, not once per member.

import { encode, joinsPacket } from "../../shared/codec";
import type { Dialect, Member, ProtocolError, ServerPacket } from "../../shared/protocol";
import { chunks } from "./frame-fit";
import type { JoinedSession, RoomSocket, Session } from "./session";

/** Who hears what the room announces: its own members, and a hub's shards (once each, for all their members). */
export interface Audience<Socket> {
  broadcast(packet: ServerPacket): void;
  /** A member who joined within the batch hears of its own join and the later ones only (`announceJoins` below). */
  announceJoins(joins: { member: Member; socket: Socket }[]): void;
  /** One connection alone hears `packet` (an answer, an error): the frames it took (`sendPacket`). */
  tell(socket: Socket, dialect: Dialect, packet: ServerPacket): string[];
}

export type Recipients<Socket extends RoomSocket> = readonly (readonly [Socket, JoinedSession])[];

/** Sends one packet to one member; returns the frames sent, for what they weigh. */
export function sendPacket(socket: RoomSocket, dialect: Dialect, packet: ServerPacket): string[] {
  const frames = encode(packet, dialect);
  for (const frame of frames) sendFrame(socket, frame);
  return frames;
}

/**
 * The dialect an error goes to a connection in: its member's once it has joined; before that, the dialect of the
 * packet it answers (`dialectBeforeJoin`), so that a client of either dialect can read why it was refused.
 */
export const errorDialect = (session: Session | undefined, dialectBeforeJoin: Dialect): Dialect =>
  session?.joined ? session.dialect : dialectBeforeJoin;

/** Sends an error packet to one connection, in its `errorDialect`. Returns the frames sent, for what they weigh. */
export function sendErrorPacket(
  socket: RoomSocket,
  session: Session | undefined,
  dialectBeforeJoin: Dialect,
  error: ProtocolError,
): string[] {
  return sendPacket(socket, errorDialect(session, dialectBeforeJoin), { type: "error", ...error });
}

/**
 * The room's hottest loop: a chat to 200 members is 200 sends. So it goes index by index, with no `try` per send: a
 * socket that throws (see `sendFrame`) is skipped, and the loop goes on after it. Returns the frames sent (for the
 * object's counters: observability/room-counters.ts).
 */
export function broadcast<Socket extends RoomSocket>(recipients: Recipients<Socket>, packet: ServerPacket): number {
  let native: string[] | undefined;
  let tutorial: string[] | undefined;
  let sent = 0;
  let i = 0;
  while (i < recipients.length) {
    try {
      for (; i < recipients.length; i++) {
        const [socket, session] = recipients[i]!;
        let frames: string[];
        if (session.dialect === "native") {
          native ??= encode(packet, "native");
          frames = native;
        } else {
          tutorial ??= encode(packet, "tutorial");
          frames = tutorial;
        }
        sent += frames.length;
        if (frames.length === 1) socket.send(frames[0]!);
        else for (const frame of frames) socket.send(frame);
      }
    } catch {
      i++;
    }
  }
  return sent;
}

/**
 * Announces a batch of joins, oldest first, in one frame per member (more if the batch is over `budget` bytes:
 * frame-fit.ts, `batchBudget`). A member who joined within the batch knows the earlier joiners from its welcome, so
 * it hears of its own join and the later ones only. Returns the frames sent.
 */
export function announceJoins<Socket extends RoomSocket>(
  recipients: Recipients<Socket>,
  joins: { member: Member; socket: Socket }[],
  budget: number,
): number {
  let sent = 0;
  const firstNewTo = new Map(joins.map(({ socket }, index) => [socket, index]));
  const frames = new Map<string, string[]>();
  for (const [socket, session] of recipients) {
    const from = firstNewTo.get(socket) ?? 0;
    const key = `${session.dialect}:${from}`;
    let encoded = frames.get(key);
    if (!encoded) {
      const members = joins.slice(from).map(({ member }) => member);
      encoded = chunks(members, budget).flatMap((run) => encode(joinsPacket(run), session.dialect));
      frames.set(key, encoded);
    }
    for (const frame of encoded) sendFrame(socket, frame);
    sent += encoded.length;
  }
  return sent;
}

/**
 * A socket can be closing while the room still lists it (its close event is queued behind this one). Sending to
 * it fails; that must not stop the broadcast for everyone else, and its leave is announced when its close arrives.
 */
export function sendFrame(socket: RoomSocket, frame: string): void {
  try {
    socket.send(frame);
  } catch {
    // Nothing to deliver to: see above.
  }
}
