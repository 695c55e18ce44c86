// Profiles the room under one scenario: `npx tsx bench/profile.ts --scenario fanout [--scale 1] [--config path]
// [--server durable-door]`. Starts `wrangler dev` (a snapshot of the room without the assets front door, as the
// benchmark runs it, or --config, or with --server durable-door the durable floor behind the room's front door, to
// compare with), attaches to the Worker's V8 inspector through wrangler's inspector port, records a CPU profile while
// the scenario runs, prints the functions with the most self time and writes the profile to
// bench/results/<scenario>-<timestamp>.cpuprofile (open it in Chrome DevTools).

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startDevServer } from "../tools/dev-server.ts";
import { LOAD_VARS } from "./lib/load.ts";
import { wranglerWorkerds } from "./lib/proc.ts";
import { startProfiler } from "./lib/profiler.ts";
import { snapshotProject } from "./lib/snapshot.ts";
import { fmt } from "./lib/stats.ts";
import { runScenario, scenarios } from "./scenarios.ts";

const { values: options } = parseArgs({
  options: {
    scenario: { type: "string", default: "fanout" },
    scale: { type: "string", default: "1" },
    config: { type: "string" },
    server: { type: "string", default: "ours" },
    top: { type: "string", default: "25" },
  },
});
const scenario = scenarios(Number(options.scale)).find((s) => s.name === options.scenario);
if (!scenario) throw new Error(`no scenario ${options.scenario}`);

if (options.server !== "ours" && options.server !== "durable-door")
  throw new Error(`--server is "ours" or "durable-door", not ${options.server}`);
const snapshot = options.config ? undefined : snapshotProject();
const server = await startDevServer({
  config: options.config
    ? resolve(options.config)
    : options.server === "durable-door"
      ? snapshot!.durableDoor
      : snapshot!.withoutAssets,
  vars: LOAD_VARS,
});
try {
  const profiler = await startProfiler(server);
  const { runtime, proxy } = wranglerWorkerds(server.process.pid!);
  const result = await runScenario(
    scenario,
    { label: options.server, wsUrl: server.wsUrl, runtimePid: runtime, proxyPid: proxy },
    1,
  );
  const profile = await profiler.stop();

  console.log(
    `${scenario.name}: ${fmt(result.deliveriesPerSec, 0)} deliveries/s, p99 ${fmt(result.latency.p99)} ms, joins ${fmt(result.joinPhaseMs, 0)} ms (profiler attached: slower than unprofiled)`,
  );
  const total = profile.endTime - profile.startTime;
  const interval = total / Math.max(1, profile.samples.length);
  const self = new Map<string, number>();
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const file = f.url.split("/").slice(-2).join("/");
    const key = `${f.functionName || "(anonymous)"}  ${file}${f.url ? `:${f.lineNumber + 1}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0) * interval);
  }
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(options.top));
  console.log(
    `\nself time, top ${rows.length} of ${fmt(total / 1000, 0)} ms profiled (V8 in the runtime workerd; "(program)" and "(idle)" are outside JS)`,
  );
  for (const [key, us] of rows)
    console.log(`${fmt(us / 1000).padStart(9)} ms  ${fmt((us / total) * 100).padStart(5)}%  ${key}`);
  const out = join(
    import.meta.dirname,
    "results",
    `${scenario.name}-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`,
  );
  mkdirSync(join(out, ".."), { recursive: true });
  writeFileSync(out, JSON.stringify(profile));
  console.log(`\nwrote ${out}`);
} finally {
  await server.dispose();
  snapshot?.dispose();
}
