// The settings a server of the fault suite runs with: its wrangler config's `[vars]`, the vars the test starts it
// with (LOAD_VARS, AUTH_SECRET…) and SHARD_CAPACITY from the environment, read by the room's own `readSettings`
// (src/server/config/settings.ts, which fills in the defaults of src/shared/protocol.ts). Every bound the suite
// checks is derived from these, never from a copy of them. The room's modules are written for bundler resolution,
// so the fault suite is type-checked with tsconfig.token.json.

import { readFileSync } from "node:fs";
import { type RoomSettings, readSettings } from "../../src/server/config/settings";

export type { RoomSettings };

/** What a server of `config` started with `vars` enforces. */
export function roomSettings(config: string, vars: Record<string, string | number> = {}): RoomSettings {
  const sharded = process.env.SHARD_CAPACITY ? { SHARD_CAPACITY: process.env.SHARD_CAPACITY } : {};
  return readSettings({ ...tomlTable(readFileSync(config, "utf8"), "vars"), ...sharded, ...vars });
}

/** The config's `[[ratelimits]] UPGRADE_LIMIT`: upgrades one address may make per period, before any room. */
export function upgradeLimit(config: string): { limit: number; periodSeconds: number } {
  const toml = readFileSync(config, "utf8");
  const match = /name\s*=\s*"UPGRADE_LIMIT"[^[]*?simple\s*=\s*\{\s*limit\s*=\s*(\d+)\s*,\s*period\s*=\s*(\d+)/.exec(
    toml,
  );
  if (!match) throw new Error(`${config} has no UPGRADE_LIMIT rate limit`);
  return { limit: Number(match[1]), periodSeconds: Number(match[2]) };
}

/** The `KEY = value` lines of the TOML table `[name]` (numbers and strings, as `[vars]` holds). */
function tomlTable(toml: string, name: string): Record<string, string> {
  const table: Record<string, string> = {};
  let inside = false;
  for (const line of toml.split("\n")) {
    const trimmed = line.trim();
    if (trimmed.startsWith("[")) inside = trimmed === `[${name}]`;
    const entry = inside ? /^([A-Z_][A-Z0-9_]*)\s*=\s*(?:"([^"]*)"|([^#\s]+))/.exec(trimmed) : null;
    if (entry) table[entry[1]!] = entry[2] ?? entry[3]!;
  }
  return table;
}
