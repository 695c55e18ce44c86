// Vitest's global setup: builds the browser client's bundle (static/app.js) once, before any test starts a
// `wrangler dev`. Each of those servers runs the same build as it starts (wrangler.toml [build]), and finds the
// bundle newer than every source, so it writes nothing: end-to-end files can then run side by side without one
// server rewriting the bundle while another serves it.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

export default function setup(): void {
  execFileSync(process.execPath, [resolve(import.meta.dirname, "../../tools/build-client.mjs")], { stdio: "inherit" });
}
