// What `npm run bench` makes of its runs: per scenario and server, best-of-N and medians over the runs (the JSON's
// `summary` and the first table); one server against another, per scenario (the ratio tables); a scenario against
// its twin in the same rounds (`reactions`, `typing`); and the targets of bench/README.md, checked against those
// ratios.

import type { ScenarioResult } from "../scenarios.ts";
import { best, fmt, median } from "./stats.ts";
import type { Row } from "./table.ts";

/** One server's runs of one scenario. */
export interface ServerSummary {
  runs: number;
  deliveriesPerSec: { best: number; median: number };
  p50: { best: number; median: number };
  p95: { best: number; median: number };
  p99: { best: number; median: number };
  max: { median: number };
  joinP50: { median: number };
  joinP99: { best: number; median: number };
  joinPhaseMs: { median: number };
  joinSettleMs: { median: number };
  joinFrames: { median: number };
  cpuPerKDelivery: { runtime: number; proxy: number };
  joinCpuMs: { runtime: number; proxy: number };
  lost: number;
  duplicates: number;
  reordered: number;
  errors: number;
  rssPerMemberBytes: { median: number };
}

/** Per scenario: a ServerSummary per server label, and the ratios added to it (`ratio`, `ratioDurable`, …). */
export type Summary = Record<string, Record<string, any>>;

/** A ratio of one server to another in one scenario: throughput (higher is better) and latency (lower is better). */
export interface Ratios {
  throughputBest: number;
  throughputMedian: number;
  p50Median: number;
  p99Best: number;
  p99Median: number;
  joinP99Median: number;
  joinPhaseMedian: number;
  /** The runtime workerd's CPU per 1,000 deliveries, median over runs. */
  cpuPerKMedian: number;
  /**
   * The same, round by round: the median over rounds of each round's ratio (the two ran back to back in it), which
   * the machine's load drifting between rounds moves less. NaN without the runs.
   */
  cpuPerKRounds: number;
}

function summarizeRuns(rs: ScenarioResult[]): ServerSummary {
  const of = (f: (r: ScenarioResult) => number) => rs.map(f);
  return {
    runs: rs.length,
    deliveriesPerSec: {
      best: best(
        of((r) => r.deliveriesPerSec),
        true,
      ),
      median: median(of((r) => r.deliveriesPerSec)),
    },
    p50: {
      best: best(
        of((r) => r.latency.p50),
        false,
      ),
      median: median(of((r) => r.latency.p50)),
    },
    p95: {
      best: best(
        of((r) => r.latency.p95),
        false,
      ),
      median: median(of((r) => r.latency.p95)),
    },
    p99: {
      best: best(
        of((r) => r.latency.p99),
        false,
      ),
      median: median(of((r) => r.latency.p99)),
    },
    max: { median: median(of((r) => r.latency.max)) },
    joinP50: { median: median(of((r) => r.join.p50)) },
    joinP99: {
      best: best(
        of((r) => r.join.p99),
        false,
      ),
      median: median(of((r) => r.join.p99)),
    },
    joinPhaseMs: { median: median(of((r) => r.joinPhaseMs)) },
    joinSettleMs: { median: median(of((r) => r.joinSettleMs)) },
    joinFrames: { median: median(of((r) => r.joinFrames)) },
    cpuPerKDelivery: {
      runtime: median(of((r) => r.cpuPerKDelivery.runtime)),
      proxy: median(of((r) => r.cpuPerKDelivery.proxy)),
    },
    joinCpuMs: {
      runtime: median(of((r) => r.joinCpuMs.runtime)),
      proxy: median(of((r) => r.joinCpuMs.proxy)),
    },
    lost: rs.reduce((a, r) => a + r.lost, 0),
    duplicates: rs.reduce((a, r) => a + r.duplicates, 0),
    reordered: rs.reduce((a, r) => a + r.reordered, 0),
    errors: rs.reduce((a, r) => a + r.errors, 0),
    // Only meaningful on a fresh server (see the memory phase); kept for reference.
    rssPerMemberBytes: { median: median(of((r) => (r.rssJoined - r.rssBefore) / r.members)) },
  };
}

/** Every scenario on every server: the summary, and the rows of the first table. */
export function summarize(
  results: ScenarioResult[],
  scenarios: string[],
  servers: string[],
): { summary: Summary; rows: Row[] } {
  const summary: Summary = {};
  const rows: Row[] = [];
  for (const scenario of scenarios) {
    summary[scenario] = {};
    for (const label of servers) {
      const rs = results.filter((r) => r.scenario === scenario && r.server === label);
      if (rs.length === 0) continue;
      const s = summarizeRuns(rs);
      summary[scenario][label] = s;
      rows.push({
        scenario,
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
  return { summary, rows };
}

/** Server `a` against server `b`, per scenario both ran: the ratios, and the rows of their table. */
export function ratiosOf(
  summary: Summary,
  scenarios: string[],
  a: string,
  b: string,
  results: ScenarioResult[] = [],
): { rows: Row[]; byScenario: Record<string, Ratios> } {
  const rows: Row[] = [];
  const byScenario: Record<string, Ratios> = {};
  for (const scenario of scenarios) {
    const x: ServerSummary | undefined = summary[scenario]?.[a];
    const y: ServerSummary | undefined = summary[scenario]?.[b];
    if (!x || !y) continue;
    const r: Ratios = {
      throughputBest: x.deliveriesPerSec.best / y.deliveriesPerSec.best,
      throughputMedian: x.deliveriesPerSec.median / y.deliveriesPerSec.median,
      p50Median: x.p50.median / y.p50.median,
      p99Best: x.p99.best / y.p99.best,
      p99Median: x.p99.median / y.p99.median,
      joinP99Median: x.joinP99.median / y.joinP99.median,
      joinPhaseMedian: x.joinPhaseMs.median / y.joinPhaseMs.median,
      cpuPerKMedian: x.cpuPerKDelivery.runtime / y.cpuPerKDelivery.runtime,
      cpuPerKRounds: roundRatio(results, scenario, a, b, (r) => r.cpuPerKDelivery.runtime),
    };
    byScenario[scenario] = r;
    rows.push({
      scenario,
      "deliv/s best": fmt(r.throughputBest, 2),
      "deliv/s median": fmt(r.throughputMedian, 2),
      "p50 median": fmt(r.p50Median, 2),
      "p99 best": fmt(r.p99Best, 2),
      "p99 median": fmt(r.p99Median, 2),
      "join p99 median": fmt(r.joinP99Median, 2),
      "joins ms median": fmt(r.joinPhaseMedian, 2),
      "cpu/1k median": fmt(r.cpuPerKMedian, 2),
      "cpu/1k rounds": fmt(r.cpuPerKRounds, 2),
    });
  }
  return { rows, byScenario };
}

/** The median over rounds of `a`'s figure over `b`'s in the same round of `scenario`; NaN if no round has both. */
function roundRatio(
  results: ScenarioResult[],
  scenario: string,
  a: string,
  b: string,
  figure: (r: ScenarioResult) => number,
): number {
  const ratios = results.flatMap((x) => {
    if (x.scenario !== scenario || x.server !== a) return [];
    const y = results.find((r) => r.scenario === scenario && r.server === b && r.run === x.run);
    return y ? [figure(x) / figure(y)] : [];
  });
  return ratios.length ? median(ratios) : Number.NaN;
}

/** A scenario against its twin in the same rounds, on one server: the ratios every twin comparison gives. */
export interface TwinRatios {
  rounds: number;
  /** Medians over the rounds of with / without, each round's pair divided by itself. */
  p99Ratio: number;
  p50Ratio: number;
  throughputRatio: number;
  /** The room's runtime CPU over the send phase (both deliver the same chats). */
  cpuRatio: number;
  /** The ratios' range over the rounds. */
  p99RatioRange: [number, number];
  throughputRatioRange: [number, number];
  /** Medians over the runs of each. */
  p99With: number;
  p99Without: number;
}

/** The runs of `scenario` and of `baseline` on `server`, paired by round, and their ratios (none: no round of both). */
function twins(
  results: ScenarioResult[],
  scenario: string,
  baseline: string,
  server: string,
): { withRuns: ScenarioResult[]; without: ScenarioResult[]; ratios: TwinRatios } | undefined {
  const withRuns = results.filter((r) => r.scenario === scenario && r.server === server);
  const without = results.filter((r) => r.scenario === baseline && r.server === server);
  const rounds = withRuns.flatMap((w) => {
    const b = without.find((r) => r.run === w.run);
    return b ? [{ w, b }] : [];
  });
  if (rounds.length === 0) return undefined;
  const ratio = (f: (r: ScenarioResult) => number) => rounds.map(({ w, b }) => f(w) / f(b));
  const range = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];
  return {
    withRuns,
    without,
    ratios: {
      rounds: rounds.length,
      p99Ratio: median(ratio((r) => r.latency.p99)),
      p50Ratio: median(ratio((r) => r.latency.p50)),
      throughputRatio: median(ratio((r) => r.deliveriesPerSec)),
      cpuRatio: median(ratio((r) => r.cpuPerKDelivery.runtime * r.delivered)),
      p99RatioRange: range(ratio((r) => r.latency.p99)),
      throughputRatioRange: range(ratio((r) => r.deliveriesPerSec)),
      p99With: median(withRuns.map((r) => r.latency.p99)),
      p99Without: median(without.map((r) => r.latency.p99)),
    },
  };
}

/** A ratio's range over the rounds, in brackets, when there is more than one. */
const spreadOf =
  (rounds: number) =>
  ([lo, hi]: [number, number]) =>
    rounds > 1 ? ` (${fmt(lo, 2)}-${fmt(hi, 2)})` : "";

/** What a twin comparison shows in every row: the chat with and without the load, as ratios within a round. */
type TwinRow = TwinRatios & {
  framesPerMemberPerSecWith: number;
  framesPerMemberPerSecWithout: number;
  loopDelayP99With: number;
  loopDelayP99Without: number;
};

/** The columns every twin comparison shares, `extra` after the ratios. */
function twinRow(
  label: string,
  server: string,
  c: TwinRow,
  extra: Record<string, string> = {},
): Record<string, string> {
  const spread = spreadOf(c.rounds);
  return {
    scenario: label,
    server,
    rounds: String(c.rounds),
    "p99 ms with": fmt(c.p99With),
    "p99 ms without": fmt(c.p99Without),
    "p99 ratio": fmt(c.p99Ratio, 2) + spread(c.p99RatioRange),
    "p50 ratio": fmt(c.p50Ratio, 2),
    "deliv/s ratio": fmt(c.throughputRatio, 2) + spread(c.throughputRatioRange),
    "room cpu ratio": fmt(c.cpuRatio, 2),
    ...extra,
    "frames/member/s with": fmt(c.framesPerMemberPerSecWith),
    "frames/member/s without": fmt(c.framesPerMemberPerSecWithout),
    "gen loop p99 with": fmt(c.loopDelayP99With),
    "gen loop p99 without": fmt(c.loopDelayP99Without),
  };
}

/** A scenario with changes against the same chat without, on one server (`changesComparison`). */
export interface ChangesComparison extends TwinRatios {
  /** Medians over the runs with changes (the frames and loop delay: over the runs of each). */
  reactionsSentPerSec: number;
  editsSentPerSec: number;
  storms: number;
  stormPacketsPerMember: number;
  stormPacketsPerMemberMax: number;
  stormBatches: number;
  reactionsPacketsPerMemberPerSec: number;
  editedPacketsPerMemberPerSec: number;
  framesPerMemberPerSecWith: number;
  framesPerMemberPerSecWithout: number;
  /** The load generator's event-loop delay p99, ms, with and without: a latency it adds to every delivery. */
  loopDelayP99With: number;
  loopDelayP99Without: number;
}

/**
 * Each scenario with changes (`reactions`) against its twin without (`reactions-off`), per server: latency and
 * deliveries as ratios within each round (`rows`), and what the changes cost each member (`costs`: reactions
 * packets per second and per storm).
 */
export function changesComparison(
  results: ScenarioResult[],
  pairs: { scenario: string; baseline: string }[],
  servers: string[],
): { rows: Row[]; costs: Row[]; byScenario: Record<string, Record<string, ChangesComparison>> } {
  const rows: Row[] = [];
  const costs: Row[] = [];
  const byScenario: Record<string, Record<string, ChangesComparison>> = {};
  for (const { scenario, baseline } of pairs) {
    for (const server of servers) {
      const pair = twins(results, scenario, baseline, server);
      if (!pair) continue;
      const { withRuns: withChanges, without } = pair;
      const changes = (f: (c: NonNullable<ScenarioResult["changes"]>) => number) =>
        median(withChanges.flatMap((r) => (r.changes ? [f(r.changes)] : [])));
      const unchanged = (f: (c: NonNullable<ScenarioResult["changes"]>) => number) =>
        median(without.flatMap((r) => (r.changes ? [f(r.changes)] : [])));
      const c: ChangesComparison = {
        ...pair.ratios,
        reactionsSentPerSec: changes((c) => c.reactionsSent / c.seconds),
        editsSentPerSec: changes((c) => c.editsSent / c.seconds),
        storms: changes((c) => c.storms),
        stormPacketsPerMember: changes((c) => c.stormPacketsPerMember),
        stormPacketsPerMemberMax: changes((c) => c.stormPacketsPerMemberMax),
        stormBatches: changes((c) => c.stormBatches),
        reactionsPacketsPerMemberPerSec: changes((c) => c.reactionsPacketsPerMemberPerSec),
        editedPacketsPerMemberPerSec: changes((c) => c.editedPacketsPerMemberPerSec),
        framesPerMemberPerSecWith: changes((c) => c.framesPerMemberPerSec),
        framesPerMemberPerSecWithout: unchanged((c) => c.framesPerMemberPerSec),
        loopDelayP99With: changes((c) => c.loopDelayP99),
        loopDelayP99Without: unchanged((c) => c.loopDelayP99),
      };
      byScenario[scenario] = { ...byScenario[scenario], [server]: c };
      rows.push(twinRow(`${scenario} / ${baseline}`, server, c));
      costs.push({
        scenario,
        server,
        "reactions sent/s": fmt(c.reactionsSentPerSec, 0),
        "edits sent/s": fmt(c.editsSentPerSec, 1),
        storms: fmt(c.storms, 0),
        "frames/member/storm": fmt(c.stormPacketsPerMember, 2),
        "most to one member": fmt(c.stormPacketsPerMemberMax, 0),
        "batches/storm": fmt(c.stormBatches, 2),
        "reactions pkts/member/s": fmt(c.reactionsPacketsPerMemberPerSec),
        "edited pkts/member/s": fmt(c.editedPacketsPerMemberPerSec),
      });
    }
  }
  return { rows, costs, byScenario };
}

/** `typing` against its twin with silent typists (`typing-off`), on one server (`typingComparison`). */
export interface TypingComparison extends TwinRatios {
  /** The room's runtime CPU per 1,000 chat deliveries, medians over the runs of each. */
  cpuPerKWith: number;
  cpuPerKWithout: number;
  /** Medians over the runs with typing. */
  typingSentPerSec: number;
  stopsSentPerSec: number;
  /** What typing costs each member: `signals` packets and their bytes per second (and the most to any one member). */
  signalsPacketsPerMemberPerSec: number;
  signalsBytesPerMemberPerSec: number;
  signalsPacketsPerSecMost: number;
  /** The same in the runs without typing (none expected). */
  signalsPacketsPerMemberPerSecWithout: number;
  typingIdsPerPacket: number;
  stoppedIdsPerPacket: number;
  gapMedianMs: number;
  /** The shortest gap between two `signals` packets at any member over every run. */
  gapMinMs: number;
  framesPerMemberPerSecWith: number;
  framesPerMemberPerSecWithout: number;
  loopDelayP99With: number;
  loopDelayP99Without: number;
}

/**
 * Each scenario with typing (`typing`) against its twin whose typists are silent (`typing-off`), per server: chat
 * latency, deliveries and the room's CPU as ratios within each round (`rows`), and what typing costs each member
 * (`costs`: `signals` frames and bytes per second).
 */
export function typingComparison(
  results: ScenarioResult[],
  pairs: { scenario: string; baseline: string }[],
  servers: string[],
): { rows: Row[]; costs: Row[]; byScenario: Record<string, Record<string, TypingComparison>> } {
  const rows: Row[] = [];
  const costs: Row[] = [];
  const byScenario: Record<string, Record<string, TypingComparison>> = {};
  for (const { scenario, baseline } of pairs) {
    for (const server of servers) {
      const pair = twins(results, scenario, baseline, server);
      if (!pair) continue;
      const { withRuns, without } = pair;
      const typed = (f: (t: NonNullable<ScenarioResult["typing"]>) => number) =>
        median(withRuns.flatMap((r) => (r.typing ? [f(r.typing)] : [])));
      const silent = (f: (t: NonNullable<ScenarioResult["typing"]>) => number) =>
        median(without.flatMap((r) => (r.typing ? [f(r.typing)] : [])));
      const c: TypingComparison = {
        ...pair.ratios,
        cpuPerKWith: median(withRuns.map((r) => r.cpuPerKDelivery.runtime)),
        cpuPerKWithout: median(without.map((r) => r.cpuPerKDelivery.runtime)),
        typingSentPerSec: typed((t) => t.typingSent / t.seconds),
        stopsSentPerSec: typed((t) => t.stopsSent / t.seconds),
        signalsPacketsPerMemberPerSec: typed((t) => t.signalsPacketsPerMemberPerSec),
        signalsBytesPerMemberPerSec: typed((t) => t.signalsBytesPerMemberPerSec),
        signalsPacketsPerSecMost: typed((t) => t.signalsPacketsPerSecMost),
        signalsPacketsPerMemberPerSecWithout: silent((t) => t.signalsPacketsPerMemberPerSec),
        typingIdsPerPacket: typed((t) => t.typingIdsPerPacket),
        stoppedIdsPerPacket: typed((t) => t.stoppedIdsPerPacket),
        gapMedianMs: typed((t) => t.gapMedianMs),
        gapMinMs: Math.min(...withRuns.flatMap((r) => (r.typing ? [r.typing.gapMinMs] : []))),
        framesPerMemberPerSecWith: typed((t) => t.framesPerMemberPerSec),
        framesPerMemberPerSecWithout: silent((t) => t.framesPerMemberPerSec),
        loopDelayP99With: typed((t) => t.loopDelayP99),
        loopDelayP99Without: silent((t) => t.loopDelayP99),
      };
      byScenario[scenario] = { ...byScenario[scenario], [server]: c };
      rows.push(
        twinRow(`${scenario} / ${baseline}`, server, c, {
          "cpu/1k with": fmt(c.cpuPerKWith),
          "cpu/1k without": fmt(c.cpuPerKWithout),
        }),
      );
      costs.push({
        scenario,
        server,
        "typing sent/s": fmt(c.typingSentPerSec, 1),
        "stops sent/s": fmt(c.stopsSentPerSec, 1),
        "signals frames/member/s": fmt(c.signalsPacketsPerMemberPerSec, 2),
        "signals bytes/member/s": fmt(c.signalsBytesPerMemberPerSec, 0),
        "most frames/s to one member": fmt(c.signalsPacketsPerSecMost, 2),
        "typing ids/frame": fmt(c.typingIdsPerPacket),
        "stopped ids/frame": fmt(c.stoppedIdsPerPacket),
        "gap ms median": fmt(c.gapMedianMs, 0),
        "gap ms min": fmt(c.gapMinMs, 0),
        [`signals frames/member/s in ${baseline}`]: fmt(c.signalsPacketsPerMemberPerSecWithout, 2),
      });
    }
  }
  return { rows, costs, byScenario };
}

/** One target of bench/README.md and how this run met it. */
export interface TargetCheck {
  name: string;
  value: number;
  target: string;
  pass: boolean;
}

/**
 * The targets of bench/README.md, for what this run measured: against the floor and the durable floor, memory per
 * member, and no fault in any run.
 */
export function targets(measured: {
  vsFloor: Record<string, Ratios>;
  vsDurable: Record<string, Ratios>;
  /** Against the durable floor behind the room's front door (`durable-door`). */
  vsDoor: Record<string, Ratios>;
  /** Memory per member at 1,000 members, ours / the floor's, if both were measured. */
  memoryVsFloor: number | undefined;
  /** Loss, duplicates and reordering summed over every run of every server. */
  faults: number;
}): TargetCheck[] {
  const { vsFloor, vsDurable, vsDoor } = measured;
  const checks: TargetCheck[] = [];
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
  for (const scenario of ["fanout", "chatty"]) {
    const cpu = vsDoor[scenario]?.cpuPerKRounds;
    target(`${scenario} CPU per delivery vs durable-door (rounds)`, cpu, "<= 1.05", (v) => v <= 1.05);
  }
  target("chatty p99 vs durable-door (median)", vsDoor.chatty?.p99Median, "<= 1.1", (v) => v <= 1.1);
  target("memory per member at 1,000 members vs floor", measured.memoryVsFloor, "<= 1.1", (v) => v <= 1.1);
  checks.push({
    name: "loss + duplicates + reordering, every run of every server",
    value: measured.faults,
    target: "= 0",
    pass: measured.faults === 0,
  });
  return checks;
}
