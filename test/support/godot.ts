// Running the real Godot 3 (Debian's godot3-server, headless 3.2.3) in a test, and reading what it says: the
// script's own output on stdout, and on stderr the errors of its scripts, which Godot prints and then goes on.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const GODOT = "/usr/bin/godot3-server";

/** .ci/run installs Godot; a developer machine without it skips the Godot tests, and says why. */
export const WITHOUT_GODOT = !existsSync(GODOT) && !process.env.CI;

/** `env` with a locale Godot knows: it reports an error for the C locale of a bare shell. */
export function withLocale(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, LANG: "en_US.UTF-8", LC_ALL: "en_US.UTF-8" };
}

export interface GodotRun {
  /** The exit code; null if Godot was killed (its time ran out). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs Godot headless with `args` and resolves once it exits, whatever its code. Godot treats its working directory
 * as a project and writes logs there: it gets a scratch one.
 */
export function runGodot(
  args: string[],
  { timeoutMs, env = withLocale() }: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<GodotRun> {
  return new Promise((resolve) => {
    execFile(
      GODOT,
      ["--no-window", ...args],
      { timeout: timeoutMs, env, cwd: mkdtempSync(join(tmpdir(), "godot-")) },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error.code as number | null | undefined) ?? null) : 0, stdout, stderr }),
    );
  });
}

/** A Godot 3 still running, and what it has printed so far. */
export interface RunningGodot {
  godot: ChildProcess;
  stdout: string;
  stderr: string;
  /** Its exit code once it exits; null if it was killed. */
  exited: Promise<number | null>;
}

/** Starts Godot headless with `args`, in a scratch working directory, and gathers what it prints as it runs. */
export function spawnGodot(args: string[]): RunningGodot {
  const godot = spawn(GODOT, ["--no-window", ...args], {
    cwd: mkdtempSync(join(tmpdir(), "godot-")),
    env: withLocale(),
  });
  const running: RunningGodot = {
    godot,
    stdout: "",
    stderr: "",
    exited: new Promise((resolveExit) => godot.once("exit", resolveExit)),
  };
  godot.stdout.on("data", (chunk) => (running.stdout += chunk));
  godot.stderr.on("data", (chunk) => (running.stderr += chunk));
  return running;
}

/**
 * The errors of scripts in what Godot 3 printed to stderr: a runtime error ("SCRIPT ERROR: …"), a parse error
 * ("Parse Error: …"), and push_error() ("ERROR: call: …"), each with the line after it that says where. The
 * engine's own complaints (a leak report at exit, a folder it could not make) are not the scripts'.
 */
export function scriptErrors(stderr: string): string[] {
  const lines = stderr.split("\n");
  return lines.flatMap((line, i) =>
    /^(SCRIPT ERROR: |Parse Error: |ERROR: call: )/.test(line) ? [`${line}\n${lines[i + 1] ?? ""}`.trim()] : [],
  );
}
