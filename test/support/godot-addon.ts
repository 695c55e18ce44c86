// Where the Godot addon's two folders are, and the blocks of its README that tests run as they are: a README
// example that a test pastes cannot drift from what the test runs.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";

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
