// Bundles the browser client (src/client/main.ts) into static/app.js. wrangler runs this before it serves or
// uploads the assets (wrangler.toml [build]), and `wrangler dev` runs it once more as soon as it starts watching
// src/: so a bundle newer than every source file is left as it is, and that second run costs nothing.

import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const ROOT = resolve(import.meta.dirname, "..");
const OUTFILE = join(ROOT, "static/app.js");
const SOURCES = ["src/client", "src/shared"].map((dir) => join(ROOT, dir));

function newestSource() {
  let newest = statSync(join(ROOT, "package.json")).mtimeMs;
  for (const dir of SOURCES) {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

function bundleTime() {
  try {
    return statSync(OUTFILE).mtimeMs;
  } catch {
    return -Infinity;
  }
}

if (process.argv.includes("--force") || bundleTime() <= newestSource()) {
  await build({
    entryPoints: [join(ROOT, "src/client/main.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: true,
    logLevel: "warning",
    outfile: OUTFILE,
  });
}
