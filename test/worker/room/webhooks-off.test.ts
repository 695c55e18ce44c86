// WEBHOOK_URL is unset in this pool, as by default: a room records nothing for webhooks, sends nothing, and shows
// nothing of them (the rooms of test/worker/webhooks/ have them on, in a pool of their own).

import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { joinNative, uniqueRoom } from "../client";

describe("a room without webhooks", () => {
  it("writes no row for them, whatever happens in it, and shows nothing of them", async () => {
    const room = uniqueRoom("no-webhooks");
    const { client: ann } = await joinNative(room, "ann");
    const { client: bob } = await joinNative(room, "bob");
    ann.send({ type: "chat", text: "hello" });
    const { seq } = await bob.next((p) => p.type === "chat" && p.text === "hello");
    ann.send({ type: "delete", seq });
    await bob.nextOfType("deleted");
    bob.socket.close(1000);
    await ann.next((p) => p.type === "leave");
    const rows = await runInDurableObject(env.ROOMS.getByName(room), (_, state) =>
      ["webhook_events", "webhook_cursor", "webhook_members"].map(
        (table) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n,
      ),
    );
    expect(rows).toEqual([0, 0, 0]);
    expect(await env.ROOMS.getByName(room).info()).not.toHaveProperty("webhook");
    const asAdmin = await SELF.fetch(`http://rooms.test/api/rooms/${room}`, {
      headers: { Authorization: "Bearer admin-token-of-the-worker-pool" },
    });
    expect(await asAdmin.json()).not.toHaveProperty("webhook");
  });
});
