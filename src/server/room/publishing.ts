// A post of the publish API (front-door/publish-api.ts, docs/backend.md): the game's backend says something in the
// room ("Ann won the match") without joining it. A post is a chat in the room's own voice (protocol.ts,
// `SystemSender`) and an entry of the room's log like any member's: stored before anyone hears it, in order with
// members' chats, in history pages and resumes. What is the backend's own: its idempotency key, which makes a retry
// post nothing again (storage/publish-keys.ts), and its charge to the room's budget as one sender among the members
// (limits/charges.ts).
//
// A post is carried out in one go, with no turn of the event loop between looking its key up and storing the message
// with it: two retries of one post that arrive together cannot both post it.

import { frameBytes } from "../../shared/codec";
import type { GameData, ProtocolError, SystemSender } from "../../shared/protocol";
import type { Charges } from "../limits/charges";
import type { PublishKeys } from "../storage/publish-keys";
import type { UnstoredChat } from "../storage/room-storage";
import type { LogEntry } from "./message-log";
import type { LoggedNow } from "./outbox";

/** A post, as the Worker checked it: its text and data by a chat's rules, its sender's name by a name's. */
export interface Post {
  text: string;
  name: string;
  data?: GameData;
  /** The `Idempotency-Key` it came with. */
  key?: string;
}

/** What came of a post: its message's seq (`replayed`: posted before under the same key), or why not. */
export type Published = { ok: true; seq: number; replayed: boolean } | { ok: false; error: ProtocolError };

/** What a post needs of the room. */
export interface PublishingRoom {
  charges: Pick<Charges<object>, "published">;
  keys: Pick<PublishKeys, "find">;
  logNow(entry: LogEntry): LoggedNow;
  publishKeyKept(): void;
}

export function publish(room: PublishingRoom, post: Post, now: number): Published {
  const { key } = post;
  // A retry of a post the room made: the first answer again, nothing posted and nothing charged.
  const posted = key === undefined ? undefined : room.keys.find(key, now);
  if (posted !== undefined) return { ok: true, seq: posted, replayed: true };
  const sender: SystemSender = { id: 0, name: post.name, system: true };
  const chat: UnstoredChat = { ts: now, sender, text: post.text, ...(post.data !== undefined && { data: post.data }) };
  // Charged by what everyone receives of it, as a member's chat is by its frame.
  const wait = room.charges.published(frameBytes(JSON.stringify({ type: "chat", ...chat })), now);
  if (wait > 0) {
    const message = `the room is busy; retry in ${wait} ms`;
    return { ok: false, error: { code: "room_busy", message, retryAfterMs: wait } };
  }
  const { heard, refused } = room.logNow({ kind: "chat", chat, ...(key !== undefined && { key }) });
  if (heard?.type !== "chat") {
    const error = refused ?? { code: "internal_error", message: "the post could not be stored; send it again" };
    return { ok: false, error };
  }
  if (key !== undefined) room.publishKeyKept();
  return { ok: true, seq: heard.seq, replayed: false };
}
