// docs/protocol.md lists for people the close codes that src/shared/close-codes.ts holds for programs.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, it } from "vitest";
import { CLOSE_CODES } from "../../src/shared/close-codes.ts";

it("docs/protocol.md lists every close code the room sends", () => {
  const doc = readFileSync(resolve(import.meta.dirname, "../../docs/protocol.md"), "utf8");
  const codes = Object.keys(CLOSE_CODES);
  expect(codes.length).toBeGreaterThan(5);
  for (const code of codes) expect(doc, code).toContain(`| **${code}** |`);
});
