// Where the Godot addon's two folders are, a scratch project holding the Godot 3 one for a game of the tests, and the
// blocks of its README that tests run as they are: a README example that a test pastes cannot drift from what the
// test runs.

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

const ADDONS = resolve(import.meta.dirname, "../../clients/godot/addons");
/** The Godot 4 folder, which holds the README. */
export const ADDON_GODOT4 = resolve(ADDONS, "edge_chat");
export const ADDON_GODOT3 = resolve(ADDONS, "edge_chat_godot3");

/** The fenced code block right after `<!-- marker -->` in the addon's README. */
export function readmeBlock(marker: string): string {
  const readme = readFileSync(resolve(ADDON_GODOT4, "README.md"), "utf8");
  const block = new RegExp(`<!-- ${marker} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\`\\n`).exec(readme);
  if (!block) throw new Error(`no block marked ${marker} in the addon's README`);
  return `${block[1]}\n`;
}

/**
 * A scratch Godot 3 project holding a copy of the addon's Godot 3 folder, as a developer's project would, and of the
 * game `script` (res://<its file name>), with `settings` in its project.godot.
 */
export function addonProject(script: string, settings = ""): string {
  const dir = mkdtempSync(join(tmpdir(), "godot-addon-"));
  cpSync(ADDON_GODOT3, join(dir, "addons/edge_chat_godot3"), { recursive: true });
  cpSync(script, join(dir, basename(script)));
  writeFileSync(
    join(dir, "project.godot"),
    `config_version=4\n\n[application]\n\nconfig/name="edge chat addon test"\n${settings}`,
  );
  return dir;
}
