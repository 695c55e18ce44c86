// The boundaries between the folders of src/: the browser client and the shared protocol never import the server,
// what the browser downloads holds no server code, the server's folders import only downward, and no module
// imports itself through others.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

/**
 * The server's folders, top to bottom: each may import itself and the folders below it (and src/shared), never one
 * above. So the room is imported by nothing but the front door, and storage, limits and connections know nothing of
 * rooms, shards or moderation.
 */
const SERVER_FOLDERS = [
  "front-door",
  "room",
  "directory",
  "moderation",
  "shards",
  "limits",
  "connections",
  "storage",
  "observability",
  "config",
];

interface Import {
  file: string;
  target: string;
}

/** Every relative import of every .ts file under `folder`, as paths relative to src/ without `.ts`. */
function importsUnder(folder: string): Import[] {
  const found: Import[] = [];
  for (const entry of readdirSync(join(SRC, folder), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const path = join(entry.parentPath, entry.name);
    for (const [, specifier] of readFileSync(path, "utf8").matchAll(/\bfrom\s+"(\.[^"]*)"/g)) {
      found.push({
        file: relative(SRC, path).replace(/\.ts$/, ""),
        target: relative(SRC, resolve(dirname(path), specifier!)).replace(/\.ts$/, ""),
      });
    }
  }
  return found;
}

/** The import circles among `imports`: each as the files around it, first file repeated at the end. */
function circles(imports: Import[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { file, target } of imports) next.set(file, [...(next.get(file) ?? []), target]);
  const found: string[][] = [];
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (file: string): void => {
    const at = onPath.indexOf(file);
    if (at >= 0) {
      found.push([...onPath.slice(at), file]);
      return;
    }
    if (done.has(file)) return;
    onPath.push(file);
    for (const target of next.get(file) ?? []) visit(target);
    onPath.pop();
    done.add(file);
  };
  for (const file of next.keys()) visit(file);
  return found;
}

/** The server folder of a path relative to src/ ("server/room/room" → "room"); undefined outside a folder. */
const serverFolder = (path: string): string | undefined => path.match(/^server\/([^/]+)\//)?.[1];

describe("layout", () => {
  it("keeps src/client to itself and src/shared", () => {
    const imports = importsUnder("client");
    expect(imports.length).toBeGreaterThan(10);
    expect(imports.filter(({ target }) => !/^(client|shared)\//.test(target))).toEqual([]);
  });

  it("keeps src/shared to itself", () => {
    const imports = importsUnder("shared");
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter(({ target }) => !target.startsWith("shared/"))).toEqual([]);
  });

  it("keeps every server module in one of the server's folders, each of which says what it owns", () => {
    const entries = readdirSync(join(SRC, "server"), { withFileTypes: true });
    expect(
      entries
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort(),
    ).toEqual([...SERVER_FOLDERS].sort());
    expect(entries.filter((entry) => entry.isFile()).map((entry) => entry.name)).toEqual(["index.ts"]);
    for (const folder of SERVER_FOLDERS) {
      const readme = readFileSync(join(SRC, "server", folder, "README.md"), "utf8");
      expect(readme, folder).toMatch(/^# \S/);
    }
  });

  it("imports only downward between the server's folders", () => {
    const imports = importsUnder("server").filter(({ file }) => serverFolder(file) !== undefined);
    expect(imports.length).toBeGreaterThan(80);
    const upward = imports.filter(({ file, target }) => {
      if (target.startsWith("shared/")) return false;
      const to = serverFolder(target);
      return to === undefined || SERVER_FOLDERS.indexOf(to) < SERVER_FOLDERS.indexOf(serverFolder(file)!);
    });
    expect(upward).toEqual([]);
  });

  it("has no import circle anywhere in src/", () => {
    const imports = [...importsUnder("server"), ...importsUnder("client"), ...importsUnder("shared")];
    expect(circles(imports)).toEqual([]);
    // The check finds a circle when there is one.
    expect(circles([...imports, { file: "shared/protocol", target: "shared/codec" }])).not.toEqual([]);
  });

  it("bundles no server code into the browser client", async () => {
    const result = await build({
      entryPoints: [join(SRC, "client/main.ts")],
      bundle: true,
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain("src/shared/protocol.ts");
    expect(inputs.filter((input) => !/^src\/(client|shared)\//.test(input))).toEqual([]);
    const bundle = result.outputFiles[0]!.text;
    for (const setting of [
      "HISTORY_RETAINED",
      "RATE_LIMIT_BURST",
      "FLOOD_CLOSE_AFTER",
      "must be a positive whole number",
    ]) {
      expect(bundle).not.toContain(setting);
    }
  });
});
