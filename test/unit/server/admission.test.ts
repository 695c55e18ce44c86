import { describe, expect, it } from "vitest";
import { clientAddress } from "../../../src/server/admission";

const from = (ip?: string) => clientAddress(new Request("https://rooms.example/", ip ? { headers: { "CF-Connecting-IP": ip } } : {}));

describe("clientAddress", () => {
  it("counts an IPv4 address as itself, and an IPv6 address as its /64", () => {
    expect(from("203.0.113.7")).toBe("203.0.113.7");
    expect(from("2001:db8:85a3:0042:1000:8a2e:0370:7334")).toBe("2001:db8:85a3:42::/64");
    expect(from("2001:DB8:85A3:42::1")).toBe("2001:db8:85a3:42::/64");
    expect(from("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(from("::1")).toBe("0:0:0:0::/64");
    expect(from()).toBeUndefined();
  });
});
