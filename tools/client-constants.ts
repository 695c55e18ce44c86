// Writes the clients' shared numbers (src/client/constants.ts), the room's close codes (src/shared/close-codes.ts)
// and its default limits (src/shared/protocol.ts) where the other clients read them: clients/spec/constants.json,
// the numbers of the spec that both spec runners check their client against, and constants.gd in both Godot addon
// folders. The TypeScript is the one source: `npm run gen:clients` after changing it. test/unit/tools/
// client-constants.test.ts fails while a written file differs from what this would write.

import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CLIENT_CONSTANTS } from "../src/client/constants.ts";
import { CLOSE_CODES } from "../src/shared/close-codes.ts";
import { DEFAULT_LIMITS } from "../src/shared/protocol.ts";

export const ROOT = resolve(import.meta.dirname, "..");

const SOURCES = "src/client/constants.ts and src/shared/close-codes.ts";
const GODOT_FOLDERS = ["clients/godot/addons/edge_chat", "clients/godot/addons/edge_chat_godot3"];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON with an object or array on one line where that fits in 120 columns, else an item per line. */
function formatJson(value: Json, indent = "", lead = 0): string {
  const flat = JSON.stringify(value, null, 1).replace(/\n\s*/g, " ").replace(/\[ /g, "[").replace(/ \]/g, "]");
  if (typeof value !== "object" || value === null || indent.length + lead + flat.length <= 118) return flat;
  const inner = `${indent}  `;
  const items = Array.isArray(value)
    ? value.map((item) => inner + formatJson(item, inner))
    : Object.entries(value).map(([key, item]) => {
        const name = `${JSON.stringify(key)}: `;
        return inner + name + formatJson(item, inner, name.length);
      });
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return `${open}\n${items.join(",\n")}\n${indent}${close}`;
}

/** clients/spec/constants.json: the numbers, and the close codes by code. */
function specConstants(): string {
  const constants = {
    about: `Written by tools/client-constants.ts from ${SOURCES} (npm run gen:clients): do not edit. The numbers both clients' connection rules use, and the codes the room closes connections with; both spec runners check their client's against these.`,
    ...CLIENT_CONSTANTS,
    closeCodes: CLOSE_CODES,
  };
  return `${formatJson(constants as unknown as Json)}\n`;
}

/** `pingIntervalMs` → `PING_INTERVAL_MS`; a nested key is prefixed with its parent's (`backoff.baseMs` → `BACKOFF_BASE_MS`). */
const constantName = (...keys: string[]): string =>
  keys.map((key) => key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()).join("_");

/** A GDScript literal: GDScript reads JSON's numbers, strings (with their escapes) and booleans as they are. */
const gdLiteral = (value: number | string | boolean): string => JSON.stringify(value);

/** constants.gd: the same in both addon folders, as GDScript that Godot 3 and 4 both parse. */
function godotConstants(): string {
  const lines = [
    `# Written by tools/client-constants.ts from ${SOURCES}`,
    "# (and the room's default limits, src/shared/protocol.ts): do not edit; `npm run gen:clients` after changing those.",
    "# test/unit/tools/client-constants.test.ts fails while this file is stale. The same in both addon folders.",
    "",
    "# The numbers of the clients' connection rules (clients/spec/constants.json; what each is: src/client/constants.ts).",
  ];
  for (const [key, value] of Object.entries(CLIENT_CONSTANTS)) {
    if (typeof value !== "object") lines.push(`const ${constantName(key)} = ${gdLiteral(value)}`);
    else
      for (const [inner, v] of Object.entries(value)) lines.push(`const ${constantName(key, inner)} = ${gdLiteral(v)}`);
  }
  lines.push("", "# The room's limits until its welcome says them.", "const DEFAULT_LIMITS = {");
  for (const [key, value] of Object.entries(DEFAULT_LIMITS)) lines.push(`\t${gdLiteral(key)}: ${gdLiteral(value)},`);
  lines.push(
    "}",
    "",
    "# The codes the room closes connections with. After one that is not to `reconnect`, a client stops (removed); but",
    "# after CLOSE_TOKEN_EXPIRED one that can get a new token comes straight back in with it.",
  );
  for (const [code, { name }] of Object.entries(CLOSE_CODES)) lines.push(`const CLOSE_${constantName(name)} = ${code}`);
  lines.push("const CLOSE_CODES = {");
  for (const [code, { name, reconnect, meaning }] of Object.entries(CLOSE_CODES)) {
    const entry = `{"name": ${gdLiteral(name)}, "reconnect": ${reconnect}, "meaning": ${gdLiteral(meaning)}}`;
    lines.push(`\t${code}: ${entry},`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** Every file this writes, by its path in the repository, with what it is to hold. */
export function generatedFiles(): Record<string, string> {
  const godot = godotConstants();
  return {
    "clients/spec/constants.json": specConstants(),
    ...Object.fromEntries(GODOT_FOLDERS.map((folder) => [`${folder}/constants.gd`, godot])),
  };
}

/** The generated files whose text on disk differs from what they are to hold. */
export function staleFiles(): string[] {
  const read = (path: string) => {
    try {
      return readFileSync(join(ROOT, path), "utf8");
    } catch {
      return undefined;
    }
  };
  return Object.entries(generatedFiles())
    .filter(([path, text]) => read(path) !== text)
    .map(([path]) => path);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const [path, text] of Object.entries(generatedFiles())) writeFileSync(join(ROOT, path), text);
  console.log(`wrote ${Object.keys(generatedFiles()).join(", ")}`);
}
