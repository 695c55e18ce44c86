// What `GET /api/rooms/<name>` reports of a room (front-door/worker.ts): how many are here and a page of them (a
// room of a million members is never read whole for it), how many are typing, how far its history goes, its own
// settings, the connections it holds, for a room past SHARD_CAPACITY, its shards as the hub sees them, and with
// webhooks on, how their delivery goes (shown to the admin only).

import type { RoomSettings, RosterMember } from "../../shared/protocol";
import type { RoomSocket } from "../connections/session";
import type { Sessions } from "../connections/sessions";
import type { ShardInfo, ShardSet } from "../shards/hub-side";
import type { RoomStorage } from "../storage/room-storage";
import type { WebhookInfo } from "./webhook-queue";

export interface RoomInfo {
  memberCount: number;
  /**
   * A page of the members in the order they joined, those after the member with id `after`, as a `members` request
   * pages them (pages.ts).
   */
  members: RosterMember[];
  /** With more members after this page: the id to ask for the next page after. */
  next?: number;
  /** Members typing now (0 in a room past TYPING_MAX_MEMBERS, where typing is not heard). */
  typing: number;
  lastSeq: number;
  settings: RoomSettings;
  connections: number;
  /** For a room past SHARD_CAPACITY: its shards, as the hub sees them. */
  shards?: ShardInfo[];
  /** With WEBHOOK_URL set: the backlog, why the last attempt failed, how far behind delivery is, what was dropped. */
  webhook?: WebhookInfo;
}

/** Members a look at the room lists unless it asks for more (`?limit=`), and the most it may ask for. */
export const INFO_MEMBERS_DEFAULT = 100;
export const INFO_MEMBERS_MAX = 1000;

/** Which members a look at the room lists: `limit` of them after the member with id `after` (0: from the first). */
export interface MembersPage {
  after: number;
  limit: number;
}

export function roomInfo(
  page: MembersPage,
  sessions: Sessions<RoomSocket>,
  storage: RoomStorage,
  shards: ShardSet,
  typing: number,
  settings: RoomSettings,
  webhook: WebhookInfo | undefined,
): RoomInfo {
  // A page of none (for a caller who may not see who is here) reads none.
  const { members, more } =
    page.limit > 0 ? sessions.membersAfter(page.after, page.limit) : { members: [], more: false };
  const last = members.at(-1);
  const info: RoomInfo = {
    memberCount: sessions.memberCount,
    members,
    ...(more && last && { next: last.id }),
    typing,
    lastSeq: storage.newestSeq,
    settings,
    connections: sessions.size,
  };
  const onShards = shards.info();
  if (onShards.length > 0) info.shards = onShards;
  if (webhook) info.webhook = webhook;
  return info;
}
