// The fault suite's global setup (bench/vitest.faults.config.ts): one snapshot of the room for the whole run, taken
// when it starts (lib/snapshot.ts: edits to src/ meanwhile must not reload the servers), removed when it ends.

import type { TestProject } from "vitest/node";
import { snapshotProject } from "./snapshot.ts";

export default function setup(project: TestProject): () => void {
  const snapshot = snapshotProject();
  project.provide("faultsConfig", snapshot.config);
  return () => snapshot.dispose();
}
