// The Worker's bindings. `npm run types` generates those that wrangler.toml declares (the rooms and their shards,
// the static assets, the upgrade rate limit, the settings of `[vars]`) into worker-configuration.d.ts, and
// `npm test` fails when that file no longer matches wrangler.toml; here, what wrangler.toml cannot declare.
import type { SettingName } from "./settings";

export type Env = Cloudflare.Env & Unlisted & Partial<Record<SettingName, string | number>>;

/** The secrets, and the bindings a deployment may leave out. */
export interface Unlisted {
  /** WebSocket upgrades per client address, across all rooms (`[[ratelimits]]`); without it, no such limit. */
  UPGRADE_LIMIT?: RateLimit;
  /** Reads of a room's look or the directory per client address (`[[ratelimits]]`); without it, no such limit. */
  READ_LIMIT?: RateLimit;
  /** Analytics Engine, where rooms write their counters (`[[analytics_engine_datasets]]`); without it, none are. */
  ROOM_METRICS?: AnalyticsEngineDataset;
  /** Comma-separated words and phrases every room refuses (config/settings.ts); unset: none. */
  BLOCKED_WORDS?: string;
  /** Comma-separated origins whose pages may connect (besides this Worker's own); unset: any. */
  ALLOWED_ORIGINS?: string;
  /** The secret that signs members' tokens (`wrangler secret put AUTH_SECRET`); unset: tokens are ignored. */
  AUTH_SECRET?: string;
  /** The secret that admin API requests bear (`wrangler secret put ADMIN_TOKEN`); unset: no admin API. */
  ADMIN_TOKEN?: string;
  /** A secret that may only publish (`POST /api/rooms/<name>/messages`); unset: only ADMIN_TOKEN publishes. */
  PUBLISH_TOKEN?: string;
  /** "open" (default): a token is optional; "token": every connection needs one. */
  ROOM_ACCESS?: string;
  /** Where rooms send their events (webhook-settings.ts); unset: no webhooks. */
  WEBHOOK_URL?: string;
  /** The key webhooks are signed with, `whsec_<base64>` (`wrangler secret put WEBHOOK_SECRET`). */
  WEBHOOK_SECRET?: string;
}
