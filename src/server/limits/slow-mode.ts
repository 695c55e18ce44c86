// Slow mode (protocol.ts, `RoomSettings.slowModeSeconds`): a member sends at most one chat per that many seconds;
// one sooner is refused with `slow_mode` and how long to wait. Moderators are exempt, and so is the game's backend
// (the publish API never passes here); edits and reactions are not chats.
//
// It counts per speaker, not per connection, so that reconnecting does not start the count again: a verified user
// (every connection of it), else an anonymous member's address (every anonymous connection from it), else its
// membership (what its resume carries on). The last chat of each is known three ways:
// - in memory, while the room is (`lastChats`), for a speaker who reconnects, from whatever connection;
// - in each connection's attachment (sessions.ts), which the room rebuilds that memory from when it was evicted,
//   and which a hub's shard sends with each frame of its member's (its own connection's last chat, then);
// - in the history: a verified user's or a resumed member's last stored chat (its `author`).
// An anonymous member that left, and comes back without its resume after the room was evicted from memory, is the
// one the room no longer recognises.

import type { ProtocolError } from "../../shared/protocol";
import { MAX_SLOW_MODE_SECONDS } from "../../shared/room-settings";
import { authorOf, type JoinedSession, type RoomSocket } from "../connections/session";
import type { Sessions } from "../connections/sessions";
import type { RoomStorage } from "../storage/room-storage";

/** Past this many speakers remembered, those whose last chat no slow mode could still count are forgotten. */
const PRUNE_PAST = 1000;

/** A chat to check: its client chat id, which may name a chat the room holds already (sent again, not new). */
export interface ChatToCheck {
  cid?: string;
}

export class SlowMode<Socket extends RoomSocket> {
  /** When each speaker's last chat was taken; undefined until rebuilt from the attachments. */
  private lastChats: Map<string, number> | undefined;

  constructor(
    private readonly sessions: Sessions<Socket>,
    private readonly storage: Pick<RoomStorage, "lastChatBy" | "duplicateOf">,
  ) {}

  /** Why `session` may not chat now under a slow mode of `seconds`, with how long to wait; undefined: it may. */
  refusal(session: JoinedSession, chat: ChatToCheck, seconds: number, now: number): ProtocolError | undefined {
    if (exempt(session, seconds)) return undefined;
    const author = authorOf(session);
    // A chat sent again (its answer was lost) is answered as before, never refused: it was taken already.
    if (chat.cid !== undefined && this.storage.duplicateOf({ cid: chat.cid, author })) return undefined;
    const window = seconds * 1000;
    const known = Math.max(this.known().get(speakerOf(session)) ?? -Infinity, session.lastChatAt ?? -Infinity);
    const stored = this.storage.lastChatBy(author, now - window) ?? -Infinity;
    const wait = Math.max(known, stored) + window - now;
    if (wait <= 0) return undefined;
    const message = `slow mode: one message per ${seconds} s; retry in ${wait} ms`;
    return { code: "slow_mode", message, retryAfterMs: wait };
  }

  /** A chat of `socket`'s member was taken at `now`: its next one waits out the slow mode. */
  took(socket: Socket, session: JoinedSession, seconds: number, now: number): void {
    if (exempt(session, seconds)) return;
    this.sessions.chatted(socket, now);
    const known = this.known();
    known.set(speakerOf(session), now);
    if (known.size <= PRUNE_PAST) return;
    for (const [speaker, at] of known) if (at <= now - MAX_SLOW_MODE_SECONDS * 1000) known.delete(speaker);
  }

  private known(): Map<string, number> {
    if (this.lastChats) return this.lastChats;
    this.lastChats = new Map();
    for (const [, session] of this.sessions.joinedHere()) {
      const { lastChatAt } = session;
      const speaker = speakerOf(session);
      if (lastChatAt !== undefined && lastChatAt > (this.lastChats.get(speaker) ?? -Infinity))
        this.lastChats.set(speaker, lastChatAt);
    }
    return this.lastChats;
  }
}

const exempt = (session: JoinedSession, seconds: number): boolean =>
  seconds === 0 || session.identity?.role === "moderator";

/** Who a chat counts against: a verified user, an anonymous member's address, or else its membership. */
const speakerOf = (session: JoinedSession): string =>
  session.identity
    ? `user:${session.identity.user}`
    : session.address !== undefined
      ? `address:${session.address}`
      : authorOf(session);
