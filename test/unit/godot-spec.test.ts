// The shared spec (clients/spec) run by the Godot addon's logic: test/godot/spec_runner.gd in headless Godot 3
// (Debian's godot3-server, 3.2.3), against clients/godot/addons/edge_chat/chat_logic.gd. The JavaScript client runs
// the same scenarios in test/unit/client/spec.test.ts.

import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runGodot, scriptErrors, WITHOUT_GODOT } from "../support/godot.ts";

const ROOT = resolve(import.meta.dirname, "../..");
/** The scenarios of clients/spec/scenarios.json that the addon runs: all but those it says it does not support. */
const SCENARIOS: string[] = JSON.parse(readFileSync(join(ROOT, "clients/spec/scenarios.json"), "utf8"))
  .scenarios.filter((scenario: { unsupported?: { godot?: string } }) => scenario.unsupported?.godot === undefined)
  .map((scenario: { name: string }) => scenario.name);

describe.skipIf(WITHOUT_GODOT)("the shared spec, run by the Godot addon in Godot 3", () => {
  it("runs every scenario the addon supports to its end, and passes each check, with no script error", async () => {
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
    // Each scenario is announced once it ran to its end: a runner that stopped early, or skipped one, shows here.
    expect([...run.stdout.matchAll(/^RAN (.*)$/gm)].map(([, name]) => name)).toEqual(SCENARIOS);
    const passed = Number(run.stdout.match(/^PASSED (\d+)$/m)?.[1]);
    expect(passed).toBeGreaterThanOrEqual(SCENARIOS.length);
    expect(run.code).toBe(0);
  }, 90_000);
});
