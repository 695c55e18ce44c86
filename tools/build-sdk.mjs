// Builds the package entry `edge-chat-rooms/client` (package.json "exports") into sdk/: one ES module bundle of
// src/client/index.ts, for any JavaScript runtime, and its TypeScript declarations. Run by `npm install` (prepare)
// and before the tests; sdk/ is not committed.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const ROOT = resolve(import.meta.dirname, "..");
const OUT = join(ROOT, "sdk");

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: [join(ROOT, "src/client/index.ts")],
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  sourcemap: true,
  logLevel: "warning",
  outfile: join(OUT, "client.js"),
});
execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.sdk.json")], {
  stdio: "inherit",
});

// The sources import each other without extensions, as a bundler resolves them; a Node ESM consumer's TypeScript
// needs the extension in the declarations it reads.
for (const entry of readdirSync(join(OUT, "types"), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
  const path = join(entry.parentPath, entry.name);
  const text = readFileSync(path, "utf8").replace(/(from\s+"\.{1,2}\/[^"]+?)(?<!\.js)"/g, '$1.js"');
  writeFileSync(path, text);
}
