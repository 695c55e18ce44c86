// What the fault suite's test files share (bench/*.test.ts, run by bench/vitest.faults.config.ts): the room to run,
// a group's run before its checks, and each check printed as it ends with what it measured, as the suite always
// printed them. The report (lib/fault-report.ts) collects the checks and the measurements.

import { afterAll, afterEach, beforeAll, inject, type TaskMeta } from "vitest";
import { measurements } from "./checks.ts";
import { now } from "./load.ts";
import { fmt } from "./stats.ts";

declare module "vitest" {
  interface ProvidedContext {
    /** The wrangler config of the snapshot of the room this run tests (lib/fault-setup.ts). */
    faultsConfig: string;
  }
  interface TaskMeta {
    /** What a check measured, printed with its result and kept in the report. */
    detail?: string;
    /** What its group measured (the `measurements` of lib/checks.ts), on the group's first check to end. */
    measurements?: Record<string, unknown>;
  }
}

/** The room under test: a snapshot taken once for the whole run (lib/snapshot.ts, lib/fault-setup.ts). */
export const roomConfig = (): string => inject("faultsConfig");

/** How long one group's run may take before it fails: room for the longest on a busy machine. */
const RUN_TIMEOUT_MS = 5 * 60_000;

/**
 * Runs a group's attack once, before its checks (all of them read what it observed), and prints how long the group
 * took; returns a getter for what the run observed.
 */
export function runBefore<T>(group: string, run: () => Promise<T>): () => T {
  let observed: { value: T } | undefined;
  let started = NaN;
  beforeAll(async () => {
    started = now();
    observed = { value: await run() };
  }, RUN_TIMEOUT_MS);
  afterAll(() => {
    if (!Number.isNaN(started)) console.log(`  (${group}: ${fmt((now() - started) / 1000)} s)`);
  });
  return () => {
    if (!observed) throw new Error(`${group} did not run`);
    return observed.value;
  };
}

/** Says what a check measured: printed with its result, and kept in the report. */
export function shows(task: { meta: TaskMeta }, detail: string): void {
  task.meta.detail = detail;
}

/** Every check, as it ends: PASS or FAIL, its name, what it measured; the group's measurements go with the first. */
export function printChecks(): void {
  afterEach(({ task }) => {
    const { detail } = task.meta;
    console.log(`  ${task.result?.state === "fail" ? "FAIL" : "PASS"}  ${task.name}${detail ? `  (${detail})` : ""}`);
    if (Object.keys(measurements).length === 0) return;
    task.meta.measurements = { ...measurements };
    for (const key of Object.keys(measurements)) delete measurements[key];
  });
}
