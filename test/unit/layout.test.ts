// The boundary between the folders of src/: the browser client and the shared protocol never import the server,
// and what the browser downloads holds no server code.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

/** Every relative import of every .ts file under `folder`, as a path relative to src/. */
function importsUnder(folder: string): { file: string; target: string }[] {
  const found: { file: string; target: string }[] = [];
  for (const entry of readdirSync(join(SRC, folder), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const path = join(entry.parentPath, entry.name);
    for (const [, specifier] of readFileSync(path, "utf8").matchAll(/\bfrom\s+"(\.[^"]*)"/g)) {
      found.push({ file: relative(SRC, path), target: relative(SRC, resolve(dirname(path), specifier!)) });
    }
  }
  return found;
}

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
