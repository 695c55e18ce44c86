// What `GET /api/rooms/<name>` reports of a room (front-door/worker.ts): who is here, how many are typing,
// how far its history goes, its own settings, the connections it holds, for a room past SHARD_CAPACITY, its shards as the hub sees
// them, and with webhooks on, how their delivery goes (shown to the admin only).

import type { RoomSettings, RosterMember } from "../../shared/protocol";
import type { RoomSocket } from "../connections/session";
import type { Sessions } from "../connections/sessions";
import type { ShardInfo, ShardSet } from "../shards/hub-side";
import type { RoomStorage } from "../storage/room-storage";
import type { WebhookInfo } from "./webhook-queue";

export interface RoomInfo {
  members: RosterMember[];
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

export function roomInfo(
  sessions: Sessions<RoomSocket>,
  storage: RoomStorage,
  shards: ShardSet,
  typing: number,
  settings: RoomSettings,
  webhook: WebhookInfo | undefined,
): RoomInfo {
  const info: RoomInfo = {
    members: sessions.members(),
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
