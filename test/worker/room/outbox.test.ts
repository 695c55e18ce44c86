// The outbox on the room's real SQLite: the chats of one burst, whoever sent them, are stored in one write (one
// transaction), so a burst of N costs one commit, not N, and is stored whole or not at all.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatRoom } from "../../../src/server/room/room";
import { joinNative, type Packet, sleep, uniqueRoom } from "../client";

/** A room where ann and bob have joined; their chats are then sent as one burst, straight to the room's sockets. */
async function twoMembers(label: string) {
  const room = uniqueRoom(label);
  const ann = await joinNative(room, "ann");
  const bob = await joinNative(room, "bob");
  return { room, stub: env.ROOMS.getByName(room), clients: [ann.client, bob.client] };
}

/**
 * Delivers `texts` to the room as chats of its members in turn, all within one turn of its event loop (as frames
 * arriving together are), then waits until the outbox has delivered them.
 */
async function burst(instance: ChatRoom, sockets: WebSocket[], texts: string[]): Promise<void> {
  await Promise.all(
    texts.map((text, index) =>
      instance.webSocketMessage(sockets[index % sockets.length]!, JSON.stringify({ type: "chat", text })),
    ),
  );
  await sleep(50);
}

const chatsOf = (received: Packet[]) => received.filter((p) => p.type === "chat");

describe("a burst of chats", () => {
  it("is stored in one transaction, whoever sent its chats", async () => {
    const { stub, clients } = await twoMembers("burst-one-write");
    const texts = ["one", "two", "three", "four", "five", "six"];
    const transactions = await runInDurableObject(stub, async (instance: ChatRoom, state) => {
      const { storage } = state;
      const { sql } = storage;
      // Every statement that stores a message, by the transaction it ran in (-1: none).
      const inserts: { transaction: number; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }[] = [];
      let transactions = 0;
      let current = -1;
      const { transactionSync, exec } = { transactionSync: storage.transactionSync, exec: sql.exec };
      storage.transactionSync = <T>(closure: () => T): T => {
        const outer = current;
        current = transactions++;
        try {
          return transactionSync.call(storage, closure) as T;
        } finally {
          current = outer;
        }
      };
      sql.exec = ((query: string, ...bindings: unknown[]) => {
        const cursor = exec.call(sql, query, ...bindings);
        if (/^\s*INSERT INTO messages/.test(query)) inserts.push({ transaction: current, cursor });
        return cursor;
      }) as typeof sql.exec;
      try {
        await burst(instance, state.getWebSockets(), texts);
      } finally {
        storage.transactionSync = transactionSync;
        sql.exec = exec;
      }
      // Per transaction that stored messages: the rows it wrote to them.
      const rows = new Map<number, number>();
      for (const { transaction, cursor } of inserts)
        rows.set(transaction, (rows.get(transaction) ?? 0) + cursor.rowsWritten);
      return [...rows].map(([transaction, written]) => ({ inTransaction: transaction >= 0, written }));
    });
    expect(transactions).toEqual([{ inTransaction: true, written: texts.length }]);
    for (const client of clients) {
      const heard = await client.collect((p) => p.type === "chat", texts.length);
      expect(heard.map((p) => [p.seq, p.text])).toEqual(texts.map((text, index) => [index + 1, text]));
    }
  });

  it("is stored whole or not at all: a chat SQLite refuses takes the rest of its burst with it", async () => {
    const { stub, clients } = await twoMembers("burst-all-or-nothing");
    const texts = ["first", "second", "refused", "fourth"];
    const stored = await runInDurableObject(stub, async (instance: ChatRoom, state) => {
      const { sql } = state.storage;
      sql.exec(`CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.text = 'refused'
        BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
      try {
        await burst(instance, state.getWebSockets(), texts);
      } finally {
        sql.exec(`DROP TRIGGER refuse`);
      }
      return sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM messages`).one().n;
    });
    expect(stored).toBe(0);
    // Every sender hears that its chats were not stored; nobody hears any of them.
    const refusals = await Promise.all(
      clients.map((client) => client.collect((p) => p.type === "error" && p.code === "internal_error", 2)),
    );
    expect(refusals.flat()).toHaveLength(texts.length);
    await sleep(50);
    for (const client of clients) expect(chatsOf(client.received)).toEqual([]);

    // The room goes on: the next burst is stored, numbered from where the sequence stood.
    clients[0]!.send({ type: "chat", text: "again" });
    expect(await clients[1]!.nextOfType("chat")).toMatchObject({ seq: 1, text: "again" });
  });
});
