// What a room connection tells the page: its status, and what arrived from the room.

import type {
  ChatMessage,
  Limits,
  Member,
  MuteState,
  PresenceMode,
  ProtocolError,
  RoomSettings,
  RosterMember,
  ServerPacket,
} from "../shared/protocol";
import type { MessageChange } from "./message-model";
import type { Removal } from "./removal";

export type ConnectionStatus =
  | { state: "connecting"; attempt: number }
  | { state: "online" }
  | { state: "reconnecting"; attempt: number; retryAt: number }
  | { state: "offline"; reason: "closed" | "gave_up" }
  /** The room refused the join (its name): trying again as is would not help. */
  | { state: "offline"; reason: "rejected"; error: ProtocolError }
  /** The room removed us (a moderator, or the room's deletion): no reconnect follows by itself. */
  | { state: "offline"; reason: "removed"; removal: Removal };

/**
 * Where delivered messages belong: `recent` is the history of a first join; `live` ones are newer than anything
 * shown; `older` ones precede everything shown; `gap` ones fill a hole between shown messages after a resume.
 */
export type MessageOrigin = "recent" | "live" | "older" | "gap";

export type PresencePacket = Extract<
  ServerPacket,
  { type: "join" | "joins" | "leave" | "leaves" | "rename" | "presence" }
>;

export type ConnectionEvent =
  | { type: "status"; status: ConnectionStatus }
  /**
   * Comes before the history it carries. `resumed`: this join continues an earlier one. `reset`: the room's
   * history restarted; drop what is shown. `lastSeq`: the room's newest position (a message's seq or a change's
   * `at`) as of this join.
   */
  | {
      type: "welcome";
      self: Member;
      /** With their state (`state`, `vouched`), as `connection.members` lists them. */
      members: RosterMember[];
      memberCount: number;
      /** How the room tells its presence from now on (`connection.presence`); an older room's is "list". */
      presence: PresenceMode;
      limits: Limits;
      lastSeq: number;
      resumed: boolean;
      reset: boolean;
    }
  /**
   * Members added to `connection.members`: a page of a large room's list, more than its welcome had room for (see
   * member-pages.ts); in summary presence, the sender of a chat, who was not listed.
   */
  | { type: "members"; members: RosterMember[] }
  /** The room's answer to `loadMembers`: a page of its whole member list, in the order they joined; `more` follow. */
  | { type: "membersPage"; members: RosterMember[]; more: boolean }
  /** New to this page, oldest first; never a sequence number delivered before. */
  | { type: "messages"; messages: ChatMessage[]; origin: MessageOrigin }
  /**
   * A join, leave or rename (a join's member carries its state), or in summary presence the room's count and its
   * near members who came and went (`presence`, whose `mode` may say the room switched). `connection.members`,
   * `connection.memberCount` and `connection.presence` are up to date. In summary presence a rename of a member not
   * listed is not told.
   */
  | { type: "presence"; packet: PresencePacket }
  /**
   * Who is typing changed: `typers` are those typing now, in the order they started (`connection.typing`), never
   * us. Each is shown until limits.typingTimeoutMs after its last signal, unless it stops, chats or leaves first.
   */
  | { type: "typing"; typers: RosterMember[] }
  /**
   * A member's state changed (the room's signals; ours too, once the room took it): `member` as `connection.members`
   * lists it now, without `state` if it has none. A member's first state comes with its join or in a member list.
   */
  | { type: "state"; member: RosterMember }
  /**
   * A message delivered before changed: `message` is its whole new state (as `connection.messages` holds it now);
   * `change` says what changed it: an edit, a deletion, new reactions, or its state as a resume or the deletion of
   * the message it quotes left it ("state"). Only for messages delivered: one delivered later comes as it is then.
   */
  | { type: "changed"; message: ChatMessage; change: MessageChange }
  /** Message `seq` was deleted, by its author or a moderator: show it as deleted (`changed` tells it too). */
  | { type: "deleted"; seq: number }
  /**
   * The room's answer to our own moderation: whom a ban would remove (to confirm), whom a ban or a mute refuses, or
   * that one was lifted.
   */
  | {
      type: "moderated";
      packet: Extract<ServerPacket, { type: "ban_preview" | "banned" | "unbanned" | "muted" | "unmuted" }>;
    }
  /** The room's settings (slow mode, its listing): at each welcome, and whenever a moderator changes them. */
  | { type: "settings"; settings: RoomSettings }
  /**
   * Our mute changed (`connection.muted`): a moderator muted us (`until`: server time; absent: until lifted), or
   * lifted it, or it ended; undefined: we may write again.
   */
  | { type: "muted"; muted: MuteState | undefined }
  /** Whether older history exists, and whether a page of it is on its way. */
  | { type: "older"; more: boolean; loading: boolean }
  /** Messages after `after` and before `before` were missed and the room no longer keeps them. */
  | { type: "missing"; after: number; before: number }
  | { type: "error"; error: ProtocolError }
  /** Messages typed but not yet handed to the server. */
  | { type: "queue"; size: number };
