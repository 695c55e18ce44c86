// The audit log: every moderation action, by a moderator in the room or by the admin API, read back newest first
// through the admin API (`GET /api/rooms/<name>/audit`), paged, bounded; a read writes nothing.

import { abortAllDurableObjects, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AuditLog, MAX_AUDIT_ENTRIES } from "../../../src/server/moderation/audit-log";
import { Schema } from "../../../src/server/storage/schema";
import { type Packet, storedBy, uniqueRoom } from "../client";
import { admin, member, moderatorOf, say } from "./members";

const auditOf = async (room: string, query = "") => (await admin(room, `audit${query}`)).json() as Promise<Packet>;

describe("audit log", () => {
  it("lists every moderation action, newest first, with who took it and on whom", async () => {
    const room = uniqueRoom("audit-all");
    const mod = await moderatorOf(room);
    const by = { id: mod.id, name: "Mod mod-1", user: "mod-1" };
    const author = await member(room, { sub: "u-a", name: "Author" });
    const kicked = await member(room, undefined, "192.0.2.1", "kicked");
    const seq = await say(author.client, "delete me");
    const own = await say(author.client, "I take this back");
    author.client.send({ type: "delete", seq: own });
    await author.client.next((p) => p.type === "deleted" && p.seq === own);

    mod.client.send({ type: "kick", id: kicked.id, reason: "go" });
    await kicked.client.closed;
    mod.client.send({ type: "delete", seq });
    await mod.client.next((p) => p.type === "deleted" && p.seq === seq);
    mod.client.send({ type: "mute", id: author.id, minutes: 5, reason: "calm" });
    const { until } = await mod.client.nextOfType("muted");
    mod.client.send({ type: "unmute", user: "u-a" });
    await mod.client.nextOfType("unmuted");
    mod.client.send({ type: "ban", id: author.id, reason: "enough" });
    await mod.client.nextOfType("banned");
    mod.client.send({ type: "unban", user: "u-a" });
    await mod.client.nextOfType("unbanned");
    await admin(room, "blocked-words", "PUT", { words: ["one", "two"] });
    await admin(room, "blocked-words", "PUT", { words: ["two", "three", "four"] });
    expect((await admin(room, "mute", "POST", { user: "u-far" })).status).toBe(200);

    // Kept across a restart of the room.
    await abortAllDurableObjects();
    const { entries, more } = await auditOf(room);
    expect(more).toBe(false);
    const shown = (entries as Packet[]).map(({ id: _id, at: _at, ...entry }) => entry);
    expect(shown).toEqual([
      { action: "mute", by: "admin", target: { user: "u-far" } },
      { action: "blocked_words", by: "admin", details: { count: 3, added: 2, removed: 1 } },
      { action: "blocked_words", by: "admin", details: { count: 2, added: 2, removed: 0 } },
      { action: "unban", by, target: { user: "u-a" } },
      { action: "ban", by, target: { id: author.id, name: "Author", user: "u-a" }, details: { reason: "enough" } },
      { action: "unmute", by, target: { user: "u-a" } },
      {
        action: "mute",
        by,
        target: { id: author.id, name: "Author", user: "u-a" },
        details: { reason: "calm", until },
      },
      { action: "delete", by, target: { seq } },
      { action: "kick", by, target: { id: kicked.id, name: "kicked" }, details: { reason: "go" } },
    ]);
    const ids = (entries as Packet[]).map((entry) => entry.id as number);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    for (const entry of entries as Packet[]) expect(entry.at).toBeLessThanOrEqual(Date.now());
  });

  it("pages with before and limit, and says when there are more", async () => {
    const room = uniqueRoom("audit-pages");
    for (const user of ["u1", "u2", "u3", "u4", "u5"]) await admin(room, "mute", "POST", { user });
    const first = await auditOf(room, "?limit=2");
    const users = (page: Packet) => (page.entries as Packet[]).map((entry) => (entry.target as Packet).user);
    expect([users(first), first.more]).toEqual([["u5", "u4"], true]);
    const last = (first.entries as Packet[]).at(-1)!.id;
    const second = await auditOf(room, `?before=${last}&limit=2`);
    expect([users(second), second.more]).toEqual([["u3", "u2"], true]);
    const third = await auditOf(room, `?before=${(second.entries as Packet[]).at(-1)!.id}&limit=2`);
    expect([users(third), third.more]).toEqual([["u1"], false]);
  });

  it("answers a room with no log with an empty page, and writes nothing; refuses bad queries", async () => {
    const room = uniqueRoom("audit-empty");
    expect(await auditOf(room)).toEqual({ entries: [], more: false });
    expect(await storedBy(room)).toEqual({ tables: [], alarm: null });
    // A room with members and history but no moderation: an empty page too, and the read adds nothing.
    const busy = uniqueRoom("audit-none");
    await say((await member(busy, undefined, undefined, "talker")).client, "hi");
    const before = await storedBy(busy);
    expect(await auditOf(busy)).toEqual({ entries: [], more: false });
    const count = () =>
      runInDurableObject(
        env.ROOMS.getByName(busy),
        (_, state) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_log`).one().n,
      );
    expect([await storedBy(busy), await count()]).toEqual([before, 0]);

    for (const query of ["?limit=0", "?limit=201", "?limit=x", "?before=0", "?before=1.5", "?limit=-1"]) {
      const response = await admin(room, `audit${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_field" });
    }
    const post = await admin(room, "audit", "POST", {});
    expect([post.status, post.headers.get("Allow")]).toEqual([405, "GET"]);
    expect((await admin(room, "audit", "GET", undefined)).status).toBe(200);
  });

  it(`keeps the newest ${MAX_AUDIT_ENTRIES} entries`, async () => {
    const room = uniqueRoom("audit-bounded");
    await runInDurableObject(env.ROOMS.getByName(room), (_, state) => {
      const log = new AuditLog(new Schema(state.storage));
      for (let i = 1; i <= MAX_AUDIT_ENTRIES + 5; i++)
        log.append({ action: "unban", target: { user: `u${i}` } }, "admin", Date.now());
    });
    // The room object met its storage before these were written behind its back: it reads it afresh.
    await abortAllDurableObjects();
    const page = await auditOf(room, "?limit=200");
    expect((page.entries as Packet[])[0]).toMatchObject({ target: { user: `u${MAX_AUDIT_ENTRIES + 5}` } });
    const count = await runInDurableObject(env.ROOMS.getByName(room), (_, state) =>
      state.storage.sql
        .exec<{ n: number; oldest: number }>(`SELECT COUNT(*) AS n, MIN(id) AS oldest FROM audit_log`)
        .one(),
    );
    expect(count).toEqual({ n: MAX_AUDIT_ENTRIES, oldest: 6 });
  });
});
