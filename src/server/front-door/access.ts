// Who may join a room, as the Worker reads it from its settings: anyone (`ROOM_ACCESS = "open"`), or only those
// with a token signed with AUTH_SECRET (`"token"`); with the limits a token's name and life are checked against.

import type { Env } from "../config/env";
import { readSettings } from "../config/settings";
import type { AccessSettings } from "../connections/identity";

export function accessSettings(env: Env): AccessSettings {
  const access = env.ROOM_ACCESS ?? "open";
  if (access !== "open" && access !== "token")
    throw new Error(`setting ROOM_ACCESS must be "open" or "token", not ${JSON.stringify(access)}`);
  const { limits, maxTokenLifeSeconds } = readSettings(env);
  return { secret: env.AUTH_SECRET || undefined, access, limits, maxTokenLifeSeconds };
}
