// Reads anyone may make that reach an object, a room's look and the directory, are limited per client address by
// the Worker (READ_LIMIT in wrangler.toml: 300 per 10 s): past it, a 429 that says when to come back; another
// address, and the admin, still read.

import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { uniqueRoom } from "../client";

const READ_LIMIT = 300;

const read = (path: string, address: string, headers: Record<string, string> = {}) =>
  SELF.fetch(`http://rooms.test${path}`, { headers: { "CF-Connecting-IP": address, ...headers } });

describe("reads from one address", () => {
  it("are refused past READ_LIMIT, on the look at a room and the directory alike; others still read", async () => {
    const room = uniqueRoom("read-limit");
    // An address no other test uses, so its count is this test's alone.
    const flooder = "198.51.100.77";
    const routes = [`/api/rooms/${room}`, "/api/rooms"];
    let passed = 0;
    const refusedOn = new Set<string>();
    // The limit's window may turn over while this runs (it counts per period): then more than the limit may pass
    // before the first refusal, never fewer.
    for (let i = 0; i < 3 * READ_LIMIT && refusedOn.size < routes.length; i++) {
      const path = routes[i % routes.length]!;
      const answer = await read(path, flooder);
      if (answer.status === 200) {
        if (refusedOn.size === 0) passed++;
        await answer.arrayBuffer();
        continue;
      }
      expect(answer.status).toBe(429);
      expect(answer.headers.get("Retry-After")).toBe("10");
      expect(await answer.json()).toMatchObject({ error: "too_many_requests" });
      refusedOn.add(path);
    }
    expect(passed).toBeGreaterThanOrEqual(READ_LIMIT);
    expect([...refusedOn].sort()).toEqual([...routes].sort());
    // Another address reads; so does the admin, from the flooding address.
    expect((await read(`/api/rooms/${room}`, "198.51.100.78")).status).toBe(200);
    const admin = await read(`/api/rooms/${room}`, flooder, { Authorization: "Bearer admin-token-of-the-worker-pool" });
    expect(admin.status).toBe(200);
  });
});
