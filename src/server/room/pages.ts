// What the room tells one member about itself: its welcome, and the pages of history, of changes and of members it
// asks for later. Each is cut to the frames its client takes (connections/frame-fit.ts), with `more` set where the
// member is to ask for the rest.

import type { ClientRequest, Limits, MuteState, ServerPacket } from "../../shared/protocol";
import { CHANGES_FIELDS_BYTES, fitHistory, fitMembers, fitWelcome, frameLimit } from "../connections/frame-fit";
import type { JoinedSession, RoomSocket } from "../connections/session";
import type { Sessions } from "../connections/sessions";
import type { MessageChanges } from "../storage/message-changes";
import type { RoomStorage } from "../storage/room-storage";
import type { SettingsStore } from "../storage/settings-store";

/** What the pages are read from. */
export interface PagedRoom {
  limits: Limits;
  historyOnJoin: number;
  historyPageMaxBytes: number;
  sessions: Sessions<RoomSocket>;
  storage: RoomStorage;
  changes: MessageChanges;
  roomSettings: Pick<SettingsStore, "current">;
}

/**
 * The welcome of a member that just joined: the newest history, or what it missed since `since` (a resume: the
 * messages after it, and those up to it that changed after it, in their state now), and the first members. A room of
 * thousands lists its first members only; the newcomer asks for the rest (`members`) as it needs them. A muted member
 * hears so in it (`muted`).
 */
export function welcomeOf(
  room: PagedRoom,
  joined: JoinedSession,
  since: number | undefined,
  muted?: MuteState,
): Extract<ServerPacket, { type: "welcome" }> {
  const { limits, storage, sessions } = room;
  const page =
    since === undefined ? storage.page(room.historyOnJoin) : storage.page(limits.historyPageMax, { after: since });
  const listed = sessions.membersAfter(0, limits.membersPageMax);
  const maxServerFrameBytes = frameLimit(limits, joined);
  const welcome: Extract<ServerPacket, { type: "welcome" }> = {
    type: "welcome",
    id: joined.id,
    name: joined.name,
    presence: "list",
    members: listed.members,
    moreMembers: listed.more,
    memberCount: sessions.joined().length,
    history: page.messages,
    more: page.more,
    lastSeq: storage.newestSeq,
    limits: { ...limits, maxServerFrameBytes },
    settings: room.roomSettings.current,
    resumeKey: joined.resumeKey,
    ...(muted && { muted }),
  };
  if (since !== undefined) {
    const changed = room.changes.changedSince(since, limits.historyPageMax, room.historyPageMaxBytes, since);
    welcome.changed = changed.messages;
    welcome.moreChanged = changed.more;
  }
  // A tutorial client gets its history one message a frame (codec.ts), and cannot page: it gets all of it.
  return joined.dialect === "native" ? fitWelcome(welcome, maxServerFrameBytes) : welcome;
}

/** A page of history older than `before`, newest kept. */
export function historyPage(
  room: PagedRoom,
  session: JoinedSession,
  request: Extract<ClientRequest, { kind: "history" }>,
): ServerPacket {
  return fitHistory(room.storage.page(request.limit, { before: request.before }), frameLimit(room.limits, session));
}

/**
 * A page of the changes after position `after`: the messages that changed since, in their state now, oldest change
 * first, as many as fit the asker's frames.
 */
export function changesPage(
  room: PagedRoom,
  session: JoinedSession,
  request: Extract<ClientRequest, { kind: "changes" }>,
): ServerPacket {
  const maxBytes = Math.min(room.historyPageMaxBytes, frameLimit(room.limits, session) - CHANGES_FIELDS_BYTES);
  return { type: "changes", ...room.changes.changedSince(request.after, request.limit, maxBytes) };
}

/** A page of the members who joined after `after`, in the order they joined. */
export function membersPage(
  room: PagedRoom,
  session: JoinedSession,
  request: Extract<ClientRequest, { kind: "members" }>,
): ServerPacket {
  return fitMembers(room.sessions.membersAfter(request.after, request.limit), frameLimit(room.limits, session));
}
