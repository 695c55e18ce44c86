// The benchmark: `npm run bench [-- options]`. Starts `wrangler dev` for the room ("ours"), the naive floor and the
// durable floor (bench/floor), runs every scenario against each, alternating (A B C, then C B A, …) for --runs
// rounds, prints tables and writes everything to bench/results/<timestamp>.json. See bench/README.md.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import { type DevServer, startDevServer } from "../tools/dev-server.ts";
import { closeAll, joinAll, LOAD_VARS, LoadClient, settle } from "./lib/load.ts";
import { cpuMs, rssBytes, wranglerWorkerds } from "./lib/proc.ts";
import { snapshotProject } from "./lib/snapshot.ts";
import { best, fmt, median, sleep } from "./lib/stats.ts";
import { MEGAROOM_MEMBERS, MEGAROOM_OBJECTS, type MegaroomRow, megaroomTable, runMegaroom } from "./megaroom.ts";
import { runScenario, type ScenarioResult, scenarios, type Target } from "./scenarios.ts";

const BENCH_DIR = import.meta.dirname;

/** The room with its rate limit out of the way: the load measures the room, not the limiter. */

const { values: options } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    scenario: { type: "string" },
    servers: { type: "string", default: "ours,floor,durable" },
    scale: { type: "string", default: "1" },
    "ours-config": { type: "string" },
    "ours-label": { type: "string", default: "ours" },
    "exp-config": { type: "string" },
    out: { type: "string" },
    "no-memory": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});

if (options.help) {
  console.log(`npm run bench -- [options]
  --runs N            rounds of every scenario on every server (default 5)
  --scenario a,b      only these scenarios (${[...scenarios(1).map((s) => s.name), "megaroom"].join(", ")}); the
                      megaroom runs on the room alone, on 1, 2, 4 and 8 objects (megaroom.ts)
  --servers a,b       any of ours, floor (the naive floor), durable (the durable floor) (default all three); also
                      "tokens": the room with AUTH_SECRET and
                      ROOM_ACCESS=token, every client joining with a token of its own (the cost of verifying them);
                      "shipped": the room behind the static-assets front door, as wrangler.toml has it ("ours",
                      like the floors, has none: see lib/snapshot.ts)
  --scale X           multiply message counts and durations by X (e.g. 0.25 for a quick pass)
  --ours-config PATH  wrangler config for "ours" (e.g. an experimental copy of the room)
  --ours-label NAME   label for "ours" in the output
  --exp-config PATH   with --servers ours,exp (or ours,exp,floor): a third server "exp" from this config, run
                      alternating with the others, to measure a proposed change against the room as it is
  --no-memory         skip the memory measurement (a fresh server per kind, 1,000 members joined)
  --out PATH          JSON output (default bench/results/<timestamp>.json)`);
  process.exit(0);
}

const runs = Math.max(1, Number(options.runs));
const scale = Number(options.scale);
const wanted = options.scenario?.split(",");
const chosen = scenarios(scale).filter((s) => !wanted || wanted.includes(s.name));
const megaroomWanted = !wanted || wanted.includes("megaroom");
if (chosen.length === 0 && !megaroomWanted) throw new Error(`no scenario matches ${options.scenario}`);
const serverKinds = options.servers!.split(",");

interface Running {
  label: string;
  server: DevServer;
  target: Target;
}

async function start(kind: string): Promise<Running> {
  const server =
    kind === "floor"
      ? await startDevServer({ config: join(BENCH_DIR, "floor/wrangler.toml") })
      : kind === "durable"
        ? await startDevServer({ config: join(BENCH_DIR, "floor/durable.toml") })
        : kind === "exp"
          ? await startDevServer({ vars: LOAD_VARS, config: resolve(options["exp-config"] ?? "missing --exp-config") })
          : kind === "tokens"
            ? await startDevServer({
                vars: { ...LOAD_VARS, AUTH_SECRET: TOKEN_SECRET, ROOM_ACCESS: "token" },
                config: snapshot.withoutAssets,
              })
            : kind === "shipped"
              ? await startDevServer({ vars: LOAD_VARS, config: snapshot.config })
              : await startDevServer({
                  vars: LOAD_VARS,
                  config: options["ours-config"] ? resolve(options["ours-config"]) : snapshot.withoutAssets,
                });
  const { runtime, proxy } = wranglerWorkerds(server.process.pid!);
  if (!runtime) throw new Error(`no workerd found under wrangler (${kind})`);
  const label = kind === "ours" ? options["ours-label"]! : kind;
  const target: Target = { label, wsUrl: server.wsUrl, runtimePid: runtime, proxyPid: proxy };
  if (kind === "tokens") target.tokenFor = mintToken;
  return { label, server, target };
}

/** The "tokens" server's secret, and a token of its own for each client, as a game's backend would sign it. */
const TOKEN_SECRET = randomBytes(32).toString("hex");
const mintToken = (name: string): Promise<string> =>
  new SignJWT({ name })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(name)
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(TOKEN_SECRET));

const prune = ({ runtime, proxy }: { runtime?: number; proxy?: number }) => ({ runtimePid: runtime, proxyPid: proxy });

/** Waits until the runtime has been (nearly) idle for half a second, e.g. after 1,000 clients closed. */
async function waitIdle(target: Target, maxMs = 30_000): Promise<void> {
  if (!target.runtimePid) return sleep(500);
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const before = cpuMs(target.runtimePid) + (target.proxyPid ? cpuMs(target.proxyPid) : 0);
    await sleep(500);
    const used = cpuMs(target.runtimePid) + (target.proxyPid ? cpuMs(target.proxyPid) : 0) - before;
    if (used <= 30) return;
  }
}

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
const loadBefore = loadAverage();
const started = new Date();
console.log(
  `bench: ${chosen.map((s) => s.name).join(", ")} on ${serverKinds.join(", ")}, ${runs} run(s), scale ${scale}`,
);
const snapshot = snapshotProject();

// The megaroom first: one server of ours per object count, no floors (megaroom.ts).
let megaroom: MegaroomRow[] = [];
if (megaroomWanted) {
  console.log(`megaroom: ${MEGAROOM_MEMBERS} members on ${MEGAROOM_OBJECTS.join(", ")} objects`);
  megaroom = await runMegaroom(runs, scale);
  console.log(`\nMegaroom (medians of ${runs} runs)\n\n${megaroomTable(megaroom)}\n`);
  if (chosen.length === 0) {
    const out =
      options.out ?? join(BENCH_DIR, "results", `megaroom-${started.toISOString().replace(/[:.]/g, "-")}.json`);
    mkdirSync(join(out, ".."), { recursive: true });
    writeFileSync(out, JSON.stringify({ startedAt: started.toISOString(), runs, scale, megaroom }, null, 1));
    console.log(`wrote ${out}`);
    snapshot.dispose();
    const faults = megaroom.reduce(
      (sum, row) => sum + row.result.lost + row.result.duplicates + row.result.reordered,
      0,
    );
    process.exit(faults === 0 ? 0 : 1);
  }
}

// Memory: on a fresh server of each kind (a used one keeps the heap it grew), the runtime workerd's RSS before and
// after 1,000 members joined one room, and after they left again.
const memory: Record<
  string,
  { members: number; before: number; joined: number; left: number; perMemberBytes: number }
> = {};
if (!options["no-memory"]) {
  for (const kind of serverKinds) {
    const running = await start(kind);
    try {
      const pid = running.target.runtimePid!;
      await sleep(1000);
      const before = rssBytes(pid);
      const url = `${running.target.wsUrl}/rooms/memory`;
      const clients = Array.from({ length: 1000 }, (_, i) => new LoadClient({ url, name: `mem${i}` }));
      await joinAll(clients, 50);
      await settle(500, 120_000);
      const joined = rssBytes(pid);
      await closeAll(clients);
      await waitIdle(running.target);
      const left = rssBytes(pid);
      memory[running.label] = {
        members: clients.length,
        before,
        joined,
        left,
        perMemberBytes: (joined - before) / clients.length,
      };
      console.log(
        `  memory ${running.label.padEnd(6)} runtime workerd RSS ${fmt(before / 2 ** 20)} MB -> ${fmt(joined / 2 ** 20)} MB with 1,000 members ` +
          `(${fmt((joined - before) / 1000 / 1024)} KiB per member); ${fmt(left / 2 ** 20)} MB after they left`,
      );
    } finally {
      await running.server.dispose();
    }
  }
}

const servers: Running[] = [];
for (const kind of serverKinds) servers.push(await start(kind));
const results: ScenarioResult[] = [];
const failures: string[] = [];
try {
  for (let run = 1; run <= runs; run++) {
    for (const scenario of chosen) {
      // Alternate who goes first, so that neither always runs on a warmer (or more fragmented) machine.
      const order = run % 2 === 1 ? servers : [...servers].reverse();
      for (const { target, server } of order) {
        // wrangler may have restarted its workerd processes since: look them up again.
        Object.assign(
          target,
          { runtimePid: undefined, proxyPid: undefined },
          prune(wranglerWorkerds(server.process.pid!)),
        );
        await waitIdle(target);
        const t0 = Date.now();
        try {
          const result = await runScenario(scenario, target, run);
          results.push(result);
          console.log(
            `  run ${run} ${scenario.name.padEnd(7)} ${target.label.padEnd(6)} ${fmt(result.deliveriesPerSec, 0).padStart(8)} deliveries/s, ` +
              `p99 ${fmt(result.latency.p99)} ms, join p99 ${fmt(result.join.p99)} ms, lost ${result.lost}, dup ${result.duplicates}, ` +
              `reordered ${result.reordered}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
          );
        } catch (error) {
          failures.push(`run ${run} ${scenario.name} ${target.label}: ${String(error)}`);
          console.log(`  run ${run} ${scenario.name} ${target.label}: FAILED ${String(error)}`);
        }
      }
    }
  }
} finally {
  for (const { server } of servers) await server.dispose();
  snapshot.dispose();
}

// ---------------------------------------------------------------------------------------------------------------
// Summary

type Row = Record<string, string>;
function table(rows: Row[]): string {
  if (rows.length === 0) return "";
  const keys = Object.keys(rows[0]!);
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => (r[k] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join("  ");
  return [
    line(keys),
    line(width.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(keys.map((k) => r[k] ?? ""))),
  ].join("\n");
}

const pick = (scenario: string, server: string) =>
  results.filter((r) => r.scenario === scenario && r.server === server);
const summary: Record<string, any> = {};
const rows: Row[] = [];
for (const scenario of chosen) {
  summary[scenario.name] = {};
  for (const { label } of servers) {
    const rs = pick(scenario.name, label);
    if (rs.length === 0) continue;
    const s = {
      runs: rs.length,
      deliveriesPerSec: {
        best: best(
          rs.map((r) => r.deliveriesPerSec),
          true,
        ),
        median: median(rs.map((r) => r.deliveriesPerSec)),
      },
      p50: {
        best: best(
          rs.map((r) => r.latency.p50),
          false,
        ),
        median: median(rs.map((r) => r.latency.p50)),
      },
      p95: {
        best: best(
          rs.map((r) => r.latency.p95),
          false,
        ),
        median: median(rs.map((r) => r.latency.p95)),
      },
      p99: {
        best: best(
          rs.map((r) => r.latency.p99),
          false,
        ),
        median: median(rs.map((r) => r.latency.p99)),
      },
      max: { median: median(rs.map((r) => r.latency.max)) },
      joinP50: { median: median(rs.map((r) => r.join.p50)) },
      joinP99: {
        best: best(
          rs.map((r) => r.join.p99),
          false,
        ),
        median: median(rs.map((r) => r.join.p99)),
      },
      joinPhaseMs: { median: median(rs.map((r) => r.joinPhaseMs)) },
      joinSettleMs: { median: median(rs.map((r) => r.joinSettleMs)) },
      joinFrames: { median: median(rs.map((r) => r.joinFrames)) },
      cpuPerKDelivery: {
        runtime: median(rs.map((r) => r.cpuPerKDelivery.runtime)),
        proxy: median(rs.map((r) => r.cpuPerKDelivery.proxy)),
      },
      joinCpuMs: {
        runtime: median(rs.map((r) => r.joinCpuMs.runtime)),
        proxy: median(rs.map((r) => r.joinCpuMs.proxy)),
      },
      lost: rs.reduce((a, r) => a + r.lost, 0),
      duplicates: rs.reduce((a, r) => a + r.duplicates, 0),
      reordered: rs.reduce((a, r) => a + r.reordered, 0),
      errors: rs.reduce((a, r) => a + r.errors, 0),
      // Only meaningful on a fresh server (see the memory phase); kept for reference.
      rssPerMemberBytes: { median: median(rs.map((r) => (r.rssJoined - r.rssBefore) / r.members)) },
    };
    summary[scenario.name][label] = s;
    rows.push({
      scenario: scenario.name,
      server: label,
      runs: String(s.runs),
      "deliv/s best": fmt(s.deliveriesPerSec.best, 0),
      "deliv/s med": fmt(s.deliveriesPerSec.median, 0),
      "p50 ms": fmt(s.p50.median),
      "p95 ms": fmt(s.p95.median),
      "p99 ms": fmt(s.p99.median),
      "p99 best": fmt(s.p99.best),
      "max ms": fmt(s.max.median),
      "join p50": fmt(s.joinP50.median),
      "join p99": fmt(s.joinP99.median),
      "joins ms": fmt(s.joinPhaseMs.median, 0),
      "settle ms": fmt(s.joinSettleMs.median, 0),
      "cpu/1k": fmt(s.cpuPerKDelivery.runtime),
      lost: String(s.lost),
      dup: String(s.duplicates),
      reord: String(s.reordered),
      err: String(s.errors),
    });
  }
}

console.log(
  `\nPer scenario and server (medians over runs unless "best"; latency = send call to receipt, ms; ` +
    `"joins ms" = time for all to join; "settle ms" = until presence traffic stops; cpu/1k = runtime workerd CPU ms per 1,000 deliveries)\n`,
);
console.log(table(rows));

const oursLabel = options["ours-label"]!;
const checks: { name: string; value: number; target: string; pass: boolean }[] = [];

/** `a` against `b`, per scenario: throughput (higher is better) and latency (lower is better) ratios. */
function ratiosOf(a: string, b: string): { rows: Row[]; byScenario: Record<string, Record<string, number>> } {
  const rows: Row[] = [];
  const byScenario: Record<string, Record<string, number>> = {};
  for (const scenario of chosen) {
    const x = summary[scenario.name][a];
    const y = summary[scenario.name][b];
    if (!x || !y) continue;
    const r = {
      throughputBest: x.deliveriesPerSec.best / y.deliveriesPerSec.best,
      throughputMedian: x.deliveriesPerSec.median / y.deliveriesPerSec.median,
      p50Median: x.p50.median / y.p50.median,
      p99Best: x.p99.best / y.p99.best,
      p99Median: x.p99.median / y.p99.median,
      joinP99Median: x.joinP99.median / y.joinP99.median,
      joinPhaseMedian: x.joinPhaseMs.median / y.joinPhaseMs.median,
    };
    byScenario[scenario.name] = r;
    rows.push({
      scenario: scenario.name,
      "deliv/s best": fmt(r.throughputBest, 2),
      "deliv/s median": fmt(r.throughputMedian, 2),
      "p50 median": fmt(r.p50Median, 2),
      "p99 best": fmt(r.p99Best, 2),
      "p99 median": fmt(r.p99Median, 2),
      "join p99 median": fmt(r.joinP99Median, 2),
      "joins ms median": fmt(r.joinPhaseMedian, 2),
    });
  }
  if (rows.length) {
    console.log(`\n${a} / ${b} (throughput: higher is better; latency: lower is better)\n`);
    console.log(table(rows));
  }
  return { rows, byScenario };
}

const vsFloor = ratiosOf(oursLabel, "floor").byScenario;
const vsDurable = ratiosOf(oursLabel, "durable").byScenario;
const durableVsFloor = ratiosOf("durable", "floor").byScenario;
for (const [name, ratios] of Object.entries(vsFloor)) Object.assign(summary[name], { ratio: ratios });
for (const [name, ratios] of Object.entries(vsDurable)) Object.assign(summary[name], { ratioDurable: ratios });
for (const [name, ratios] of Object.entries(durableVsFloor)) Object.assign(summary[name], { durableRatio: ratios });

const target = (name: string, value: number | undefined, goal: string, pass: (v: number) => boolean) => {
  if (value !== undefined) checks.push({ name, value, target: goal, pass: pass(value) });
};
target("fanout deliveries/s vs floor (best-of-N)", vsFloor.fanout?.throughputBest, ">= 1.2", (v) => v >= 1.2);
target("fanout deliveries/s vs floor (median)", vsFloor.fanout?.throughputMedian, ">= 1.2", (v) => v >= 1.2);
target("chatty p99 vs floor (best-of-N)", vsFloor.chatty?.p99Best, "<= 1.2", (v) => v <= 1.2);
target("chatty p99 vs floor (median)", vsFloor.chatty?.p99Median, "<= 1.2", (v) => v <= 1.2);
target(
  "fanout deliveries/s vs durable floor (best-of-N)",
  vsDurable.fanout?.throughputBest,
  ">= 0.95",
  (v) => v >= 0.95,
);
target(
  "fanout deliveries/s vs durable floor (median)",
  vsDurable.fanout?.throughputMedian,
  ">= 0.95",
  (v) => v >= 0.95,
);
target("chatty p99 vs durable floor (median)", vsDurable.chatty?.p99Median, "<= 1.1", (v) => v <= 1.1);
target("rooms p99 vs durable floor (median)", vsDurable.rooms?.p99Median, "<= 1.2", (v) => v <= 1.2);

// A proposed change ("exp") against the room as it is.
for (const [name, ratios] of Object.entries(ratiosOf("exp", oursLabel).byScenario))
  Object.assign(summary[name], { expRatio: ratios });
if (memory.exp && memory[oursLabel]) {
  console.log(
    `exp / ${oursLabel} memory per member (fresh server): ${fmt(memory.exp.perMemberBytes / memory[oursLabel]!.perMemberBytes, 2)}`,
  );
}
const oursResults = results.filter((r) => r.server === oursLabel);
if (memory[oursLabel] && memory.floor) {
  target(
    "memory per member at 1,000 members vs floor",
    memory[oursLabel]!.perMemberBytes / memory.floor.perMemberBytes,
    "<= 1.1",
    (v) => v <= 1.1,
  );
}
const totalLost = [...results, ...megaroom.map((row) => row.result)].reduce(
  (a, r) => a + r.lost + r.duplicates + r.reordered,
  0,
);
checks.push({
  name: "loss + duplicates + reordering, every run of every server",
  value: totalLost,
  target: "= 0",
  pass: totalLost === 0,
});
if (Object.keys(memory).length) {
  console.log(
    `\nMemory: runtime workerd RSS per joined member at 1,000 members (fresh server): ` +
      Object.entries(memory)
        .map(([k, v]) => `${k} ${fmt(v.perMemberBytes / 1024)} KiB`)
        .join(", "),
  );
}
console.log(`\nTargets\n`);
console.log(
  table(
    checks.map((c) => ({ check: c.name, value: fmt(c.value, 2), target: c.target, result: c.pass ? "PASS" : "MISS" })),
  ),
);
if (failures.length) console.log(`\nFailed runs:\n  ${failures.join("\n  ")}`);

let commit = "";
try {
  commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: BENCH_DIR, encoding: "utf8" }).trim();
} catch {
  // Not a git checkout.
}
const out = options.out ?? join(BENCH_DIR, "results", `${started.toISOString().replace(/[:.]/g, "-")}.json`);
mkdirSync(join(out, ".."), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    {
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      options: {
        runs,
        scale,
        scenarios: chosen,
        servers: serverKinds,
        oursConfig: options["ours-config"] ?? null,
        loadVars: LOAD_VARS,
      },
      environment: {
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        commit,
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadAverage(),
      },
      summary,
      megaroom,
      memory,
      checks,
      failures,
      results,
      oursRuns: oursResults.length,
    },
    null,
    2,
  ),
);
console.log(`\nwrote ${out}`);
process.exit(failures.length ? 1 : 0);
