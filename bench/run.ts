// The benchmark: `npm run bench [-- options]`. Starts `wrangler dev` for the room ("ours"), the naive floor, the
// durable floor and the durable floor behind the room's front door (bench/floor), runs every scenario against each,
// alternating (A B C, then C B A, …) for --runs rounds, prints tables and writes everything to
// bench/results/<timestamp>.json. See bench/README.md.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import { type DevServer, type DevServerOptions, startDevServer } from "../tools/dev-server.ts";
import { costRows, meter } from "./lib/cost-meter.ts";
import { closeAll, joinAll, LOAD_VARS, LoadClient, settle } from "./lib/load.ts";
import { PRICES_READ } from "./lib/prices.ts";
import { cpuMs, rssBytes, wranglerWorkerds } from "./lib/proc.ts";
import { snapshotProject } from "./lib/snapshot.ts";
import { fmt, sleep } from "./lib/stats.ts";
import { changesComparison, type Ratios, ratiosOf, summarize, targets, typingComparison } from "./lib/summary.ts";
import { table } from "./lib/table.ts";
import { startWebhookReceiver, type WebhookReceiver } from "./lib/webhook-receiver.ts";
import { MEGAROOM_MEMBERS, MEGAROOM_OBJECTS, type MegaroomRow, megaroomTable, runMegaroom } from "./megaroom.ts";
import { runScenario, type Scenario, type ScenarioResult, scenarios, type Target } from "./scenarios.ts";

const BENCH_DIR = import.meta.dirname;

const { values: options } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    scenario: { type: "string" },
    servers: { type: "string", default: "ours,floor,durable,durable-door" },
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
  --servers a,b       any of ours, floor (the naive floor), durable (the durable floor), durable-door (the durable
                      floor behind the room's own Worker front door: floor/door.ts) (default all four); also
                      "tokens": the room with AUTH_SECRET and
                      ROOM_ACCESS=token, every client joining with a token of its own (the cost of verifying them);
                      "shipped": the room behind the static-assets front door, as wrangler.toml has it ("ours",
                      like the floors, has none: see lib/snapshot.ts); "webhooks": the room with its webhooks on,
                      sending every event to a receiver in this process (lib/webhook-receiver.ts)
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
const all = scenarios(scale);
// A scenario compared with another (`compareTo`: reactions with reactions-off, typing with typing-off) brings it along.
const chosen = all.filter(
  (s) => !wanted || wanted.includes(s.name) || all.some((t) => t.compareTo === s.name && wanted.includes(t.name)),
);
const megaroomWanted = !wanted || wanted.includes("megaroom");
if (chosen.length === 0 && !megaroomWanted) throw new Error(`no scenario matches ${options.scenario}`);
const serverKinds = options.servers!.split(",");

interface Running {
  kind: string;
  label: string;
  server: DevServer;
  target: Target;
}

/** The floors, which know no edits, reactions or typing (scenarios marked `oursOnly` skip them). */
const FLOORS = ["floor", "durable", "durable-door"];

/** How each kind of server is started: its wrangler config and the settings it runs with. */
/** Every server's admin token, for the cost meter to read the counters of a scenario's rooms (lib/cost-meter.ts). */
const ADMIN_TOKEN = randomBytes(16).toString("hex");
const OURS_VARS = { ...LOAD_VARS, ADMIN_TOKEN };

async function devServerOptions(kind: string): Promise<DevServerOptions> {
  switch (kind) {
    case "floor":
      return { config: join(BENCH_DIR, "floor/wrangler.toml") };
    case "durable":
      return { config: join(BENCH_DIR, "floor/durable.toml"), vars: { ADMIN_TOKEN } };
    case "durable-door":
      // The room's Worker reads the room's settings on every upgrade: the same ones as ours.
      return { vars: OURS_VARS, config: snapshot.durableDoor };
    case "exp":
      return { vars: OURS_VARS, config: resolve(options["exp-config"] ?? "missing --exp-config") };
    case "tokens":
      return {
        vars: { ...OURS_VARS, AUTH_SECRET: TOKEN_SECRET, ROOM_ACCESS: "token" },
        config: snapshot.withoutAssets,
      };
    case "shipped":
      return { vars: OURS_VARS, config: snapshot.config };
    case "webhooks":
      return { vars: { ...OURS_VARS, ...(await receiver()).vars }, config: snapshot.withoutAssets };
    default:
      return {
        vars: OURS_VARS,
        config: options["ours-config"] ? resolve(options["ours-config"]) : snapshot.withoutAssets,
      };
  }
}

async function start(kind: string): Promise<Running> {
  const server = await startDevServer(await devServerOptions(kind));
  const { runtime, proxy } = wranglerWorkerds(server.process.pid!);
  if (!runtime) throw new Error(`no workerd found under wrangler (${kind})`);
  const label = kind === "ours" ? options["ours-label"]! : kind;
  const target: Target = { label, wsUrl: server.wsUrl, runtimePid: runtime, proxyPid: proxy };
  if (kind === "tokens") target.tokenFor = mintToken;
  return { kind, label, server, target };
}

/** The "tokens" server's secret, and a token of its own for each client, as a game's backend would sign it. */
const TOKEN_SECRET = randomBytes(32).toString("hex");
const mintToken = (name: string): Promise<string> =>
  new SignJWT({ name })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(name)
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(TOKEN_SECRET));

/** The "webhooks" server's backend, started with it (one for the bench: the memory run's server and the rounds'). */
let webhookReceiver: WebhookReceiver | undefined;
const receiver = async (): Promise<WebhookReceiver> => (webhookReceiver ??= await startWebhookReceiver());

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

/** The scenarios of a round: every other round, a scenario and the one it is compared with swap places. */
function roundOrder(run: number): Scenario[] {
  const order = [...chosen];
  if (run % 2 === 0) {
    for (const scenario of chosen) {
      const i = order.indexOf(scenario);
      const j = order.findIndex((s) => s.name === scenario.compareTo);
      if (j >= 0) [order[i], order[j]] = [order[j]!, order[i]!];
    }
  }
  return order;
}

const servers: Running[] = [];
for (const kind of serverKinds) servers.push(await start(kind));
const results: ScenarioResult[] = [];
const failures: string[] = [];
try {
  for (let run = 1; run <= runs; run++) {
    for (const scenario of roundOrder(run)) {
      // Alternate who goes first, so that neither always runs on a warmer (or more fragmented) machine.
      const order = run % 2 === 1 ? servers : [...servers].reverse();
      for (const { kind, target, server } of order) {
        if (scenario.oursOnly && FLOORS.includes(kind)) continue;
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
          // The leaves of the clients just closed reach the rooms before their counters are read.
          await sleep(300);
          const memberHours = (result.members * (Date.now() - t0)) / 3_600_000;
          const cost = await meter(server.httpUrl, result.rooms, ADMIN_TOKEN, t0, { chats: result.sent, memberHours });
          if (cost) result.cost = cost;
          results.push(result);
          console.log(
            `  run ${run} ${scenario.name.padEnd(7)} ${target.label.padEnd(6)} ${fmt(result.deliveriesPerSec, 0).padStart(8)} deliveries/s, ` +
              `p99 ${fmt(result.latency.p99)} ms, join p99 ${fmt(result.join.p99)} ms, lost ${result.lost}, dup ${result.duplicates}, ` +
              `reordered ${result.reordered}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
          );
          const c = result.changes;
          if (c) {
            console.log(
              `      ${c.reactionsSent} reactions and ${c.editsSent} edits sent in ${fmt(c.seconds)} s; ` +
                `per member: ${fmt(c.reactionsPacketsPerMemberPerSec)} reactions packets/s, ` +
                `${fmt(c.stormPacketsPerMember, 2)} per storm (${c.storms} storms, ${fmt(c.stormBatches, 2)} batches each), ` +
                `${fmt(c.framesPerMemberPerSec)} frames/s; errors ${result.errors}; load generator loop delay p99 ${fmt(c.loopDelayP99)} ms`,
            );
          }
          const t = result.typing;
          if (t) {
            console.log(
              `      ${t.typingSent} typing and ${t.stopsSent} stops sent in ${fmt(t.seconds)} s; per member: ` +
                `${fmt(t.signalsPacketsPerMemberPerSec, 2)} signals frames/s (${fmt(t.signalsBytesPerMemberPerSec, 0)} bytes/s; ` +
                `${fmt(t.typingIdsPerPacket)} typing, ${fmt(t.stoppedIdsPerPacket)} stopped ids each), ` +
                `${fmt(t.framesPerMemberPerSec)} frames/s; errors ${result.errors}; load generator loop delay p99 ${fmt(t.loopDelayP99)} ms`,
            );
          }
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
// Summary (lib/summary.ts, lib/table.ts)

const scenarioNames = chosen.map((s) => s.name);
const { summary, rows } = summarize(
  results,
  scenarioNames,
  servers.map((s) => s.label),
);

console.log(
  `\nPer scenario and server (medians over runs unless "best"; latency = send call to receipt, ms; ` +
    `"joins ms" = time for all to join; "settle ms" = until presence traffic stops; cpu/1k = runtime workerd CPU ms per 1,000 deliveries)\n`,
);
console.log(table(rows));

const oursLabel = options["ours-label"]!;

/** `a` against `b`, per scenario, printed as a table when both ran; returned per scenario. */
function ratios(a: string, b: string): Record<string, Ratios> {
  const { rows, byScenario } = ratiosOf(summary, scenarioNames, a, b, results);
  if (rows.length) {
    console.log(`\n${a} / ${b} (throughput: higher is better; latency: lower is better)\n`);
    console.log(table(rows));
  }
  return byScenario;
}

const vsFloor = ratios(oursLabel, "floor");
const vsDurable = ratios(oursLabel, "durable");
const durableVsFloor = ratios("durable", "floor");
// The same floor and the room, both behind the room's front door: the room's own work per message (issue 26).
const vsDoor = ratios(oursLabel, "durable-door");
const doorVsDurable = ratios("durable-door", "durable");
for (const [name, r] of Object.entries(vsFloor)) Object.assign(summary[name]!, { ratio: r });
for (const [name, r] of Object.entries(vsDurable)) Object.assign(summary[name]!, { ratioDurable: r });
for (const [name, r] of Object.entries(durableVsFloor)) Object.assign(summary[name]!, { durableRatio: r });
for (const [name, r] of Object.entries(vsDoor)) Object.assign(summary[name]!, { ratioDoor: r });
for (const [name, r] of Object.entries(doorVsDurable)) Object.assign(summary[name]!, { doorRatio: r });

// Webhooks (issue 25): the room sending its events to a backend against the room as it is.
for (const [name, r] of Object.entries(ratios("webhooks", oursLabel)))
  Object.assign(summary[name]!, { webhooksRatio: r });
if (webhookReceiver) {
  const { requests, events, unverified } = await webhookReceiver.counts();
  console.log(
    `webhooks: the receiver took ${events} events in ${requests} requests; ${unverified} failed verification`,
  );
  if (unverified > 0) failures.push(`webhooks: ${unverified} requests failed verification`);
  await webhookReceiver.close();
}

// A proposed change ("exp") against the room as it is.
for (const [name, r] of Object.entries(ratios("exp", oursLabel))) Object.assign(summary[name]!, { expRatio: r });
if (memory.exp && memory[oursLabel]) {
  console.log(
    `exp / ${oursLabel} memory per member (fresh server): ${fmt(memory.exp.perMemberBytes / memory[oursLabel]!.perMemberBytes, 2)}`,
  );
}
// Messages that change (issue 23): each scenario with changes against the same chat without, round by round.
const pairs = (twin: (s: Scenario) => boolean) =>
  chosen.flatMap((s) => (s.compareTo && twin(s) ? [{ scenario: s.name, baseline: s.compareTo }] : []));
const changes = changesComparison(
  results,
  pairs((s) => s.changes !== undefined),
  servers.map((s) => s.label),
);
if (changes.rows.length) {
  console.log(
    `\nMessages that change: chat with / without them (ratios: median over rounds of the ratio within each round, ` +
      `range in brackets; "gen loop" = the load generator's event-loop delay, ms, part of every latency)\n`,
  );
  console.log(table(changes.rows));
  console.log(
    `\nMessages that change: what members received of them (medians over runs; a storm = the crowd's reactions to ` +
      `one message within a few ms, gathered per outbox batch)\n`,
  );
  console.log(table(changes.costs));
  for (const [name, byServer] of Object.entries(changes.byScenario))
    Object.assign(summary[name]!, { changes: byServer });
}
// Live signals (issue 24): typing against the same chat with the typists silent, round by round.
const typing = typingComparison(
  results,
  pairs((s) => s.typing !== undefined),
  servers.map((s) => s.label),
);
if (typing.rows.length) {
  console.log(
    `\nLive signals: chat with / without typing (ratios: median over rounds of the ratio within each round, range in ` +
      `brackets; cpu/1k = runtime CPU ms per 1,000 chat deliveries, median over runs; "gen loop" = the load ` +
      `generator's event-loop delay, ms, part of every latency)\n`,
  );
  console.log(table(typing.rows));
  console.log(
    `\nLive signals: what typing costs each member (medians over runs; "signals" packets received during the send ` +
      `phase, bytes = frame payloads; gap = between two signals frames at one member, the room's window is 500 ms)\n`,
  );
  console.log(table(typing.costs));
  for (const [name, byServer] of Object.entries(typing.byScenario)) Object.assign(summary[name]!, { typing: byServer });
}

const costs = costRows(results, scenarioNames);
if (costs.length) {
  console.log(
    `\nCost (medians over runs; per 1,000 chats sent, joins and leaves included; $ at list prices past the plan's ` +
      `allowances, read ${PRICES_READ}: lib/prices.ts; GB-s at 128 MB from the objects' awake estimate, an upper ` +
      `bound; storage when the scenario ended; wake-ups = objects started; docs/cost.md)\n`,
  );
  console.log(table(costs));
}

const oursResults = results.filter((r) => r.server === oursLabel);
const checks = targets({
  vsFloor,
  vsDurable,
  vsDoor,
  memoryVsFloor:
    memory[oursLabel] && memory.floor ? memory[oursLabel]!.perMemberBytes / memory.floor.perMemberBytes : undefined,
  faults: [...results, ...megaroom.map((row) => row.result)].reduce(
    (a, r) => a + r.lost + r.duplicates + r.reordered,
    0,
  ),
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
