import { describe, expect, it } from "vitest";
import { clientAddress } from "../../../../src/server/connections/requests";

const from = (ip?: string) =>
  clientAddress(new Request("https://rooms.example/", ip ? { headers: { "CF-Connecting-IP": ip } } : {}));

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

describe("clientAddress of an IPv4-mapped IPv6 address", () => {
  it("counts it as the IPv4 address it carries, not as one /64 shared by every such client", () => {
    expect(from("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(from("::FFFF:198.51.100.1")).toBe("198.51.100.1");
    expect(from("0:0:0:0:0:ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(from("::ffff:cb00:7107")).toBe("203.0.113.7");
    expect(from("::ffff:203.0.113.7")).not.toBe(from("::ffff:203.0.113.8"));
  });

  it("leaves other addresses with a dotted tail or ffff group as IPv6", () => {
    expect(from("64:ff9b::203.0.113.7")).toBe("64:ff9b:0:0::/64");
    expect(from("2001:db8::ffff:1:2")).toBe("2001:db8:0:0::/64");
  });
});
