// The shared spec (clients/spec) run by the Godot addon's logic: test/godot/spec_runner.gd in headless Godot 3
// (Debian's godot3-server, 3.2.3), against clients/godot/addons/edge_chat/chat_logic.gd. The JavaScript client runs
// the same scenarios in test/unit/client/spec.test.ts.

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const GODOT = "/usr/bin/godot3-server";
const ROOT = resolve(import.meta.dirname, "../..");

// .ci/run installs Godot; a developer machine without it skips this, and says why.
describe.skipIf(!existsSync(GODOT) && !process.env.CI)("the shared spec, run by the Godot addon in Godot 3", () => {
  it("passes every scenario the addon supports", async () => {
    const args = [
      "--no-window",
      "-s",
      join(ROOT, "test/godot/spec_runner.gd"),
      `--logic=${join(ROOT, "clients/godot/addons/edge_chat/chat_logic.gd")}`,
      `--spec=${join(ROOT, "clients/spec")}`,
    ];
    // Godot prints a script's runtime errors to stderr, and goes on: they fail the run too.
    const output = await new Promise<string>((resolveOutput, reject) => {
      execFile(
        GODOT,
        args,
        { timeout: 60_000, cwd: mkdtempSync(join(tmpdir(), "godot-spec-")) },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${String(error)}\n${stdout}`)) : resolveOutput(stdout + stderr),
      );
    });
    expect(output).not.toContain("FAIL ");
    expect(output).not.toContain("SCRIPT ERROR");
    expect(output).toMatch(/^PASSED \d+$/m);
  }, 90_000);
});
