import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../../../src/server/directory/cursor";

describe("a directory cursor", () => {
  it("comes back as the room it was made from, in characters a query takes as they are", () => {
    const cursor = encodeCursor({ members: 1234, name: "ranked_eu-7.a" });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ members: 1234, name: "ranked_eu-7.a" });
  });

  it("is refused when it is not one the directory made", () => {
    const made = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "");
    for (const raw of ["", "%%", "abc", made([1]), made([-1, "a"]), made([1.5, "a"]), made([1, "a/b"]), made({})])
      expect(decodeCursor(raw), raw).toBeUndefined();
  });
});
