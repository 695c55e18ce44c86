// The room's storage on the runtime's own SQLite: what it keeps of the history, beyond what members see.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MessageChanges } from "../../../src/server/storage/message-changes";
import { RoomStorage } from "../../../src/server/storage/room-storage";
import { Schema } from "../../../src/server/storage/schema";
import { uniqueRoom } from "../client";

const sender = { id: 1, name: "ann" };

describe("retained history", () => {
  it("serves exactly the newest HISTORY_RETAINED messages, and deletes older ones in blocks, not with every append", async () => {
    await runInDurableObject(env.ROOMS.getByName(uniqueRoom("retained")), (_, state) => {
      const storage = new RoomStorage(new Schema(state.storage), 40, 1_000_000);
      const rows = () => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM messages`).one().n;
      const seqs = () => storage.page(500).messages.map((message) => message.seq);
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

      for (let i = 1; i <= 41; i++) storage.append([{ ts: 1000 + i, sender, text: `m${i}` }]);
      // One past the retained history: hidden from every read, and not yet deleted.
      expect(seqs()).toEqual(range(2, 41));
      expect(storage.page(10, { before: 3 })).toEqual({ messages: [expect.objectContaining({ seq: 2 })], more: false });
      expect(storage.oldestTs()).toBe(1002);
      expect(storage.isPastRetention(1)).toBe(true);
      expect(rows()).toBe(41);

      // 64 past it: deleted together, with the append that made them 64.
      for (let i = 42; i <= 103; i++) storage.append([{ ts: 1000 + i, sender, text: `m${i}` }]);
      expect(rows()).toBe(103);
      storage.append([{ ts: 1104, sender, text: "m104" }]);
      expect(rows()).toBe(40);
      expect(seqs()).toEqual(range(65, 104));

      // However many come, the table never holds more than the retained history and one block.
      for (let i = 105; i <= 400; i += 5) {
        storage.append(range(i, i + 4).map((seq) => ({ ts: 1000 + seq, sender, text: `m${seq}` })));
        expect(rows()).toBeLessThan(40 + 64);
      }
      expect(seqs()).toEqual(range(365, 404));
      expect(storage.newestSeq).toBe(404);
    });
  });
});

describe("chat ids", () => {
  it("takes chat ids in a room from before them (tombstones included): migrated as it starts, its history kept", async () => {
    await runInDurableObject(env.ROOMS.getByName(uniqueRoom("migrate")), (_, state) => {
      const { sql } = state.storage;
      // The table as rooms made it before chat ids (and before schema versions): tombstones existed already.
      sql.exec(`CREATE TABLE messages (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, sender_id INTEGER NOT NULL,
        sender_name TEXT NOT NULL, text TEXT NOT NULL, sender_user TEXT, deleted INTEGER NOT NULL DEFAULT 0)`);
      sql.exec(`CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`);
      sql.exec(
        `INSERT INTO messages (seq, ts, sender_id, sender_name, text, deleted) VALUES (1, 1001, 1, 'ann', 'hi', 0), (2, 1002, 1, 'ann', '', 1)`,
      );
      const storage = new RoomStorage(new Schema(state.storage), 40, 1_000_000);
      expect(sql.exec(`SELECT * FROM messages LIMIT 0`).columnNames).toEqual(expect.arrayContaining(["cid", "author"]));
      expect(storage.page(10).messages).toEqual([
        { seq: 1, ts: 1001, sender, text: "hi" },
        { seq: 2, ts: 1002, sender, text: "", deleted: true },
      ]);
      const first = storage.append([{ ts: 1003, sender, text: "once", cid: "c1", author: "member:a" }]);
      const again = storage.append([
        { ts: 1004, sender, text: "twice", cid: "c1", author: "member:a" },
        { ts: 1004, sender, text: "other author", cid: "c1", author: "member:b" },
        { ts: 1004, sender, text: "in one batch", cid: "c2", author: "member:a" },
        { ts: 1004, sender, text: "in one batch again", cid: "c2", author: "member:a" },
      ]);
      expect(again.map(({ message, duplicate }) => [message.seq, message.text, duplicate])).toEqual([
        [3, "once", true],
        [4, "other author", false],
        [5, "in one batch", false],
        [5, "in one batch", true],
      ]);
      expect(first[0]!.message).toEqual({ seq: 3, ts: 1003, sender, cid: "c1", text: "once" });
      expect(storage.page(10).messages.at(-1)).toEqual({ seq: 5, ts: 1004, sender, text: "in one batch", cid: "c2" });
      expect(storage.newestSeq).toBe(5);
    });
  });
});

describe("changes to messages", () => {
  it("take positions in the retained history, are pruned with them, and a deletion still tells of replies", async () => {
    await runInDurableObject(env.ROOMS.getByName(uniqueRoom("changes-retained")), (_, state) => {
      const schema = new Schema(state.storage);
      const storage = new RoomStorage(schema, 40, 1_000_000);
      const changes = new MessageChanges(schema, storage);
      const count = (table: string) =>
        state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
      const edit = (text: string, ts: number) => storage.atomically(() => changes.edit(2, text, ts));
      storage.append([{ ts: 1, sender, text: "original", author: "member:a" }]);
      storage.append([{ ts: 2, sender, text: "reply", author: "member:b", replyTo: 1 }]);
      const thumb = { seq: 2, reaction: "👍", author: "member:b", name: "bob", on: true };
      expect(storage.atomically(() => changes.react(thumb, 5, new Map()))).toBe("applied");
      expect(storage.atomically(() => changes.delete(1, false))).toBe(4);
      // A write that fails leaves nothing: not its change, nor its position.
      expect(() =>
        storage.atomically(() => {
          changes.edit(2, "lost", 3);
          throw new Error("disk full");
        }),
      ).toThrow("disk full");
      expect(storage.newestSeq).toBe(4);
      expect(changes.changedSince(0, 10, 1e6).messages.map((m) => m.text)).toEqual(["", "reply"]);
      for (let i = 1; i <= 37; i++) edit(`reply, take ${i}`, 3 + i);
      // 41 positions: the original is past the retained history, yet its deletion still tells that the reply's
      // quote changed, to a reader who holds the reply from before.
      expect([storage.newestSeq, changes.held(1), storage.isPastRetention(1), storage.isPastRetention(2)]).toEqual([
        41,
        undefined,
        true,
        false,
      ]);
      expect(changes.changedSince(2, 10, 1e6, 2).messages).toEqual([
        {
          seq: 2,
          ts: 2,
          sender,
          text: "reply, take 37",
          edited: 40,
          replyTo: { seq: 1, name: "ann", text: "", deleted: true },
          reactions: [{ reaction: "👍", count: 1, by: ["bob"] }],
        },
      ]);
      expect(changes.missedSince(3)).toEqual([
        { at: 4, packet: { type: "deleted", seq: 1, at: 4 } },
        { at: 41, packet: { type: "edited", seq: 2, at: 41, text: "reply, take 37", edited: 40 } },
      ]);
      // Pruned a block at a time, positions up to 64 past the retained history: messages (a message edited ever
      // since too), the records of changes at those positions, the reactions to those messages.
      for (let i = 38; i <= 99; i++) edit(`reply, take ${i}`, 3 + i);
      expect([storage.newestSeq, count("messages"), count("changes"), count("reactions")]).toEqual([103, 2, 101, 1]);
      storage.atomically(() => {
        changes.edit(2, "reply, final", 200);
        storage.prune();
      });
      expect([storage.newestSeq, count("messages"), count("changes"), count("reactions")]).toEqual([104, 0, 40, 0]);
    });
  });
});
