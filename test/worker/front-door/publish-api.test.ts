// The publish API over HTTP: who may post (PUBLISH_TOKEN "publish-token-of-the-worker-pool" or ADMIN_TOKEN
// "admin-token-of-the-worker-pool" in this pool, vitest.config.ts; no route at all with neither), what a post may
// hold (a chat's rules, JSON errors with its codes, checked before any room is reached), and the room's budget.
// What members see of posts is test/worker/room/publish.test.ts.

import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../src/server/front-door/worker";
import { joinNative, storedBy, uniqueRoom } from "../client";

const PUBLISHER = { Authorization: "Bearer publish-token-of-the-worker-pool" };
const ADMIN = { Authorization: "Bearer admin-token-of-the-worker-pool" };

const post = (room: string, body: BodyInit | null, headers: Record<string, string> = PUBLISHER, method = "POST") =>
  SELF.fetch(`http://rooms.test/api/rooms/${room}/messages`, { method, headers, body });

describe("who may publish", () => {
  it("the bearer of PUBLISH_TOKEN or ADMIN_TOKEN; nobody else, and PUBLISH_TOKEN nothing but publishing", async () => {
    const room = uniqueRoom("publish-auth");
    const { client: ann } = await joinNative(room, "ann");
    for (const headers of [
      {},
      { Authorization: "Bearer wrong" },
      { Authorization: "publish-token-of-the-worker-pool" },
    ] as Record<string, string>[]) {
      const refused = await post(room, JSON.stringify({ text: "hi" }), headers);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("WWW-Authenticate")).toContain("Bearer");
      expect(await refused.json()).toMatchObject({ error: "unauthorized" });
    }
    for (const headers of [PUBLISHER, ADMIN]) {
      const answer = await post(room, JSON.stringify({ text: "hi" }), headers);
      expect(answer.status).toBe(201);
      expect(answer.headers.get("Content-Type")).toContain("application/json");
      const { seq } = (await answer.json()) as { seq: number };
      expect(await ann.next((p) => p.type === "chat" && p.seq === seq)).toMatchObject({ text: "hi" });
    }
    const kick = await SELF.fetch(`http://rooms.test/api/rooms/${room}/kick`, {
      method: "POST",
      headers: PUBLISHER,
      body: JSON.stringify({ id: 1 }),
    });
    expect(kick.status).toBe(401);
    const get = await post(room, null, PUBLISHER, "GET");
    expect([get.status, get.headers.get("Allow")]).toEqual([405, "POST"]);
    expect((await post(`${room}/messages`, JSON.stringify({ text: "hi" }))).status).toBe(404);
  });

  it("does not exist with neither token set; with only PUBLISH_TOKEN, publishing does and the admin API does not", async () => {
    const call = (path: string, vars: Record<string, string | undefined>, body: string) =>
      worker.fetch(new Request(`http://rooms.test${path}`, { method: "POST", headers: PUBLISHER, body }), {
        ...env,
        ...vars,
      });
    const room = uniqueRoom("publish-unset");
    const neither = await call(`/api/rooms/${room}/messages`, { ADMIN_TOKEN: undefined, PUBLISH_TOKEN: "" }, "{}");
    expect([neither.status, ((await neither.json()) as { error: string }).error]).toEqual([404, "not_found"]);
    const only = { ADMIN_TOKEN: undefined };
    expect((await call(`/api/rooms/${room}/messages`, only, JSON.stringify({ text: "hi" }))).status).toBe(201);
    expect((await call(`/api/rooms/${room}/kick`, only, JSON.stringify({ id: 1 }))).status).toBe(404);
  });
});

describe("what a post may hold", () => {
  it("a chat's text and data, a name's sender; anything else is refused with a chat's error code, reaching no room", async () => {
    const room = uniqueRoom("publish-body");
    const cases: [BodyInit, number, string][] = [
      ["not json", 400, "invalid_json"],
      [new Uint8Array([0x7b, 0xff, 0x7d]), 400, "invalid_json"],
      ["[1]", 400, "invalid_packet"],
      [JSON.stringify({}), 400, "invalid_field"],
      [JSON.stringify({ text: 7 }), 400, "invalid_field"],
      [JSON.stringify({ text: "   " }), 400, "invalid_text"],
      [JSON.stringify({ text: "x".repeat(2001) }), 400, "invalid_text"],
      [JSON.stringify({ text: "bell \u0007" }), 400, "invalid_text"],
      [JSON.stringify({ text: "hi", data: [1] }), 400, "invalid_data"],
      [JSON.stringify({ text: "hi", data: { blob: "x".repeat(2100) } }), 400, "invalid_data"],
      [JSON.stringify({ text: "hi", sender: "Referee" }), 400, "invalid_field"],
      [JSON.stringify({ text: "hi", sender: { name: "Ref", id: 0 } }), 400, "invalid_field"],
      [JSON.stringify({ text: "hi", sender: { name: "Ref: the" } }), 400, "invalid_name"],
      [JSON.stringify({ text: "hi", sender: { name: "" } }), 400, "invalid_name"],
      [JSON.stringify({ text: "hi", sender: { name: "x".repeat(33) } }), 400, "invalid_name"],
      [JSON.stringify({ text: "hi", replyTo: 1 }), 400, "invalid_field"],
      // MAX_FRAME_BYTES (16 KiB), what a member's chat frame may weigh.
      [JSON.stringify({ text: "hi", pad: " ".repeat(16_384) }), 413, "too_large"],
    ];
    for (const [body, status, error] of cases) {
      const answer = await post(room, body);
      expect([answer.status, await answer.json()], String(body).slice(0, 60)).toEqual([
        status,
        { error, message: expect.any(String) },
      ]);
    }
    for (const key of ["", "x".repeat(256), "tab\tinside"]) {
      const answer = await post(room, JSON.stringify({ text: "hi" }), { ...PUBLISHER, "Idempotency-Key": key });
      expect([answer.status, ((await answer.json()) as { error: string }).error], key).toEqual([400, "invalid_field"]);
    }
    expect(await storedBy(room)).toEqual({ tables: [], alarm: null });
  });

  it("is charged to the room's budget like a chat: past it, 429 room_busy with when to retry, and nothing posted", async () => {
    const room = uniqueRoom("publish-busy");
    const { client: ann } = await joinNative(room, "ann");
    // About 10 KB a post: the room's 256 KiB a second (ROOM_BYTES_PER_SECOND) are spent in some 26.
    const heavy = JSON.stringify({ text: "😀".repeat(2000), data: { blob: "x".repeat(2000) } });
    // Eight at a time, so that even a slow machine posts faster than the budget.
    let busy: { answer: Response; key: string } | undefined;
    let stored = 0;
    for (let round = 0; round < 20 && !busy; round++) {
      const keys = Array.from({ length: 8 }, (_, i) => `rush-${round}-${i}`);
      const answers = await Promise.all(
        keys.map(async (key) => ({ key, answer: await post(room, heavy, { ...PUBLISHER, "Idempotency-Key": key }) })),
      );
      for (const { key, answer } of answers) {
        if (answer.status === 201) stored++;
        else busy ??= { answer, key };
      }
    }
    expect(busy?.answer.status).toBe(429);
    const { answer, key } = busy!;
    const body = (await answer.json()) as { error: string; retryAfterMs: number };
    expect(body).toEqual({ error: "room_busy", message: expect.any(String), retryAfterMs: expect.any(Number) });
    expect(Number(answer.headers.get("Retry-After"))).toBe(Math.max(1, Math.ceil(body.retryAfterMs / 1000)));
    expect((await env.ROOMS.getByName(room).info()).lastSeq).toBe(stored);
    // The backend is one sender among the members: a member within its share still chats meanwhile.
    ann.send({ type: "chat", text: "still here" });
    expect(await ann.next((p) => p.type === "error" || (p.type === "chat" && p.text === "still here"))).toMatchObject({
      type: "chat",
      seq: stored + 1,
    });

    // A refused post's key is not kept: once the room has room again, its retry posts it.
    let retry: Response;
    do {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      retry = await post(room, heavy, { ...PUBLISHER, "Idempotency-Key": key });
    } while (retry.status === 429);
    expect([retry.status, retry.headers.get("Idempotent-Replayed"), await retry.json()]).toEqual([
      201,
      null,
      { seq: stored + 2 },
    ]);
  });
});
