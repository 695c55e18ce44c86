// The Worker's bindings (wrangler.toml): the rooms, the static assets, and the room settings of `[vars]`.
import type { ChatRoom } from "./room";
import type { SettingName } from "./settings";

export type Env = {
  ROOMS: DurableObjectNamespace<ChatRoom>;
  ASSETS: Fetcher;
  /** Comma-separated origins whose pages may connect (besides this Worker's own); unset: any. */
  ALLOWED_ORIGINS?: string;
} & Partial<Record<SettingName, string | number>>;
