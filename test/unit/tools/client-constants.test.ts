// The clients' numbers and the room's close codes have one source each, in TypeScript (src/client/constants.ts,
// src/shared/close-codes.ts); tools/client-constants.ts writes them for the spec (clients/spec/constants.json) and
// the Godot addon (constants.gd in both folders). A written copy that differs from what the tool would write now
// fails here, and so does a client that writes a close code or a shared number of its own.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLIENT_CONSTANTS } from "../../../src/client/constants";
import { CLOSE_CODES } from "../../../src/shared/close-codes";
import { generatedFiles, ROOT, staleFiles } from "../../../tools/client-constants.ts";

/** The code of each of a folder's files with `extension`, comments left out (`//` in TypeScript, `#` in GDScript). */
function codeOf(folder: string, extension: string, comment: RegExp): [string, string][] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension) && entry.name !== "constants.gd")
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return [path.slice(ROOT.length + 1), readFileSync(path, "utf8").replace(comment, "")];
    });
}

describe("the clients' shared constants", () => {
  it("are written for the spec and the Godot addon as tools/client-constants.ts writes them now", () => {
    expect(Object.keys(generatedFiles()).sort()).toEqual([
      "clients/godot/addons/edge_chat/constants.gd",
      "clients/godot/addons/edge_chat_godot3/constants.gd",
      "clients/spec/constants.json",
    ]);
    expect(staleFiles(), "stale: run `npm run gen:clients`").toEqual([]);
  });

  it("hold every close code of the room's table, in the spec and in GDScript", () => {
    const spec = JSON.parse(generatedFiles()["clients/spec/constants.json"]!);
    expect(spec.closeCodes).toEqual(JSON.parse(JSON.stringify(CLOSE_CODES)));
    const godot = generatedFiles()["clients/godot/addons/edge_chat/constants.gd"]!;
    for (const [code, { name, reconnect }] of Object.entries(CLOSE_CODES)) {
      expect(godot).toContain(`const CLOSE_${name.toUpperCase()} = ${code}\n`);
      expect(godot).toContain(`\t${code}: {"name": "${name}", "reconnect": ${reconnect},`);
    }
    expect(godot).toContain(`const PING_INTERVAL_MS = ${CLIENT_CONSTANTS.pingIntervalMs}\n`);
  });

  it("are nowhere else in the clients: no client writes a close code, or a shared number, of its own", () => {
    const files = [
      ...codeOf("src/client", ".ts", /\/\/.*$|\/\*[\s\S]*?\*\//gm),
      ...codeOf("clients/godot/addons", ".gd", /#.*$/gm),
    ];
    expect(files.length).toBeGreaterThan(30);
    const { backoff, pingIntervalMs, answerTimeoutMs, godotMaxFrameBytes, cid } = CLIENT_CONSTANTS;
    const numbers = [...Object.keys(CLOSE_CODES), backoff.maxMs, pingIntervalMs, answerTimeoutMs, godotMaxFrameBytes];
    const literal = new RegExp(`\\b(${numbers.map((n) => String(n).replace(/\B(?=(\d{3})+$)/g, "_?")).join("|")})\\b`);
    const own = files.filter(([path, code]) => path !== "src/client/constants.ts" && literal.test(code));
    expect(own.map(([path, code]) => `${path}: ${code.match(literal)?.[0]}`)).toEqual([]);
    expect(files.filter(([path, code]) => path !== "src/client/constants.ts" && code.includes(cid.alphabet))).toEqual(
      [],
    );
  });
});
