// The behaviour sections of the SDK's and the Godot addon's docs sum up the rules of the shared spec
// (clients/spec/scenarios.json), each by its id, so that a rule added to the spec is not missing from them.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const rules = Object.keys(
  (JSON.parse(readFileSync(`${ROOT}/clients/spec/scenarios.json`, "utf8")) as { rules: object }).rules,
);

describe("the docs' behaviour sections", () => {
  it.each(["docs/client-sdk.md", "clients/godot/addons/edge_chat/README.md"])(
    "%s sums up every rule of the spec",
    (doc) => {
      const text = readFileSync(`${ROOT}/${doc}`, "utf8");
      expect(rules.length).toBeGreaterThan(10);
      for (const rule of rules) expect(text, rule).toContain(`- \`${rule}\`: `);
    },
  );
});
