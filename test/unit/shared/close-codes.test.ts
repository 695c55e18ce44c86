import { describe, expect, it } from "vitest";
import * as closeCodes from "../../../src/shared/close-codes";
import { CLOSE_CODES, isSendableCloseCode } from "../../../src/shared/close-codes";

const codes = Object.keys(CLOSE_CODES).map(Number) as (keyof typeof CLOSE_CODES)[];

describe("close codes", () => {
  it("are one table: every named constant is in it, and every code of it has a name and can be sent", () => {
    const named = Object.entries(closeCodes)
      .filter(([name]) => /^CLOSE_[A-Z_]+$/.test(name) && name !== "CLOSE_CODES" && name !== "CLOSE_NORMAL")
      .map(([, code]) => code);
    expect(new Set(named)).toEqual(new Set(codes));
    for (const code of codes) expect(isSendableCloseCode(code), String(code)).toBe(true);
    const names = codes.map((code) => CLOSE_CODES[code].name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });

  it("hold the room's own codes 4001 to 4010, and say which a client must not reconnect after", () => {
    const ours = codes.filter((code) => code >= 4000);
    expect(ours).toEqual([4001, 4002, 4003, 4008, 4009, 4010]);
    expect(codes.filter((code) => !CLOSE_CODES[code].reconnect)).toEqual([4001, 4002, 4003, 4009, 4010]);
  });
});
