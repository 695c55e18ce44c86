// Vitest's global setup: at the end of a run, one line on what this machine could not test as CI does, so that a
// green run on a laptop without Godot does not read as "the Godot client works".
import { existsSync } from "node:fs";
import { chromiumSource } from "./browser.ts";

export const GODOT3 = "/usr/bin/godot3-server";

export default function setup(): () => Promise<void> {
  return async () => {
    const lines: string[] = [];
    if (!existsSync(GODOT3) && !process.env.CI) {
      lines.push(
        `Godot 3 (${GODOT3}) is not installed: the Godot tests were skipped (.ci/run installs godot3-server).`,
      );
    }
    const chromium = { system: "the system's Chromium", packaged: "the packaged Chromium (@sparticuz/chromium)" };
    const source = chromiumSource();
    lines.push(
      `Browser tests (if any ran) used ${source === "CHROMIUM_PATH" ? process.env.CHROMIUM_PATH : chromium[source]}.`,
    );
    console.log(lines.map((line) => `\n${line}`).join(""));
  };
}
