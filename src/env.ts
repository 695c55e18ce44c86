import type { ChatRoom } from "./room";
import type { SettingName } from "./config";

export type Env = {
  ROOMS: DurableObjectNamespace<ChatRoom>;
  ASSETS: Fetcher;
} & Partial<Record<SettingName, string | number>>;
