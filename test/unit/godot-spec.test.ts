// The shared spec (clients/spec) run by the Godot addon's logic: test/godot/spec_runner.gd in headless Godot 3
// (Debian's godot3-server, 3.2.3), against clients/godot/addons/edge_chat/chat_logic.gd. The JavaScript client runs
// the same scenarios in test/unit/client/spec.test.ts.

import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runGodot, scriptErrors, WITHOUT_GODOT } from "../support/godot.ts";

const ROOT = resolve(import.meta.dirname, "../..");
/**
 * The checks test/godot/spec_runner.gd makes of the scenarios in clients/spec/scenarios.json that the addon runs:
 * it says PASSED with this count only if it ran all of them. A scenario added to the spec adds to it.
 */
const SPEC_CHECKS = 109;

describe.skipIf(WITHOUT_GODOT)("the shared spec, run by the Godot addon in Godot 3", () => {
  it(`passes every scenario the addon supports: all ${SPEC_CHECKS} checks, with no script error`, async () => {
    const run = await runGodot(
      [
        "-s",
        join(ROOT, "test/godot/spec_runner.gd"),
        `--logic=${join(ROOT, "clients/godot/addons/edge_chat/chat_logic.gd")}`,
        `--spec=${join(ROOT, "clients/spec")}`,
      ],
      { timeoutMs: 60_000 },
    );
    // Godot prints a script's runtime errors to stderr, and goes on: they fail the run too.
    expect(scriptErrors(run.stderr)).toEqual([]);
    expect(run.stdout).not.toContain("FAIL ");
    expect(run.stdout).toMatch(new RegExp(`^PASSED ${SPEC_CHECKS}$`, "m"));
    expect(run.code).toBe(0);
  }, 90_000);
});
