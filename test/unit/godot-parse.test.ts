// No Godot 4 runs on these machines (Debian ships Godot 3 only), so the addon's Godot 4 folder (addons/edge_chat)
// and its README's Godot 4 quick start are parsed with a GDScript 4 grammar (tree-sitter-gdscript) and must parse
// without an error node. The Godot 3 folder (addons/edge_chat_godot3) runs in a real Godot 3, in
// test/e2e/godot-addon.test.ts and test/e2e/godot-quick-start.test.ts; here, each folder's scenes are checked to be in
// their engine's format, and the two folders to hold the same shared logic.

import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ADDON_GODOT3, ADDON_GODOT4, readmeBlock } from "../support/godot-addon.ts";

const require = createRequire(import.meta.url);
const Parser = require("tree-sitter") as new () => {
  setLanguage(language: unknown): void;
  parse(source: string, oldTree?: unknown, options?: { bufferSize: number }): { rootNode: SyntaxNode };
};
interface SyntaxNode {
  type: string;
  isMissing: boolean;
  text: string;
  startPosition: { row: number; column: number };
  children: SyntaxNode[];
}

const parser = new Parser();
parser.setLanguage(require("tree-sitter-gdscript"));

/** Every error or missing node, as "line:column text". */
function problems(source: string): string[] {
  const found: string[] = [];
  const walk = (node: SyntaxNode) => {
    if (node.type === "ERROR" || node.isMissing)
      found.push(`${node.startPosition.row + 1}:${node.startPosition.column} ${node.text.slice(0, 60)}`);
    node.children.forEach(walk);
  };
  // node-tree-sitter refuses a string past its default buffer (32 KiB) with "Invalid argument": chat_logic.gd is longer.
  walk(parser.parse(source, undefined, { bufferSize: 2 * source.length + 1 }).rootNode);
  return found;
}

/** The files under `folder` whose names end with `extension`, relative to it. */
function filesOf(folder: string, extension: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)));
}

const scripts = filesOf(ADDON_GODOT4, ".gd");

describe("the Godot addon's scripts, parsed as GDScript 4", () => {
  it("finds errors where there are some", () => {
    expect(problems("func broken(:\n\tpass\n")).not.toEqual([]);
    expect(scripts.sort()).toEqual([
      "chat_logic.gd",
      "constants.gd",
      "edge_chat.gd",
      "example/chat_panel.gd",
      "message_model.gd",
      "moderation.gd",
      "plugin.gd",
      "roster.gd",
      "send_queue.gd",
    ]);
  });

  it.each(scripts)("%s parses without an error", (script) => {
    expect(problems(readFileSync(join(ADDON_GODOT4, script), "utf8"))).toEqual([]);
  });

  it("the README's Godot 4 quick start parses without an error", () => {
    const quickStart = readmeBlock("quick-start:godot4");
    expect(quickStart).toContain("EdgeChat.connect_to_room(");
    expect(problems(quickStart)).toEqual([]);
  });

  it("the README's Godot 4 example of the room's rules parses without an error", () => {
    const example = readmeBlock("rules:godot4");
    expect(example).toContain("EdgeChat.mute(");
    expect(example).toContain("EdgeChat.set_settings(");
    expect(problems(example)).toEqual([]);
  });

  it("the README's Godot 4 typing and status example parses without an error", () => {
    const example = readmeBlock("typing:godot4");
    expect(example).toContain("EdgeChat.typing()");
    expect(example).toContain("EdgeChat.set_state(");
    expect(problems(example)).toEqual([]);
  });

  it("the README's Godot 4 example of a room too large to list parses without an error", () => {
    const example = readmeBlock("presence:godot4");
    expect(example).toContain("EdgeChat.load_members(true)");
    expect(example).toContain("EdgeChat.members_page.connect(");
    expect(problems(example)).toEqual([]);
  });
});

describe("the Godot addon's two folders", () => {
  // Godot 3 refuses a scene of format 3 ("Saved with newer format version"); Godot 4 converts one of format 2.
  it.each([
    { name: "edge_chat (Godot 4)", folder: ADDON_GODOT4, format: 3 },
    { name: "edge_chat_godot3", folder: ADDON_GODOT3, format: 2 },
  ])("scenes of $name are in format $format", ({ folder, format }) => {
    const scenes = filesOf(folder, ".tscn");
    expect(scenes).toEqual(["example/chat_panel.tscn"]);
    for (const scene of scenes) {
      expect(/^\[gd_scene [^\]]*\bformat=(\d+)/.exec(readFileSync(join(folder, scene), "utf8"))?.[1]).toBe(
        String(format),
      );
    }
  });

  // The Godot 3 panel is run, in test/e2e/godot-quick-start.test.ts; Godot 4's can only be read. Markup from
  // players would go in by append_text() (4), append_bbcode() (3), parse_bbcode() or the label's text properties.
  it.each(["edge_chat", "edge_chat_godot3"])("%s: the example panel adds players' names and texts as text", (name) => {
    const folder = name === "edge_chat" ? ADDON_GODOT4 : ADDON_GODOT3;
    const panel = readFileSync(join(folder, "example/chat_panel.gd"), "utf8")
      .split("\n")
      .filter((line) => !line.startsWith("#"))
      .join("\n");
    expect(panel).toContain('_log.add_text(message["sender"]["name"])');
    // The member list: each name, and its status after it, as text too; who is typing, by name.
    expect(panel).toContain('_members.add_text(member["name"])');
    expect(panel).toContain("_members.add_text(status.left(STATUS_CHARS))");
    expect(panel).toMatch(/_typing\.add_text\("%s is typing…" % first\)/);
    expect(panel).not.toMatch(/append_text|append_bbcode|parse_bbcode|bbcode_text|\.text\s*[+]?=/);
  });

  // The Godot 4 folder's copies are the ones to edit: after a change, copy them into the Godot 3 folder. constants.gd
  // is written into both by tools/client-constants.ts.
  // The player's typing goes from the input's text_changed: typing() while it holds text, stop_typing() once empty.
  it.each([
    { name: "edge_chat", connect: "_input.text_changed.connect(_on_text_changed)" },
    { name: "edge_chat_godot3", connect: '_input.connect("text_changed", self, "_on_text_changed")' },
  ])("$name: the example panel's input says the player is typing", ({ name, connect }) => {
    const panel = readFileSync(
      join(name === "edge_chat" ? ADDON_GODOT4 : ADDON_GODOT3, "example/chat_panel.gd"),
      "utf8",
    );
    expect(panel).toContain(connect);
    expect(panel).toMatch(
      /func _on_text_changed\(text[^)]*\)[^:]*:\n\tif text\.(is_)?empty\(\):\n\t\t_chat\.stop_typing\(\)\n\telse:\n\t\t_chat\.typing\(\)\n/,
    );
  });

  it.each([
    "chat_logic.gd",
    "constants.gd",
    "message_model.gd",
    "moderation.gd",
    "roster.gd",
    "send_queue.gd",
    "LICENSE",
  ])("hold the same %s", (file) => {
    expect(readFileSync(join(ADDON_GODOT3, file), "utf8")).toBe(readFileSync(join(ADDON_GODOT4, file), "utf8"));
  });
});
