// Messages that change in a room of many objects (SHARD_CAPACITY 2: ann and bob on the hub, cat and dan on shard 1).
// Every test of test/worker/room runs on such rooms too; this is what only sharding has: a hub that restarts after
// storing changes whose delivery to a shard was lost with it tells that shard what it missed, in the log's order,
// each once, so that its members end as a reader who reads it all from history.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RoomShard } from "../../../src/server/shards/shard";
import { shardName } from "../../../src/server/shards/wire";
import type { MessageChanges } from "../../../src/server/storage/message-changes";
import type { RoomStorage } from "../../../src/server/storage/room-storage";
import { type Client, joinNative, type Packet, sleep, uniqueRoom } from "../client";
import { MessageModel } from "../message-model";

/** Crashes one object, as the runtime would: its sockets drop (1006), its storage stays. */
async function crash(stub: DurableObjectStub): Promise<void> {
  await expect(runInDurableObject(stub, (_, state) => state.abort("crash"))).rejects.toThrow("crash");
}

const socketsOn = (stub: DurableObjectStub) => runInDurableObject(stub, (_, state) => state.getWebSockets().length);

const modelOf = (client: Client) => {
  const model = new MessageModel();
  model.applyAll(client.received);
  return model;
};

describe("messages that change on shards", () => {
  it("replays to a shard the changes its hub stored but could not deliver before it restarted, in order, once", async () => {
    const room = uniqueRoom("shard-missed-changes");
    const ann = await joinNative(room, "ann");
    await joinNative(room, "bob");
    const cat = await joinNative(room, "cat");
    const dan = await joinNative(room, "dan");
    expect(await socketsOn(env.SHARDS.getByName(shardName(room, 1)) as DurableObjectStub<RoomShard>)).toBe(2);
    // One at a time, each heard back: this pool may reorder a burst of frames from one socket in flight.
    for (const text of ["m1", "m2", "m3"]) {
      ann.client.send({ type: "chat", text });
      await dan.client.next((p) => p.type === "chat" && p.text === text);
    }
    ann.client.send({ type: "chat", text: "m4, on m3", replyTo: 3 });
    await dan.client.next((p) => p.seq === 4);

    // The hub stores changes and a chat, then crashes before anything reaches its shards (as if the delivery was
    // lost with it): written straight to its storage, the way its log writes them.
    await runInDurableObject(env.ROOMS.getByName(room), (instance) => {
      const { storage, changes } = instance as unknown as { storage: RoomStorage; changes: MessageChanges };
      storage.atomically(() => {
        changes.edit(2, "m2, edited in the dark", Date.now());
        changes.delete(3, true);
        const reaction = { seq: 1, reaction: "👍", author: "member:x", name: "ann", on: true };
        changes.react(reaction, 5, new Map());
        storage.insert({ ts: Date.now(), sender: { id: 1, name: "ann", guest: true }, text: "m8" });
        changes.edit(2, "m2, edited twice in the dark", Date.now());
      });
    });
    await crash(env.ROOMS.getByName(room));

    // The hub starts again at the shard's next frame, and first tells its shard what it missed.
    cat.client.send({ type: "chat", text: "after" });
    const after = await dan.client.next((p) => p.type === "chat" && p.text === "after");
    expect(after.seq).toBe(10);
    const replayed = dan.client.received.slice(dan.client.received.findIndex((p) => p.seq === 4) + 1);
    const positions = replayed
      .filter((p) => p.at !== undefined || p.type === "chat")
      .map((p) => [p.type, p.at ?? p.seq]);
    // Each message's newest state, at its newest position; the positions skipped (the first edit) show as a gap.
    expect(positions).toEqual([
      ["deleted", 6],
      ["reactions", 7],
      ["chat", 8],
      ["edited", 9],
      ["chat", 10],
    ]);
    await sleep(100);
    expect(dan.client.received.filter((p) => p.type === "edited")).toHaveLength(1);

    // What dan holds now is what a reader who reads it all from history holds.
    const fresh = await joinNative(room, "eve");
    expect(modelOf(dan.client).toJSON()).toBe(modelOf(fresh.client).toJSON());
    expect(modelOf(cat.client).toJSON()).toBe(modelOf(fresh.client).toJSON());
    const messages = (fresh.welcome.history as Packet[]).map((m) => [m.seq, m.text, m.deleted ?? false]);
    expect(messages).toEqual([
      [1, "m1", false],
      [2, "m2, edited twice in the dark", false],
      [3, "", true],
      [4, "m4, on m3", false],
      [8, "m8", false],
      [10, "after", false],
    ]);
  });
});
