// The room's storage on the runtime's own SQLite: what it keeps of the history, beyond what members see.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
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
