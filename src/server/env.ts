// The Worker's bindings (wrangler.toml): the rooms and their shards, the static assets, the upgrade rate limit, and
// the settings of `[vars]`.
import type { ChatRoom } from "./room";
import type { SettingName } from "./settings";
import type { RoomShard } from "./shard";

export type Env = {
  ROOMS: DurableObjectNamespace<ChatRoom>;
  /** The shards of rooms past SHARD_CAPACITY connections (shard.ts). */
  SHARDS: DurableObjectNamespace<RoomShard>;
  ASSETS: Fetcher;
  /** Comma-separated origins whose pages may connect (besides this Worker's own); unset: any. */
  ALLOWED_ORIGINS?: string;
  /** WebSocket upgrades per client address, across all rooms (`[[ratelimits]]`); without it, no such limit. */
  UPGRADE_LIMIT?: RateLimit;
  /** The secret that signs members' tokens (`wrangler secret put AUTH_SECRET`); unset: tokens are ignored. */
  AUTH_SECRET?: string;
  /** The secret that admin API requests bear (`wrangler secret put ADMIN_TOKEN`); unset: no admin API. */
  ADMIN_TOKEN?: string;
  /** "open" (default): a token is optional; "token": every connection needs one. */
  ROOM_ACCESS?: string;
} & Partial<Record<SettingName, string | number>>;
