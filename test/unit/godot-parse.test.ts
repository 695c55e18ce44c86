// No Godot 4 runs on these machines (Debian ships Godot 3 only), so the addon's Godot 4 scripts are parsed with a
// GDScript 4 grammar (tree-sitter-gdscript) and must parse without an error node. The shared logic and the Godot 3
// adapter also run, in test/e2e/godot-addon.test.ts.

import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const Parser = require("tree-sitter") as new () => {
  setLanguage(language: unknown): void;
  parse(source: string): { rootNode: SyntaxNode };
};
interface SyntaxNode {
  type: string;
  isMissing: boolean;
  text: string;
  startPosition: { row: number; column: number };
  children: SyntaxNode[];
}

const ADDON = resolve(import.meta.dirname, "../../clients/godot/addons/edge_chat");
const parser = new Parser();
parser.setLanguage(require("tree-sitter-gdscript"));

/** Every error or missing node, as "line:column text". */
function problems(source: string): string[] {
  const found: string[] = [];
  const walk = (node: SyntaxNode) => {
    if (node.type === "ERROR" || node.isMissing) found.push(`${node.startPosition.row + 1}:${node.startPosition.column} ${node.text.slice(0, 60)}`);
    node.children.forEach(walk);
  };
  walk(parser.parse(source).rootNode);
  return found;
}

const scripts = readdirSync(ADDON, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith(".gd"))
  .map((entry) => relative(ADDON, join(entry.parentPath, entry.name)));

describe("the Godot addon's scripts, parsed as GDScript 4", () => {
  it("finds errors where there are some", () => {
    expect(problems("func broken(:\n\tpass\n")).not.toEqual([]);
    expect(scripts).toEqual(expect.arrayContaining(["edge_chat.gd", "plugin.gd", "chat_logic.gd", "example/chat_panel.gd"]));
  });

  it.each(scripts)("%s parses without an error", (script) => {
    expect(problems(readFileSync(join(ADDON, script), "utf8"))).toEqual([]);
  });
});
