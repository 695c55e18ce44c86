// Reads anyone may make that reach an object, a room's look and the directory, are limited per client address by
// the Worker (READ_LIMIT in wrangler.toml): past it, a 429 that says when to come back, and no object is reached;
// another address, and the admin, still read. The limiter itself is Cloudflare's (its count per period, checked
// against `wrangler dev` in the closing note); here a stand-in with the same interface lets through `allowed` reads
// per address, so what the Worker does with its answers is tested exactly, on any machine's pace.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../src/server/front-door/worker";
import { uniqueRoom } from "../client";

/** A rate limiter that lets `allowed` calls through per key, then none. */
function limiter(allowed: number) {
  const used = new Map<string, number>();
  return {
    async limit({ key }: { key: string }) {
      used.set(key, (used.get(key) ?? 0) + 1);
      return { success: used.get(key)! <= allowed };
    },
  };
}

/** The Worker's env with the stand-in limiter, counting the calls that reach a room or the directory. */
function counted(allowed: number) {
  const reached = { rooms: 0, directory: 0 };
  const through = <T extends object>(namespace: T, key: keyof typeof reached): T =>
    new Proxy(namespace, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (property !== "getByName" || typeof value !== "function") return value;
        return (...args: unknown[]) => {
          reached[key]++;
          return value.apply(target, args);
        };
      },
    });
  const limited = {
    ...env,
    READ_LIMIT: limiter(allowed),
    ROOMS: through(env.ROOMS, "rooms"),
    DIRECTORY: through(env.DIRECTORY, "directory"),
  } as typeof env;
  return { limited, reached };
}

const read = (limited: typeof env, path: string, address: string, headers: Record<string, string> = {}) =>
  worker.fetch(
    new Request(`http://rooms.test${path}`, { headers: { "CF-Connecting-IP": address, ...headers } }),
    limited,
  );

describe("reads from one address", () => {
  it("are refused past READ_LIMIT before any object, on the look at a room and the directory alike", async () => {
    const room = uniqueRoom("read-limit");
    const { limited, reached } = counted(3);
    const flooder = "198.51.100.77";
    // Three reads pass, whichever route: the look, the directory, the look.
    for (const path of [`/api/rooms/${room}`, "/api/rooms", `/api/rooms/${room}`])
      expect((await read(limited, path, flooder)).status).toBe(200);
    expect(reached).toEqual({ rooms: 2, directory: 1 });
    for (const path of [`/api/rooms/${room}`, "/api/rooms"]) {
      const refused = await read(limited, path, flooder);
      expect(refused.status, path).toBe(429);
      expect(refused.headers.get("Retry-After")).toBe("10");
      expect(await refused.json()).toMatchObject({ error: "too_many_requests", message: expect.any(String) });
    }
    // Refused in the Worker: no room and no directory was asked.
    expect(reached).toEqual({ rooms: 2, directory: 1 });
    // Another address reads; so does the admin, from the flooding address; a bad query is refused (400) uncounted.
    expect((await read(limited, `/api/rooms/${room}`, "198.51.100.78")).status).toBe(200);
    const admin = { Authorization: "Bearer admin-token-of-the-worker-pool" };
    expect((await read(limited, `/api/rooms/${room}`, flooder, admin)).status).toBe(200);
    for (const query of ["?limit=0", "?after=x", "?limit=1001"])
      expect((await read(limited, `/api/rooms/${room}${query}`, "198.51.100.79")).status).toBe(400);
    for (let i = 0; i < 3; i++) expect((await read(limited, `/api/rooms/${room}`, "198.51.100.79")).status).toBe(200);
  });

  it("are limited by the binding wrangler.toml declares", () => {
    // The deployment's binding is there (its count, 300 per 10 s, is Cloudflare's to keep).
    expect(typeof env.READ_LIMIT?.limit).toBe("function");
  });
});
