// A frozen copy of the room's source for one benchmark or fault run. `wrangler dev` watches its sources and
// reloads the Worker when a file changes, dropping every connection; other people edit src/ while the suite runs,
// so the suite runs a snapshot taken when it starts (src/, static/, tools/, wrangler.toml, package.json) instead of
// the live tree. wrangler runs the snapshot from its own directory, so the client bundle is built from the snapshot
// too; node_modules is linked, not copied.
//
// The snapshot has a second config, `withoutAssets`: the same Worker and room without the static-assets front door.
// With `[assets]` and `run_worker_first`, `wrangler dev` puts the assets router (a Worker of its own, the one
// Cloudflare runs in front of such Workers) between the client and our Worker, and every WebSocket passes through
// it. Locally it runs in the room's process, where it costs memory per connection and CPU per frame (measured in
// bench/README.md, server "shipped"). The floors have no such front door, so the benchmark compares the room without it.
//
// The snapshot also holds bench/floor, for `durableDoor`: the durable floor behind the room's own Worker
// (bench/floor/door.ts), which imports the Worker from the snapshot's src/ that way.

import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const PROJECT_ROOT = resolve(import.meta.dirname, "../..");

export function snapshotProject(): {
  config: string;
  withoutAssets: string;
  durableDoor: string;
  dir: string;
  dispose: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), "chat-rooms-snapshot-"));
  for (const entry of ["src", "static", "tools", "wrangler.toml", "package.json", "bench/floor"]) {
    cpSync(join(PROJECT_ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
  const config = join(dir, "wrangler.toml");
  const withoutAssets = join(dir, "wrangler.no-assets.toml");
  writeFileSync(withoutAssets, dropTable(readFileSync(config, "utf8"), "assets"));
  const durableDoor = join(dir, "bench", "floor", "door.toml");
  return { config, withoutAssets, durableDoor, dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The TOML text without the table `[name]` (its header and keys, up to the next table). */
function dropTable(toml: string, name: string): string {
  const lines = toml.split("\n");
  const start = lines.findIndex((line) => line.trim() === `[${name}]`);
  if (start < 0) throw new Error(`wrangler.toml has no [${name}] table`);
  const next = lines.findIndex((line, i) => i > start && line.trimStart().startsWith("["));
  return [...lines.slice(0, start), ...lines.slice(next < 0 ? lines.length : next)].join("\n");
}
