// The wire protocol's vocabulary: every packet of both dialects, the room's limits and room names. Types and
// constants only; how packets are checked is validation.ts, how they travel as frames is codec.ts. Everything in
// src/shared/ runs in the room and in the browser alike, so it uses nothing beyond the JavaScript language.
//
// Two dialects share one room:
// - "native": our own protocol (docs/protocol.md).
// - "tutorial": the packets of the well-known Godot 3 chat tutorial, which must work unchanged.
// A connection's dialect is fixed by its join packet; the room speaks to each member in its own dialect.

export type Dialect = "native" | "tutorial";

/**
 * A member as others see it. A member whose token the server verified carries its user id and `verified: true`; in
 * a room that verifies tokens (the server has AUTH_SECRET), every other member is a `guest`, which clients show
 * (the tutorial dialect as a " (guest)" after the name), so that no anonymous member can pass for a verified one.
 */
export type Member = { id: number; name: string; system?: never } & (
  | { user: string; verified: true; guest?: never }
  | { user?: never; verified?: never; guest?: true }
);

/**
 * The sender of a message the game's backend posted (the publish API, docs/backend.md): the room's own voice, with
 * the name the post gave ("system" by default). Its id is 0, which no member has (members' ids start at 1), and only
 * the server sets `system`: a member's chat always carries the member as the room knows it, whatever it sent.
 */
export type SystemSender = { id: 0; name: string; system: true; user?: never; verified?: never; guest?: never };

/** Who sent a message: a member, or the game's backend. */
export type Sender = Member | SystemSender;

/**
 * A member's state: a small JSON object a game shows next to its name ("status": "in a match", a level, a team).
 * Its fields are the member's own, and those its token vouches for (`RosterMember.vouched`), which it cannot change.
 */
export type MemberState = { [field: string]: string | number | boolean | null | object };

/**
 * A member as the room lists it (welcome, `members` pages, joins): who it is, and its state when it has one.
 * `vouched`: the fields of `state` that its verified token set (docs/auth.md); only those may a client trust as
 * the game backend's (an avatar, a rank). Leaves, renames and a chat's sender carry no state.
 */
export type RosterMember = Member & { state?: MemberState; vouched?: string[] };

/**
 * One stored chat message, as the room keeps it and sends it, in its current state: its text after the last edit,
 * its reactions now. A deleted message (by its author or a moderator) is a tombstone: it keeps its place (seq,
 * time, sender) and loses everything else.
 */
export type ChatMessage = {
  seq: number;
  /** Server time, milliseconds since the epoch. */
  ts: number;
  /** A member, or for a message the game's backend posted, the `SystemSender`. */
  sender: Sender;
  /** The client chat id the sender gave its `chat` (CHAT_ID_RULE), if it gave one. */
  cid?: string;
} & (
  | {
      text: string;
      deleted?: never;
      /** When it was last edited (server time); absent if never. */
      edited?: number;
      /** The message this one answers, quoted as it is now. */
      replyTo?: Quote;
      /** Game data the sender attached: a JSON object, delivered as sent. */
      data?: GameData;
      /** Its reactions, in the order each was first given; absent if none. */
      reactions?: Reaction[];
    }
  | { text: ""; deleted: true; edited?: never; replyTo?: never; data?: never; reactions?: never }
);

/** What a chat may carry for a game to read (item links, match invites, coordinates): any JSON object. */
export type GameData = { [field: string]: unknown };

/** The message a reply answers, as it is now: its sender's name, and its text cut to QUOTE_CHARS; or deleted. */
export type Quote = { seq: number; name: string } & ({ text: string; deleted?: never } | { text: ""; deleted: true });

/** How much of the original a reply quotes, in characters. */
export const QUOTE_CHARS = 120;

/** One reaction on a message: how many members gave it, and the names of the first REACTORS_NAMED of them. */
export interface Reaction {
  reaction: string;
  count: number;
  by: string[];
}

export const REACTORS_NAMED = 10;

/** Why a member left, when it did not leave by itself. */
export type LeaveReason = "kicked" | "banned";

/** A member that left, and why if a moderator removed it. */
export type Departure = Member & { reason?: LeaveReason };

/** Whom a ban is aimed at: a member in the room, or (the admin API only) a user who need not be in it. */
export type BanAim = { id: number } | { user: string };

/**
 * What a moderator may do to a room (a member with the moderator role, or the admin API). Whom a ban refuses: a
 * member's user (its token's `sub`) and, for as long, anonymous connections from the addresses that user came from;
 * or for an anonymous member a salted hash of its address. The admin API may also ban a `user` who is not in the
 * room. `minutes` absent: until unbanned.
 *
 * A ban that would remove members besides its target (anonymous members sharing an address) is carried out only
 * with `confirm` listing them; otherwise it is answered with `ban_preview`. `preview_ban` only asks who would go.
 */
export type ModerationAction =
  | { kind: "kick"; id: number; reason?: string }
  | ({ kind: "ban"; minutes?: number; reason?: string; confirm?: number[] } & BanAim)
  | ({ kind: "preview_ban" } & BanAim)
  /** `user`: a ban's `user` as the `banned` answer gave it (a sub, or `address:…` for an anonymous member). */
  | { kind: "unban"; user: string }
  | { kind: "delete"; seq: number }
  /**
   * A member stays and reads but may not speak (chat, edit, react, rename, state) for `minutes`, or until unmuted.
   * Whom it reaches: as a ban's (a user, or an anonymous member's address), without the address half.
   */
  | ({ kind: "mute"; minutes?: number; reason?: string } & BanAim)
  /** `user`: as the `muted` answer gave it. */
  | { kind: "unmute"; user: string };

/** A member's mute, as it hears of it: until when (absent: until unmuted), and why, if the moderator said. */
export interface MuteState {
  until?: number;
  reason?: string;
}

/** A room's own settings: its moderators (or the admin API) set them, and every member is told. */
export interface RoomSettings {
  /** A member sends at most one chat per this many seconds (moderators and the backend exempt); 0: off. */
  slowModeSeconds: number;
  /** Whether the room is in the directory (GET /api/rooms), and its title there. */
  listed: boolean;
  title?: string;
}

/** What a room has until a moderator changes it: no slow mode, not in the directory. */
export const DEFAULT_ROOM_SETTINGS: Readonly<RoomSettings> = { slowModeSeconds: 0, listed: false };

/** A change to a room's settings: the fields given, each replacing the room's. */
export type SettingsChange = Partial<RoomSettings>;

/** One room as the directory lists it. */
export interface ListedRoom {
  name: string;
  title: string;
  members: number;
}

/** The limits a room enforces, sent in `welcome` so clients can show them and pace themselves. */
export interface Limits {
  maxNameChars: number;
  maxMessageChars: number;
  maxFrameBytes: number;
  /**
   * The largest frame the room sends this connection, in bytes: the server's MAX_SERVER_FRAME_BYTES, or less if
   * the join asked for less (`join.maxFrameBytes`). Lists that would not fit (a welcome's, a page's, a batch of
   * joins or leaves) are cut, with `more` set, or split over several packets.
   */
  maxServerFrameBytes: number;
  rateLimitBurst: number;
  rateLimitPerSecond: number;
  /** A frame costs one rate-limit token per started this many bytes (a history answer too, by its size). */
  rateLimitBytesPerToken: number;
  historyPageMax: number;
  /** The most members a `welcome` lists, and a `members` page: a larger room's list is paged (`members`). */
  membersPageMax: number;
  /** A chat's `data`, serialized as JSON, in UTF-8 bytes at most. */
  maxDataBytes: number;
  /** Distinct reactions one message may have. */
  maxReactionsPerMessage: number;
  /** How long after sending a message its author may edit it, in seconds; 0: no limit. */
  editWindowSeconds: number;
  /** A member's state, serialized as JSON (its token's fields included), in UTF-8 bytes at most. */
  maxStateBytes: number;
  /** A member changes its state at most once per this many ms; a faster change is refused (`rate_limited`). */
  stateIntervalMs: number;
  /** A client sends at most one typing signal per this many ms while its user types. */
  typingIntervalMs: number;
  /** A receiver shows a typer until this many ms after its last signal. */
  typingTimeoutMs: number;
  /** Past this many members, a room delivers no typing signals (docs/protocol.md says why). */
  typingMaxMembers: number;
  /**
   * Past this many members a room is in summary presence (`PresenceMode`): it tells counts and near members, not
   * every join and leave. It is back in list presence once it has at most floor(3/4 of this) members.
   */
  presenceListMax: number;
  /** In summary presence, a `presence` packet goes out at most every this many ms (PRESENCE_SUMMARY_MS). */
  presenceSummaryMs: number;
}

/**
 * How a room tells its presence. "list": every join and leave (`join(s)`, `leave(s)`), so a client keeps the whole
 * member list. "summary", in a room past limits.presenceListMax: the member count and the members near each
 * member (the moderators, the recent speakers, itself) in `presence` packets; the whole list is paged on request.
 */
export type PresenceMode = "list" | "summary";

/** How often a room in summary presence tells its count, at most: counts are for showing, not for keeping. */
export const PRESENCE_SUMMARY_MS = 1000;

/** The most recent distinct speakers a summary welcome (and a switch to summary) counts among the near members. */
export const NEAR_SPEAKERS_MAX = 50;

/** A room's limits unless its settings say otherwise; a client uses them until the room's `welcome` arrives. */
export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxNameChars: 32,
  maxMessageChars: 2000,
  maxFrameBytes: 16 * 1024,
  // Godot 3's client takes frames of up to 64 KiB by default (network/limits/websocket_client/max_in_buffer_kb):
  // a stock game must be safe, with a margin.
  maxServerFrameBytes: 60_000,
  rateLimitBurst: 10,
  rateLimitPerSecond: 5,
  rateLimitBytesPerToken: 4096,
  historyPageMax: 200,
  membersPageMax: 500,
  maxDataBytes: 2048,
  maxReactionsPerMessage: 20,
  editWindowSeconds: 0,
  maxStateBytes: 512,
  stateIntervalMs: 1000,
  typingIntervalMs: 3000,
  // A signal waits up to the outbox's signals window (500 ms) and the network: two intervals leave room for both.
  typingTimeoutMs: 6000,
  typingMaxMembers: 200,
  presenceListMax: 1000,
  presenceSummaryMs: PRESENCE_SUMMARY_MS,
};

// ---------------------------------------------------------------------------------------------------------------
// Rooms: a WebSocket on `/` joins DEFAULT_ROOM, one on `/rooms/<name>` joins <name>.

export const DEFAULT_ROOM = "lobby";
export const ROOM_NAME_RULE = "a room name is 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', not only dots";
const ROOM_NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** `.` and `..` are path segments, not names: a browser or proxy resolves `/rooms/..` to `/` before we see it. */
const ONLY_DOTS = /^\.+$/;

export const isRoomName = (name: string): boolean => ROOM_NAME.test(name) && !ONLY_DOTS.test(name);

// ---------------------------------------------------------------------------------------------------------------
// Client chat ids: a client names each chat it sends, so that it can match the room's answers to it, and resend it
// without its being stored twice.

export const CHAT_ID_RULE = "cid must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'";
const CHAT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const isChatId = (cid: unknown): cid is string => typeof cid === "string" && CHAT_ID.test(cid);

// ---------------------------------------------------------------------------------------------------------------
// Client → server

/** Native packets a client may send. */
export type NativeClientPacket =
  /** `resume`: the `resumeKey` of this member's last welcome, to take its name back from a connection that died. */
  /** `maxFrameBytes`: the largest frame this client takes (at least `minServerFrameBytes`, validation.ts). */
  /** `state`: the member's state from the start (limits.maxStateBytes). */
  | { type: "join"; name: string; since?: number; resume?: string; maxFrameBytes?: number; state?: MemberState }
  /**
   * `cid`: the client's id of this chat, unique among its sender's chats (CHAT_ID_RULE). `replyTo`: the seq of a
   * message the room holds, which this one answers. `data`: a JSON object for the game (limits.maxDataBytes).
   */
  | { type: "chat"; text: string; cid?: string; replyTo?: number; data?: GameData }
  /** Its author changes message `seq`'s text (within limits.editWindowSeconds). */
  | { type: "edit"; seq: number; text: string; cid?: string }
  /** Gives or takes back one reaction (an emoji, or `:name:`) to message `seq`. */
  | { type: "react"; seq: number; reaction: string }
  | { type: "unreact"; seq: number; reaction: string }
  /** The current state of messages changed after position `after`: the rest of a welcome's `changed`. */
  | { type: "changes"; after: number; limit?: number }
  | { type: "rename"; name: string }
  /**
   * A live signal, never stored: the member is typing (at most one per limits.typingIntervalMs), or with `stop`
   * it stopped. Not answered.
   */
  | { type: "typing"; stop?: true }
  /** Replaces the member's state (its own fields; `{}` clears them), at most once per limits.stateIntervalMs. */
  | { type: "state"; state: MemberState }
  | { type: "history"; before?: number; limit?: number }
  /** The members after id `after` (0: from the first), in the order they joined: the rest of a welcome's list. */
  | { type: "members"; after?: number; limit?: number }
  // Moderators only (docs/auth.md):
  | { type: "kick"; id: number; reason?: string }
  /** `confirm`: the ids of the other members the ban removes, as a `ban_preview` listed them. */
  | { type: "ban"; id: number; minutes?: number; reason?: string; confirm?: number[] }
  /** Asks who a ban of member `id` would remove, without banning: answered with `ban_preview`. */
  | { type: "ban"; id: number; preview: true }
  | { type: "unban"; user: string }
  /** Deletes message `seq`: its author may, and a moderator any. */
  | { type: "delete"; seq: number }
  /** Mutes member `id` for `minutes` (absent: until unmuted): it stays and reads, but may not speak. */
  | { type: "mute"; id: number; minutes?: number; reason?: string }
  /** `user`: as the `muted` answer gave it. */
  | { type: "unmute"; user: string }
  /** Changes the room's settings: only the fields given (at least one). */
  | ({ type: "settings" } & SettingsChange);

/** What a moderator sends. */
export type ModerationPacket = Extract<
  NativeClientPacket,
  { type: "kick" | "ban" | "unban" | "delete" | "mute" | "unmute" }
>;

/** The Godot 3 tutorial client's packets. Its `name` in `chat_message` is ignored: the server stamps the sender. */
export type TutorialClientPacket =
  | { type: "test"; [extra: string]: unknown }
  | { type: "user_joined"; name: string }
  | { type: "chat_message"; name?: string; message: string };

/** What a valid client packet asks the room to do, whichever dialect it came in. */
export type ClientRequest =
  | {
      kind: "join";
      dialect: Dialect;
      name: string;
      since?: number;
      resume?: string;
      maxFrameBytes?: number;
      state?: MemberState;
    }
  | { kind: "chat"; text: string; cid?: string; replyTo?: number; data?: GameData }
  | { kind: "edit"; seq: number; text: string }
  | { kind: "react"; seq: number; reaction: string; on: boolean }
  | { kind: "changes"; after: number; limit: number }
  | { kind: "rename"; name: string }
  | { kind: "typing"; on: boolean }
  | { kind: "state"; state: MemberState }
  | { kind: "history"; before?: number; limit: number }
  | { kind: "members"; after: number; limit: number }
  | { kind: "moderate"; action: ModerationAction }
  | { kind: "settings"; change: SettingsChange }
  | { kind: "ignore" };

// ---------------------------------------------------------------------------------------------------------------
// Server → client (native dialect)

export type ErrorCode =
  | "invalid_utf8"
  | "invalid_json"
  | "invalid_packet"
  | "unknown_type"
  | "invalid_field"
  | "invalid_name"
  /** Another member of the room has the same name, compared as names.ts says. */
  | "name_taken"
  | "invalid_text"
  | "not_joined"
  | "already_joined"
  /**
   * What only another kind of member may do: moderation, renaming (a verified member's name is its token's),
   * lifting or replacing a ban the admin set (only the admin API may), editing or deleting another's message.
   */
  | "forbidden"
  /**
   * A target that is not there: no such member in the room, no such message in the room's history (never sent,
   * deleted, or past the history it retains), no such ban.
   */
  | "not_found"
  /** An edit of a message older than limits.editWindowSeconds. */
  | "edit_window_closed"
  /** A new reaction to a message that has limits.maxReactionsPerMessage distinct ones already. */
  | "reaction_limit"
  /** A reaction that is neither one emoji nor a `:name:` (REACTION_RULE). */
  | "invalid_reaction"
  /** A chat's `data` that is not a JSON object, is too deep, or weighs more than limits.maxDataBytes. */
  | "invalid_data"
  /** A member's `state` that is not a JSON object, is too deep, or weighs more than limits.maxStateBytes. */
  | "invalid_state"
  /** Sent just before the room closes the connection: a moderator removed this member (close code 4001)... */
  | "kicked"
  /** ...or banned it (close code 4003): a new connection would be refused until the ban ends. */
  | "banned"
  /**
   * A chat, edit, reaction, rename or state change of a member a moderator muted: refused until the mute ends
   * (`retryAfterMs`, for a mute with an end) or is lifted.
   */
  | "muted"
  /** A chat, edit, rename or join name that holds a word the room does not allow: refused, never stored or shown. */
  | "blocked_word"
  | "rate_limited"
  /** A chat sooner than the room's `settings.slowModeSeconds` after this member's previous one (`retryAfterMs`). */
  | "slow_mode"
  /** The room as a whole is at its budget (joins, or messages while this sender takes more than its share). */
  | "room_busy"
  | "internal_error";

/** Every packet type a client may send, in either dialect. */
export type ClientPacketType = NativeClientPacket["type"] | TutorialClientPacket["type"];

/** What an answer answers: the type of the packet it answers, and that packet's `cid` if it carried a valid one. */
export interface Answering {
  for: ClientPacketType;
  cid?: string;
}

export interface ProtocolError {
  code: ErrorCode;
  message: string;
  /**
   * With `rate_limited`, `room_busy` and `slow_mode`: how long to wait before the next packet (a chat, for
   * `slow_mode`) will be accepted; with `muted`, until the mute ends (absent: until a moderator lifts it). Those two
   * refuse for good all the same: a client does not send the refused packet again by itself (clients/spec, rule
   * final-refusals).
   */
  retryAfterMs?: number;
  /** The type of the packet this error answers, when it answers one whose type the room knows. */
  for?: ClientPacketType;
  /** The `cid` of the packet this error answers, when it carried a valid one. */
  cid?: string;
}

export type ServerPacket =
  | {
      type: "welcome";
      /** Your own id and name. */
      id: number;
      name: string;
      /**
       * How the room tells its presence from now on. "list": `members` is the room's list (below), and joins and
       * leaves come as `join(s)` and `leave(s)`. "summary": `members` holds only the near members, and the count and
       * near joins and leaves come as `presence` packets.
       */
      presence: PresenceMode;
      /**
       * In list presence, the room's members in the order they joined, you included: all of them unless there are
       * more than `limits.membersPageMax`, and then the first that many, the rest to be asked for with `members`.
       * In summary presence, the near members present, in the order they joined: you, the moderators, and the
       * NEAR_SPEAKERS_MAX members who spoke last.
       */
      members: RosterMember[];
      /**
       * True when members after these were left out (past `limits.membersPageMax`, or to keep the frame within
       * `limits.maxServerFrameBytes`): ask for them with `members`, `after` the last id listed. Always true in
       * summary presence (a client there pages only when its user asks).
       */
      moreMembers: boolean;
      /** How many members the room has now, you included. */
      memberCount: number;
      /**
       * The members typing now (a signal within limits.typingTimeoutMs): shown as a `signals` packet's `typing`.
       * Absent when none, or in a room past limits.typingMaxMembers.
       */
      typing?: number[];
      /** Recent history, or with `since` what you missed; oldest first. */
      history: ChatMessage[];
      /** True when older messages exist (after `since`, if given) that `history` leaves out. */
      more: boolean;
      /**
       * With `since`: the messages at or before `since` that changed after it (edited, deleted, reactions), each
       * once, in its current state, ordered by their newest change; `moreChanged`: ask `changes` for the rest.
       */
      changed?: ChatMessage[];
      moreChanged?: boolean;
      /** The newest position in the room's log, a message's `seq` or a change's `at` (0 before the first). */
      lastSeq: number;
      limits: Limits;
      /** The room's own settings (slow mode, listing), as its moderators set them. */
      settings: RoomSettings;
      /** A secret of this connection's: a rejoin that carries it may take this member's name back (`join.resume`). */
      resumeKey: string;
      /** Present while this member is muted: it reads, but may not speak until `until` (absent: until unmuted). */
      muted?: MuteState;
    }
  | ({ type: "join" } & RosterMember)
  /** Several joins announced at once, oldest first: how a room tells of a burst of joins. */
  | { type: "joins"; members: RosterMember[] }
  | ({ type: "leave" } & Departure)
  /** Several leaves announced at once, oldest first: how a room tells of a burst of leaves. */
  | { type: "leaves"; members: Departure[] }
  /**
   * Presence in a room past limits.presenceListMax, instead of `join(s)` and `leave(s)`: at most every
   * limits.presenceSummaryMs while the count changed or near members came or went, in order with everything else.
   * `joins`: near members who joined (moderators); `leaves`: near members who left (moderators, members who spoke;
   * `reason` for a kick or ban). `members`, on a switch to summary: the near members, replacing the client's list.
   * `mode: "list"`: the room is back in list presence; page its whole list again from `after` 0.
   */
  | {
      type: "presence";
      mode: PresenceMode;
      memberCount: number;
      members?: RosterMember[];
      joins?: RosterMember[];
      leaves?: Departure[];
    }
  | ({ type: "rename"; previous: string } & Member)
  | ({ type: "chat" } & ChatMessage)
  | { type: "history"; messages: ChatMessage[]; more: boolean }
  /** A page of the member list, in the order they joined; `more`: members after these were left out. */
  | { type: "members"; members: RosterMember[]; more: boolean }
  /**
   * One batch of live signals, never stored, delivered at most every SIGNALS_WINDOW_MS and after everything
   * announced before it (a member's join comes first, its leave after). `typing`: members who signalled typing
   * since the last batch (show each until limits.typingTimeoutMs after this, or its `stopped`, chat or leave);
   * `stopped`: members who said they stopped; `states`: members' whole new state (`{}`: none).
   */
  | { type: "signals"; typing?: number[]; stopped?: number[]; states?: { id: number; state: MemberState }[] }
  /**
   * Changes to message `seq`, each at its position `at` in the room's log (the sequence chats number from):
   * edited to `text` at time `edited`; deleted (by its author or a moderator), a tombstone from now on; its
   * reactions are now `reactions` (the whole summary: replace, don't add).
   */
  | { type: "edited"; seq: number; at: number; text: string; edited: number }
  /** `by`: "author" when its author deleted it; absent for a moderator. */
  | { type: "deleted"; seq: number; at: number; by?: "author" }
  | { type: "reactions"; seq: number; at: number; reactions: Reaction[] }
  /** The current state of messages changed after `after`, through position `through`; `more`: ask again after it. */
  | { type: "changes"; messages: ChatMessage[]; through: number; more: boolean }
  /**
   * To the moderator who banned: whom the ban refuses (`user`: a sub, or `address:…` for an anonymous member; what
   * `unban` takes) and until when (absent: until unbanned).
   */
  | { type: "banned"; id?: number; name?: string; user: string; until?: number }
  /**
   * To a moderator, instead of banning: everyone the ban would remove now (`removes`, its target's connections
   * included), for a `preview`, or for a ban that removes others besides its target and was not confirmed. To ban,
   * send the ban again with `confirm` holding the ids in `removes`.
   */
  | { type: "ban_preview"; target: Member | { user: string }; removes: Member[] }
  /** To the moderator who lifted a ban. */
  | { type: "unbanned"; user: string }
  /**
   * To the moderator who muted: whom the mute silences (`user`: a sub, or `address:…` for an anonymous member; what
   * `unmute` takes) and until when (absent: until unmuted).
   */
  | { type: "muted"; id?: number; name?: string; user: string; until?: number }
  /** To the moderator who lifted a mute. */
  | { type: "unmuted"; user: string }
  /**
   * To each connection of a member a moderator muted (`muted: true`, until when, why) or unmuted. A timed mute's end
   * is not announced: a client ends it at `until` itself.
   */
  | ({ type: "mute_status"; muted: boolean } & MuteState)
  /**
   * To every member, when a moderator or the admin API changed the room's settings: all of them as they are now;
   * `changed`, the fields whose value changed (empty if none did).
   */
  | { type: "settings"; settings: RoomSettings; changed: (keyof RoomSettings)[] }
  | ({ type: "error" } & ProtocolError);

/** The tutorial client's packets from the server. Extra fields are allowed by that client and carried for others. */
export type TutorialServerPacket =
  | { type: "server_message"; message: string; code?: ErrorCode; retryAfterMs?: number }
  | { type: "chat_message"; name: string; message: string; id: number; seq: number; ts: number };
