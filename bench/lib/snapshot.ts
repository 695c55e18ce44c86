// A frozen copy of the room's source for one benchmark or fault run. `wrangler dev` watches its sources and
// reloads the Worker when a file changes, dropping every connection; other people edit src/ while the suite runs,
// so the suite runs a snapshot taken when it starts (src/, static/, tools/, wrangler.toml, package.json) instead of
// the live tree. wrangler runs the snapshot from its own directory, so the client bundle is built from the snapshot
// too; node_modules is linked, not copied.

import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const PROJECT_ROOT = resolve(import.meta.dirname, "../..");

export function snapshotProject(): { config: string; dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "chat-rooms-snapshot-"));
  for (const entry of ["src", "static", "tools", "wrangler.toml", "package.json"]) {
    cpSync(join(PROJECT_ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
  return { config: join(dir, "wrangler.toml"), dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
