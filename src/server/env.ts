// The Worker's bindings (wrangler.toml): the rooms, the static assets, and the room settings of `[vars]`.
import type { ChatRoom } from "./room";
import type { SettingName } from "./settings";

export type Env = {
  ROOMS: DurableObjectNamespace<ChatRoom>;
  ASSETS: Fetcher;
} & Partial<Record<SettingName, string | number>>;
