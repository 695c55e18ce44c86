// The room's own JavaScript per chat, in Node, against the durable floor's: `npx tsx bench/hot-path.ts`. A chat
// from one of 20 senders to 100 members, through the room's parts as room.ts drives them (intake: size, rate limit,
// decoding and validation; the room's budget; its speakers for presence; the outbox; the fan-out, encoding included)
// with sockets whose `send`
// does nothing and a store that numbers chats in memory; and through the floor's steps (parse, queue, stringify,
// send to each). What the runtime does (sending, SQLite, timers, events) is the same count of calls on both sides
// and is left out: this is the work only the room's code adds, measured as CPU time, the best of 9 runs, so a busy
// machine barely moves it.

import { readSettings } from "../src/server/config/settings";
import { broadcast } from "../src/server/connections/fan-out";
import { batchBudget } from "../src/server/connections/frame-fit";
import type { JoinedSession, RoomSocket } from "../src/server/connections/session";
import { Sessions } from "../src/server/connections/sessions";
import { Charges } from "../src/server/limits/charges";
import { Intake } from "../src/server/limits/intake";
import { isLogRequest, logEntryOf } from "../src/server/room/message-requests";
import { Outbox, type StoreLog } from "../src/server/room/outbox";
import { Presence } from "../src/server/room/presence";
import { frameBytes } from "../src/shared/codec";
import type { ServerPacket } from "../src/shared/protocol";
import { LOAD_VARS } from "./lib/load.ts";

const MEMBERS = 100;
const SENDERS = 20;
const CHATS = 100_000;

class SilentSocket implements RoomSocket {
  send(_frame: string): void {}
  serializeAttachment(): void {}
  deserializeAttachment(): unknown {
    return null;
  }
}

const settings = readSettings(LOAD_VARS);
const sockets = Array.from({ length: MEMBERS }, () => new SilentSocket());
const frames = Array.from({ length: 1000 }, (_, i) =>
  JSON.stringify({ type: "chat", text: `t=${(123456.789 + i).toFixed(3)} s=${i % SENDERS} n=${i}` }),
);

function room(): (i: number) => void {
  const sessions = new Sessions<SilentSocket>([]);
  sockets.forEach((socket, i) => {
    sessions.open(socket, 0);
    sessions.join(socket, { id: i + 1, name: `member${i}`, dialect: "native" });
  });
  let seq = 0;
  // What the room's storage gives back of a plain chat (room-storage.ts, `insert`).
  const store: StoreLog = (entries) =>
    entries.flatMap((entry, of) => {
      if (entry.kind !== "chat") return [];
      const { ts, sender, text } = entry.chat;
      return [{ to: "all" as const, of, packet: { type: "chat" as const, seq: ++seq, ts, sender, text } }];
    });
  const audience = {
    broadcast: (packet: ServerPacket) => broadcast(sessions.joinedHere(), packet),
    announceJoins: () => {},
    counted: () => {},
    tell: () => [],
  };
  // A room of 100 lists its members (list presence): the mode kept in memory, as nothing switches it.
  const presence = new Presence(sessions, { summarySince: undefined, save() {} }, settings.limits);
  const outbox = new Outbox(sessions, audience, store, batchBudget(settings.limits), settings.limits, presence);
  const charges = new Charges<SilentSocket>(settings, 0);
  const intake = new Intake(settings.limits, charges, { sendError() {}, close() {}, sendFrame() {} });
  return (i) => {
    const socket = sockets[i % SENDERS]!;
    const session = sessions.get(socket) as JoinedSession;
    const frame = frames[i % frames.length]!;
    const now = Date.now();
    // As the room does: the frame's bytes counted once, as it comes in.
    const taken = intake.take(socket, session, frame, frameBytes(frame), now);
    if (!taken || !isLogRequest(taken.request)) throw new Error("a chat did not pass");
    if (!intake.enforce(socket, session, charges.broadcast(socket, taken.bytes, now), frame))
      throw new Error("refused");
    outbox.chatted(session.id);
    presence.near.spoke(socket, session, now);
    outbox.log({ entry: logEntryOf(taken.request, session, now), socket, answering: taken.answering });
    // The outbox's timer, at once: one chat per batch, as in a room at 200 chats a second.
    outbox.flush();
  };
}

function floor(): (i: number) => void {
  let seq = 0;
  let queue: { ts: number; text: string }[] = [];
  return (i) => {
    const packet = JSON.parse(frames[i % frames.length]!) as Record<string, string>;
    queue.push({ ts: Date.now(), text: packet.text ?? "" });
    const chats = queue;
    queue = [];
    for (const { ts, text } of chats) {
      const frame = JSON.stringify({ type: "chat", seq: ++seq, ts, sender: { id: 0, name: "" }, text });
      for (const socket of sockets) socket.send(frame);
    }
  };
}

/** CPU µs per chat: the best of 9 runs of CHATS chats. */
function measure(chat: (i: number) => void): number {
  let best = Infinity;
  for (let run = 0; run < 9; run++) {
    const before = process.cpuUsage();
    for (let i = 0; i < CHATS; i++) chat(i);
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / CHATS);
  }
  return best;
}

const ours = measure(room());
const theirs = measure(floor());
console.log(
  `JavaScript per chat to ${MEMBERS} members (CPU µs, best of 9 runs of ${CHATS.toLocaleString("en")}): ` +
    `room ${ours.toFixed(2)}, durable floor ${theirs.toFixed(2)}; the room's own ${(ours - theirs).toFixed(2)} µs`,
);
