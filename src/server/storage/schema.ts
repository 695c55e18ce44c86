// Every table of the room's SQLite database, in one place: the numbered migrations below build it, and the version
// the database is at is kept in it (`schema_version`; workerd does not let `PRAGMA user_version` be read or set).
// The modules that keep data there (room-storage.ts, publish-keys.ts, webhook-store.ts, settings-store.ts,
// moderation/ban-list.ts, moderation/mute-list.ts, moderation/blocked-words.ts, moderation/audit-log.ts,
// shards/hub-roster.ts) own their queries; what tables there are, and how an older room's become today's, is
// decided here only.
//
// A room that nobody has joined must cost nothing, however often it is looked at: nothing here writes until a
// module is about to write (`ensure`), so a read or a connection that never joins creates no table; until then the
// modules answer reads from nothing (`exists`). A room whose storage is deleted (`deleteAll`) starts from version
// 0 again, and its next write migrates it from the start.
//
// A database that has tables but is behind (made by older code) is migrated as the object starts, before anything
// reads it, so that every query is written against the latest schema only. That writes once per room and version,
// and only in a room that has storage already.
//
// Rooms made before the schema had versions created each table lazily, in its shape of the day, and each on its
// own (a room that never banned anyone has no `bans`): they are at version 0 with tables. For them, a migration's
// table that exists already is not created again (`IF NOT EXISTS`), and a column that is there already is not
// added again (`Column`); a database with a version never meets either.

import { CountedSql, type RowCounts } from "../observability/counted-sql";

/** A column added to an existing table: `definition` as `ALTER TABLE … ADD COLUMN` takes it. */
type Column = { table: string; definition: string };

/** One statement of a migration: SQL, or a column to add. */
type Step = string | Column;

const column = (table: string, definition: string): Column => ({ table, definition });

/** Migration N (at index N - 1) takes the database from version N - 1 to N. Append only; never edit one. */
const MIGRATIONS: readonly (readonly Step[])[] = [
  // 1. The history, and the counters that keep sequence numbers and connection ids growing.
  [
    `CREATE TABLE IF NOT EXISTS messages (
      seq INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      sender_id INTEGER NOT NULL,
      sender_name TEXT NOT NULL,
      text TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
  ],
  // 2. Moderation: a verified sender's user id and tombstones in the history; the bans, and the salt of their
  //    address hashes.
  [
    column("messages", "sender_user TEXT"),
    column("messages", "deleted INTEGER NOT NULL DEFAULT 0"),
    `CREATE TABLE IF NOT EXISTS bans (
      kind TEXT NOT NULL,
      value TEXT NOT NULL,
      until INTEGER,
      PRIMARY KEY (kind, value))`,
    `CREATE TABLE IF NOT EXISTS ban_salt (salt TEXT NOT NULL)`,
  ],
  // 3. The hub's roster, and whether it has started (one row). Rooms from before versions made the roster's table
  //    when it started: one that has it started it.
  [
    `CREATE TABLE hub_roster_started (one INTEGER PRIMARY KEY CHECK (one = 1))`,
    `INSERT INTO hub_roster_started (one)
      SELECT 1 WHERE EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'hub_members')`,
    `CREATE TABLE IF NOT EXISTS hub_members (id INTEGER PRIMARY KEY, member TEXT NOT NULL)`,
  ],
  // 4. Who set a ban (none: the admin), and the address half of a user's ban.
  [
    column("bans", "set_by TEXT"),
    `CREATE TABLE IF NOT EXISTS ban_addresses (
      user TEXT NOT NULL,
      address TEXT NOT NULL,
      PRIMARY KEY (user, address))`,
  ],
  // 5. Client chat ids, and who posted them, found without reading the table.
  [
    column("messages", "cid TEXT"),
    column("messages", "author TEXT"),
    `CREATE INDEX IF NOT EXISTS messages_by_cid ON messages (cid, author) WHERE cid IS NOT NULL`,
  ],
  // 6. Messages that change (docs/protocol.md): when a message was last edited; the message it answers, with the
  //    quote of it as it was then (emptied if the original is deleted: found by `messages_by_reply`); its game
  //    data as JSON. One row per change, at its position in the room's sequence; one row per reaction given.
  [
    column("messages", "edited INTEGER"),
    column("messages", "reply_to INTEGER"),
    column("messages", "quote_name TEXT"),
    column("messages", "quote_text TEXT"),
    column("messages", "quote_deleted INTEGER NOT NULL DEFAULT 0"),
    column("messages", "data TEXT"),
    `CREATE INDEX IF NOT EXISTS messages_by_reply ON messages (reply_to) WHERE reply_to IS NOT NULL`,
    `CREATE TABLE IF NOT EXISTS changes (at INTEGER PRIMARY KEY, target INTEGER NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS reactions (
      target INTEGER NOT NULL,
      reaction TEXT NOT NULL,
      author TEXT NOT NULL,
      name TEXT NOT NULL,
      at INTEGER NOT NULL,
      PRIMARY KEY (target, reaction, author))`,
  ],
  // 7. What each change was (edited, deleted, deleted_by_author, reactions): a hub that starts again tells a shard
  //    that missed changes what they were (shards/hub-side.ts), and a deletion tells a resume that replies changed.
  [column("changes", "kind TEXT")],
  // 8. The publish API (docs/backend.md): a message the game's backend posted, whose sender is the room's own voice
  //    (protocol.ts, `SystemSender`); and each post's idempotency key, with the seq it posted and when, kept for a
  //    day (publish-keys.ts), found by its age when it expires.
  [
    column("messages", "sender_system INTEGER NOT NULL DEFAULT 0"),
    `CREATE TABLE publish_keys (key TEXT PRIMARY KEY, seq INTEGER NOT NULL, at INTEGER NOT NULL)`,
    `CREATE INDEX publish_keys_by_age ON publish_keys (at)`,
  ],
  // 9. Webhooks (storage/webhook-store.ts), written only while WEBHOOK_URL is set: the events not yet delivered, in
  //    order (`dropped`: on a `webhook.gap` event, how many events it stands for); the cursor (one row); the members
  //    the backend was told joined and not yet that they left.
  [
    `CREATE TABLE IF NOT EXISTS webhook_events (
      id INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      event TEXT NOT NULL,
      dropped INTEGER)`,
    `CREATE TABLE IF NOT EXISTS webhook_cursor (
      one INTEGER PRIMARY KEY CHECK (one = 1),
      delivered INTEGER NOT NULL,
      batch_last INTEGER,
      attempts INTEGER NOT NULL,
      retry_at INTEGER,
      last_error TEXT,
      dropped INTEGER NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS webhook_members (id INTEGER PRIMARY KEY, member TEXT NOT NULL)`,
  ],
  // 10. Moderation tools (moderation/): mutes, kept as bans are (a user id, or an address's salted hash; `reason`
  //     shown to the muted member); the room's own blocked words, as the admin API listed them; the audit log of
  //     moderation actions, newest kept (JSON in `by`, `target`, `details`), found by age when it expires.
  [
    `CREATE TABLE mutes (
      kind TEXT NOT NULL,
      value TEXT NOT NULL,
      until INTEGER,
      reason TEXT,
      set_by TEXT NOT NULL,
      PRIMARY KEY (kind, value))`,
    `CREATE TABLE blocked_words (position INTEGER PRIMARY KEY, word TEXT NOT NULL)`,
    `CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      action TEXT NOT NULL,
      by TEXT NOT NULL,
      target TEXT,
      details TEXT)`,
    `CREATE INDEX audit_log_by_age ON audit_log (at)`,
  ],
  // 11. The room's own settings (settings-store.ts), one row, only while they are not the defaults: slow mode,
  //     whether the room is listed in the directory, and its title there.
  [
    `CREATE TABLE room_settings (
      one INTEGER PRIMARY KEY CHECK (one = 1),
      slow_mode_seconds INTEGER NOT NULL,
      listed INTEGER NOT NULL,
      title TEXT)`,
  ],
];

/** The version this code reads and writes. */
export const LATEST_VERSION = MIGRATIONS.length;

/** The tables rooms made before the schema had versions: each was the first of its group. */
const UNVERSIONED_TABLES = ["messages", "bans", "hub_members"];

/** The room's SQL as its modules use it: every statement counted (observability/counted-sql.ts). */
export type Sql = Pick<SqlStorage, "exec">;

/** The room's database as far as its tables go: which version it is at, and bringing it to the latest. */
export class Schema {
  /** The one way into the room's SQL: the rows each statement reads and writes are counted. */
  readonly sql: CountedSql;
  /** 0: no tables (never written, or deleted since). */
  private version: number;

  constructor(
    readonly storage: DurableObjectStorage,
    /** The object's counters (room-counters.ts); a schema opened elsewhere (a test's) counts for nobody. */
    counts: RowCounts = { rowsRead: 0, rowsWritten: 0 },
  ) {
    this.sql = new CountedSql(storage.sql, counts);
    const { version, tables } = versionOf(this.sql);
    this.version = version;
    if (tables && version < LATEST_VERSION) this.migrate();
  }

  /** Whether the room's tables exist, at the latest version: false until the room's first write. */
  get exists(): boolean {
    return this.version > 0;
  }

  /** Before a write: creates the tables if the room has none. Writes nothing when they exist. */
  ensure(): void {
    if (this.version < LATEST_VERSION) this.migrate();
  }

  /** The room's storage was deleted, tables and all: the next write starts from version 0. */
  wiped(): void {
    this.version = 0;
  }

  private migrate(): void {
    migrate(this.storage, this.version, LATEST_VERSION, this.sql);
    this.version = LATEST_VERSION;
  }
}

/**
 * The version of the database: recorded, or 0 for one that has none (`tables`: made before versions, or empty).
 * Reads `sqlite_master`, which writes nothing.
 */
function versionOf(sql: Sql): { version: number; tables: boolean } {
  const names = new Set(
    sql
      .exec<{ name: string }>(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('schema_version', ${UNVERSIONED_TABLES.map(() => "?").join(", ")})`,
        ...UNVERSIONED_TABLES,
      )
      .toArray()
      .map(({ name }) => name),
  );
  if (!names.has("schema_version")) return { version: 0, tables: names.size > 0 };
  const { version } = sql.exec<{ version: number }>(`SELECT version FROM schema_version`).one();
  return { version, tables: true };
}

/**
 * Applies the migrations after version `from` up to `to`, and records `to`; all or nothing. The room always goes to
 * the latest; tests build older versions with it.
 */
export function migrate(
  storage: DurableObjectStorage,
  from: number,
  to = LATEST_VERSION,
  sql: Sql = storage.sql,
): void {
  storage.transactionSync(() => {
    for (const steps of MIGRATIONS.slice(from, to)) for (const step of steps) apply(sql, step);
    sql.exec(
      `CREATE TABLE IF NOT EXISTS schema_version (one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL)`,
    );
    sql.exec(`INSERT OR REPLACE INTO schema_version (one, version) VALUES (1, ?)`, to);
  });
}

function apply(sql: Sql, step: Step): void {
  if (typeof step === "string") {
    sql.exec(step);
    return;
  }
  const name = step.definition.split(" ")[0];
  if (sql.exec(`SELECT 1 FROM pragma_table_info(?) WHERE name = ?`, step.table, name).toArray().length > 0) return;
  sql.exec(`ALTER TABLE ${step.table} ADD COLUMN ${step.definition}`);
}
