// The room's storage on the runtime's own SQLite: what it keeps of the history, beyond what members see.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RoomStorage } from "../../src/server/room-storage";
import { uniqueRoom } from "./client";

const sender = { id: 1, name: "ann" };

describe("retained history", () => {
  it("serves exactly the newest HISTORY_RETAINED messages, and deletes older ones in blocks, not with every append", async () => {
    await runInDurableObject(env.ROOMS.getByName(uniqueRoom("retained")), (_, state) => {
      const storage = new RoomStorage(state.storage, 40, 1_000_000);
      const rows = () => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM messages`).one().n;
      const seqs = () => storage.page(500).messages.map((message) => message.seq);
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

      for (let i = 1; i <= 41; i++) storage.append([{ ts: 1000 + i, sender, text: `m${i}` }]);
      // One past the retained history: hidden from every read, and not yet deleted.
      expect(seqs()).toEqual(range(2, 41));
      expect(storage.page(10, { before: 3 })).toEqual({ messages: [expect.objectContaining({ seq: 2 })], more: false });
      expect(storage.oldestTs()).toBe(1002);
      expect(storage.tombstone(1)).toBe(false);
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
