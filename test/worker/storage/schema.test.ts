// The room's schema on the runtime's own SQLite: nothing until the first write, the latest version after it, and
// every older database, recorded versions and rooms from before them alike, brought to the same latest.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AddressHashes } from "../../../src/server/moderation/address-hashes";
import { BanList } from "../../../src/server/moderation/ban-list";
import { HubRoster } from "../../../src/server/shards/hub-roster";
import { PublishKeys } from "../../../src/server/storage/publish-keys";
import { RoomStorage } from "../../../src/server/storage/room-storage";
import { LATEST_VERSION, migrate, Schema } from "../../../src/server/storage/schema";
import { WebhookStore } from "../../../src/server/storage/webhook-store";
import { uniqueRoom } from "../client";

const sender = { id: 1, name: "ann" };

/** What the database is made of: every table with its columns, and every index; the runtime's own (`_cf_…`) left out. */
function shapeOf(sql: SqlStorage) {
  return sql
    .exec<{ type: string; name: string }>(`SELECT type, name FROM sqlite_master ORDER BY type, name`)
    .toArray()
    .filter(({ name }) => !name.startsWith("_cf_"))
    .map(({ type, name }) =>
      type === "table"
        ? {
            table: name,
            columns: sql.exec(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)`, name).toArray(),
          }
        : { [type]: name },
    );
}

const versionOf = (sql: SqlStorage) =>
  sql.exec<{ version: number }>(`SELECT version FROM schema_version`).one().version;

/** A room's database in `prepare`'s state, then opened by this code as a room would open it. */
function inRoom<T>(label: string, prepare: (storage: DurableObjectStorage) => void, then: (opened: Opened) => T) {
  return runInDurableObject(env.ROOMS.getByName(uniqueRoom(label)), (_, state) => {
    prepare(state.storage);
    const schema = new Schema(state.storage);
    const hashes = new AddressHashes(schema);
    return then({
      sql: state.storage.sql,
      schema,
      storage: new RoomStorage(schema, 40, 1_000_000),
      hashes,
      bans: new BanList(schema, hashes),
      roster: new HubRoster(schema),
      keys: new PublishKeys(schema),
      webhooks: new WebhookStore(schema),
    });
  });
}

type Opened = {
  sql: SqlStorage;
  schema: Schema;
  storage: RoomStorage;
  hashes: AddressHashes;
  bans: BanList;
  roster: HubRoster;
  keys: PublishKeys;
  webhooks: WebhookStore;
};

const latest = () =>
  inRoom(
    "latest",
    (storage) => migrate(storage, 0),
    ({ sql }) => shapeOf(sql),
  );

describe("a room never written", () => {
  it("answers every read from nothing, and makes no table", async () => {
    await inRoom(
      "never-written",
      () => {},
      async ({ sql, storage, bans, roster, keys, webhooks }) => {
        expect(storage.page(10)).toEqual({ messages: [], more: false });
        expect([keys.any, keys.find("retry", Date.now()), keys.nextExpiry()]).toEqual([false, undefined, undefined]);
        keys.expire(Date.now());
        expect([webhooks.cursor(), webhooks.count(), webhooks.lastId(), webhooks.oldestAt()]).toEqual([
          undefined,
          0,
          undefined,
          undefined,
        ]);
        expect([
          webhooks.after(0, 10),
          webhooks.presentCount(),
          webhooks.lost(() => false),
          webhooks.departed(1),
        ]).toEqual([[], 0, [], false]);
        expect([storage.newestSeq, storage.shardCount, storage.oldestTs()]).toEqual([0, 0, undefined]);
        expect([storage.isPastRetention(1), storage.expire(Date.now())]).toEqual([false, 0]);
        expect(await bans.refusing({ address: "192.0.2.1" }, Date.now())).toBeUndefined();
        expect(
          await bans.refusing({ identity: { user: "u-1", name: "U", role: "member", exp: 0 } }, Date.now()),
        ).toBeUndefined();
        expect([bans.any, bans.nextExpiry(), bans.remove("u-1", "admin")]).toEqual([
          false,
          undefined,
          { ok: false, why: "absent" },
        ]);
        bans.expire(Date.now());
        expect([roster.started, roster.missing(new Set())]).toEqual([false, []]);
        roster.renamed(sender);
        roster.drop([sender]);
        expect(shapeOf(sql)).toEqual([]);
      },
    );
  });
});

describe("the first write", () => {
  it("makes every table at the latest version, whichever module writes first, for the others too", async () => {
    const expected = await latest();
    const writers: [string, (opened: Opened) => Promise<unknown> | unknown][] = [
      ["a join", ({ storage }) => storage.nextConnectionId()],
      ["a chat", ({ storage }) => storage.append([{ ts: 1, sender, text: "hi" }])],
      ["a ban", ({ bans }) => bans.add({ kind: "address", address: "192.0.2.1" }, undefined, "admin", Date.now())],
      ["the hub's roster", ({ roster }) => roster.keep([sender])],
      ["a webhook event", ({ webhooks }) => webhooks.append({ id: 1, at: 1, event: "{}" })],
    ];
    for (const [label, write] of writers) {
      await inRoom(
        `first-${label}`,
        () => {},
        async (opened) => {
          await write(opened);
          expect(shapeOf(opened.sql), label).toEqual(expected);
          expect(versionOf(opened.sql), label).toBe(LATEST_VERSION);
          // The others read the tables the first made.
          expect(opened.storage.page(10).more).toBe(false);
          expect(await opened.bans.refusing({ address: "192.0.2.2" }, Date.now())).toBeUndefined();
        },
      );
    }
  });

  it("starts from nothing again once the room's storage is wiped", async () => {
    await inRoom(
      "wiped",
      () => {},
      async ({ sql, schema, storage, hashes, bans, roster }) => {
        storage.append([{ ts: 1, sender, text: "gone soon" }]);
        roster.keep([sender]);
        hashes.wiped();
        roster.wiped();
        await storage.clear();
        expect(shapeOf(sql)).toEqual([]);
        expect([schema.exists, storage.page(10).messages, roster.started]).toEqual([false, [], false]);
        await bans.add({ kind: "user", user: "u-1", addresses: [] }, undefined, "admin", Date.now());
        expect(versionOf(sql)).toBe(LATEST_VERSION);
        expect(shapeOf(sql)).toEqual(await latest());
      },
    );
  });
});

describe("an older database", () => {
  it("is migrated from every recorded version to the latest as the room starts, its history kept", async () => {
    const expected = await latest();
    for (let version = 1; version < LATEST_VERSION; version++) {
      await inRoom(
        `version-${version}`,
        (storage) => {
          migrate(storage, 0, version);
          storage.sql.exec(
            `INSERT INTO messages (seq, ts, sender_id, sender_name, text) VALUES (1, 1001, 1, 'ann', 'kept')`,
          );
        },
        ({ sql, storage }) => {
          expect(shapeOf(sql), `from version ${version}`).toEqual(expected);
          expect(versionOf(sql)).toBe(LATEST_VERSION);
          expect(storage.page(10).messages).toEqual([{ seq: 1, ts: 1001, sender, text: "kept" }]);
          expect(storage.newestSeq).toBe(1);
        },
      );
    }
  });

  it("keeps the publish API's posts and keys (version 8) as it gains the webhooks' tables (version 9)", async () => {
    await inRoom(
      "version-8",
      (storage) => {
        migrate(storage, 0, 8);
        storage.sql.exec(
          `INSERT INTO messages (seq, ts, sender_id, sender_name, sender_system, text) VALUES (1, 1001, 0, 'Referee', 1, 'gg')`,
        );
        storage.sql.exec(`INSERT INTO publish_keys (key, seq, at) VALUES ('match-1', 1, 1001)`);
      },
      ({ sql, storage, keys, webhooks }) => {
        expect(versionOf(sql)).toBe(LATEST_VERSION);
        expect(storage.page(10).messages).toEqual([
          { seq: 1, ts: 1001, sender: { id: 0, name: "Referee", system: true }, text: "gg" },
        ]);
        expect(keys.find("match-1", 1002)).toBe(1);
        webhooks.append({ id: 1, at: 1002, event: "{}" });
        expect(webhooks.count()).toBe(1);
      },
    );
  });

  it("is migrated from before versions, whichever tables its room had made, as the room starts", async () => {
    const expected = await latest();
    /** Rooms from before versions, each as its code made it: each table lazily, in the shape of its day. */
    const rooms: [string, string[], { started: boolean }][] = [
      [
        "the first rooms: history only",
        [
          `CREATE TABLE messages (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, sender_id INTEGER NOT NULL,
            sender_name TEXT NOT NULL, text TEXT NOT NULL)`,
          `CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
          `INSERT INTO messages (seq, ts, sender_id, sender_name, text) VALUES (1, 1001, 1, 'ann', 'kept')`,
        ],
        { started: false },
      ],
      [
        "bans before their setter, no hub roster",
        [
          `CREATE TABLE messages (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, sender_id INTEGER NOT NULL,
            sender_name TEXT NOT NULL, text TEXT NOT NULL, sender_user TEXT, deleted INTEGER NOT NULL DEFAULT 0)`,
          `CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
          `CREATE TABLE bans (kind TEXT NOT NULL, value TEXT NOT NULL, until INTEGER, PRIMARY KEY (kind, value))`,
          `CREATE TABLE ban_salt (salt TEXT NOT NULL)`,
          `INSERT INTO messages (seq, ts, sender_id, sender_name, text) VALUES (1, 1001, 1, 'ann', 'kept')`,
        ],
        { started: false },
      ],
      [
        "a ban list but no history: its members left, its bans stayed",
        [
          `CREATE TABLE bans (kind TEXT NOT NULL, value TEXT NOT NULL, until INTEGER, set_by TEXT,
            PRIMARY KEY (kind, value))`,
          `CREATE TABLE ban_salt (salt TEXT NOT NULL)`,
          `CREATE TABLE ban_addresses (user TEXT NOT NULL, address TEXT NOT NULL, PRIMARY KEY (user, address))`,
        ],
        { started: false },
      ],
      [
        "the hub's roster started, history with chat ids",
        [
          `CREATE TABLE messages (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, sender_id INTEGER NOT NULL,
            sender_name TEXT NOT NULL, text TEXT NOT NULL, sender_user TEXT, deleted INTEGER NOT NULL DEFAULT 0,
            cid TEXT, author TEXT)`,
          `CREATE INDEX messages_by_cid ON messages (cid, author) WHERE cid IS NOT NULL`,
          `CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
          `CREATE TABLE hub_members (id INTEGER PRIMARY KEY, member TEXT NOT NULL)`,
          `INSERT INTO messages (seq, ts, sender_id, sender_name, text) VALUES (1, 1001, 1, 'ann', 'kept')`,
        ],
        { started: true },
      ],
    ];
    for (const [label, statements, { started }] of rooms) {
      await inRoom(
        "unversioned",
        (storage) => {
          for (const statement of statements) storage.sql.exec(statement);
        },
        ({ sql, storage, roster }) => {
          expect(shapeOf(sql), label).toEqual(expected);
          expect(versionOf(sql), label).toBe(LATEST_VERSION);
          expect(roster.started, label).toBe(started);
          const history = statements.some((statement) => statement.startsWith("INSERT INTO messages"));
          expect(storage.page(10).messages, label).toEqual(history ? [{ seq: 1, ts: 1001, sender, text: "kept" }] : []);
        },
      );
    }
  });
});
