// The fault suite: `npm run bench:faults [-- -t <group or check>]`, not part of `npm test`. Each test file runs the
// attacks of one module (faults.ts, attacks.ts, token-attacks.ts, name-attacks.ts, socket-attacks.ts) against a
// real `wrangler dev` of a snapshot of the room, one `describe` per group of checks. See bench/README.md.

import { resolve } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** The order the suite has always run in: the room's own faults, then the attacks, identity, names, the socket. */
const ORDER = ["faults", "attacks", "token-attacks", "name-attacks", "socket-attacks"].map(
  (name) => `/bench/${name}.test.ts`,
);

class InOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => ORDER.findIndex((path) => file.moduleId.endsWith(path));
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    name: "faults",
    root: resolve(import.meta.dirname, ".."),
    include: ["bench/*.test.ts"],
    environment: "node",
    globalSetup: ["bench/lib/fault-setup.ts"],
    // One file at a time, each group after the other: every group starts its own server, measures timings and
    // memory, and two cores are better spent on one server than shared by two.
    fileParallelism: false,
    sequence: { sequencer: InOrder },
    // The attacks print their figures as they go, in order with the checks (lib/fault-suite.ts).
    disableConsoleIntercept: true,
    reporters: ["default", "./bench/lib/fault-report.ts"],
    testTimeout: 60_000,
    hookTimeout: 5 * 60_000,
  },
});
