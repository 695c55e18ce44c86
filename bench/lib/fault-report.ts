// The fault suite's report (a vitest reporter, bench/vitest.faults.config.ts): every check that ran, passed or
// failed, with what it measured, and every group's measurements, written to bench/results/faults-<timestamp>.json
// (or to $FAULTS_REPORT); a group whose run failed counts as one failed check. Prints the count of checks passed
// and the failed ones by name, as the suite always ended.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Reporter, TestCase, TestModule, TestSuite } from "vitest/node";

interface Check {
  /** The group: the check's top-level `describe`. */
  test: string;
  check: string;
  pass: boolean;
  detail: string;
  error?: string;
}

const RESULTS = join(import.meta.dirname, "..", "results");

export default class FaultReport implements Reporter {
  private startedAt = new Date();
  /** The test files in the order they ran. */
  private readonly order: string[] = [];

  onTestRunStart(): void {
    this.startedAt = new Date();
  }

  onTestModuleStart(module: TestModule): void {
    this.order.push(module.moduleId);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const checks: Check[] = [];
    const measurements: Record<string, unknown> = {};
    const rank = (module: TestModule) => this.order.indexOf(module.moduleId);
    for (const module of [...testModules].sort((a, b) => rank(a) - rank(b))) {
      for (const error of module.errors()) checks.push(failedRun(module.relativeModuleId, error.message));
      for (const suite of module.children.allSuites()) {
        const [error] = suite.errors();
        if (error) checks.push(failedRun(groupOf(suite), error.message));
      }
      for (const test of module.children.allTests()) {
        const { state } = test.result();
        if (state !== "passed" && state !== "failed") continue;
        const meta = test.meta();
        Object.assign(measurements, meta.measurements);
        const error = test.result().errors?.[0]?.message;
        checks.push({
          test: groupOf(test),
          check: nameInGroup(test),
          pass: state === "passed",
          detail: meta.detail ?? "",
          ...(state === "failed" && error ? { error } : {}),
        });
      }
    }
    if (checks.length === 0) return;
    const failed = checks.filter((c) => !c.pass);
    console.log(
      `\n${checks.length - failed.length}/${checks.length} checks passed` +
        (failed.length ? `; FAILED: ${failed.map((c) => `${c.test}: ${c.check}`).join("; ")}` : ""),
    );
    const out =
      process.env.FAULTS_REPORT ?? join(RESULTS, `faults-${this.startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
    mkdirSync(dirname(out), { recursive: true });
    const report = {
      startedAt: this.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      checks,
      measurements,
    };
    writeFileSync(out, JSON.stringify(report, null, 2));
    console.log(`wrote ${out}`);
  }
}

const failedRun = (test: string, error: string): Check => ({
  test,
  check: "the run ended",
  pass: false,
  detail: error.slice(0, 500),
});

/** The top-level `describe` a test or suite is in. */
function groupOf(entity: TestCase | TestSuite): string {
  let group: TestCase | TestSuite = entity;
  while (group.parent.type === "suite") group = group.parent;
  return group.name;
}

/** A check's name below its group: nested `describe`s and the test's own name. */
function nameInGroup(test: TestCase): string {
  const names = [test.name];
  for (let parent = test.parent; parent.type === "suite" && parent.parent.type === "suite"; parent = parent.parent)
    names.unshift(parent.name);
  return names.join(" > ");
}
