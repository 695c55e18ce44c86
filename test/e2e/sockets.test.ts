// End to end, what only a real runtime shows of a socket's life: which extensions it negotiates, what it does with a
// compressed frame, and how long a socket the room closed keeps counting. The raw client (tools/raw-websocket.ts)
// does what a client library will not: sets the compression bit unasked, leaves the room's close unanswered.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { deflateBomb, openRaw, type RawSocket } from "../../tools/raw-websocket.ts";

const JOIN_TIMEOUT_SECONDS = 2;
const MAX_CONNECTIONS_PER_ADDRESS = 3;

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ vars: { JOIN_TIMEOUT_SECONDS, MAX_CONNECTIONS_PER_ADDRESS } });
});
afterAll(async () => {
  await server?.dispose();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * Longer than the runtime keeps an idle object in memory (about 10 s). From outside, nothing shows that it did
 * evict the room (a look inside would keep it awake): test/worker/room/room.test.ts sees an eviction happen.
 */
const IDLE_PAST_EVICTION_MS = 12_000;

describe("sockets", () => {
  it("negotiates no compression, even with a client that offers it", async () => {
    const ws = new WebSocket(`${server.wsUrl}/rooms/deflate`, {
      perMessageDeflate: true,
      headers: { "CF-Connecting-IP": "192.0.2.1" },
    });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    expect(ws.extensions).toBe("");
    ws.terminate();
  });

  it("refuses a compressed frame unread (1002), so a compression bomb is never inflated", async () => {
    const raw = await openRaw(`${server.wsUrl}/rooms/deflate`, {
      address: "192.0.2.2",
      offerDeflate: true,
      answerClose: true,
    });
    expect(raw.status).toBe(101);
    // 4 MiB once inflated: a room that took it would close with 1009 (too big), after inflating it.
    raw.send(deflateBomb(4 * 1024 * 1024), { compressed: true });
    await expect.poll(() => raw.closeFrame?.code, { timeout: 10_000 }).toBe(1002);
    raw.destroy();
  });

  it("closes a connection that never joins at the join timeout, to the second", async () => {
    const raw = await openRaw(`${server.wsUrl}/rooms/silent`, { address: "192.0.2.3", answerClose: true });
    const openedAt = performance.now();
    await expect.poll(() => raw.closeFrame, { timeout: 10_000 }).toBeDefined();
    expect(raw.closeFrame!.code).toBe(4008);
    expect((raw.closeFrame!.at - openedAt) / 1000).toBeCloseTo(JOIN_TIMEOUT_SECONDS, 0);
    raw.destroy();
  });

  it("counts a socket whose close is unanswered against its address until the runtime reports it gone, also after the room sat idle past eviction", async () => {
    const url = `${server.wsUrl}/rooms/unanswered`;
    const address = "192.0.2.4";
    const silent: RawSocket[] = [];
    for (let i = 0; i < MAX_CONNECTIONS_PER_ADDRESS; i++) silent.push(await openRaw(url, { address }));
    expect(silent.map((raw) => raw.status)).toEqual(silent.map(() => 101));
    // The room closes them at the join timeout; they never answer.
    await expect.poll(() => silent.every((raw) => raw.closeFrame?.code === 4008), { timeout: 10_000 }).toBe(true);
    expect(silent.every((raw) => raw.endedAt === undefined)).toBe(true);
    const refused = await openRaw(url, { address });
    expect(refused.status).toBe(429);

    // Idle for longer than the runtime keeps an object in memory: a room re-created from the sockets' attachments
    // must count them still.
    await sleep(IDLE_PAST_EVICTION_MS);
    const afterEviction = await openRaw(url, { address });
    expect(afterEviction.status).toBe(429);

    // Answered at last: the runtime reports them closed, and the address may connect again.
    for (const raw of silent) raw.close(4008);
    await expect
      .poll(
        async () => {
          const again = await openRaw(url, { address });
          again.destroy();
          return again.status;
        },
        { timeout: 10_000, interval: 500 },
      )
      .toBe(101);
    for (const raw of silent) raw.destroy();
  }, 60_000);
});
