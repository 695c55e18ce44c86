// Whom the room refuses: the bans its moderators set, kept in the room's SQLite so that they survive restarts.
//
// A ban names a verified user by its user id (the token's `sub`), or an anonymous member by its address. The room
// keeps no address in the clear: it keeps a hash of it, salted with a random secret of this room's, so that its
// storage cannot be read back into anyone's address nor matched against another room's. An address ban refuses
// anonymous connections only: a verified user is accountable by its id, whoever shares its network.
//
// Like the history, the table is created by the first ban: checking a connection against a room that never banned
// anyone reads nothing but `sqlite_master` and writes nothing.

import { tableExists } from "./room-storage";

export type BanTarget = { kind: "user"; user: string } | { kind: "address"; address: string };

/** Who a connection is, as far as bans go. */
export interface Visitor {
  /** The verified user id; undefined for an anonymous connection. */
  user?: string;
  address?: string;
}

export interface Ban {
  /** What `unban` takes: the user id, or `address:<hash>` for an address. */
  handle: string;
  /** Milliseconds since the epoch; undefined: until unbanned. */
  until?: number;
}

const ADDRESS_PREFIX = "address:";

type BanRow = { kind: "user" | "address"; value: string; until: number | null };

export class BanList {
  private readonly sql: SqlStorage;
  private created: boolean;
  /** Kept in memory once read: the room's own random secret that address hashes are salted with. */
  private salt: string | undefined;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.created = tableExists(this.sql, "bans");
  }

  /** Whether any ban is kept, expired or not: the room's storage must stay while one is. */
  get any(): boolean {
    return this.created && this.sql.exec(`SELECT 1 FROM bans LIMIT 1`).toArray().length > 0;
  }

  /** The ban that refuses `visitor` at `now`, if one does. */
  async refusing(visitor: Visitor, now: number): Promise<Ban | undefined> {
    if (!this.created) return undefined;
    const [kind, value] = visitor.user !== undefined
      ? ["user", visitor.user]
      : visitor.address !== undefined ? ["address", await this.hash(visitor.address)] : [];
    if (kind === undefined) return undefined;
    const row = this.sql.exec<BanRow>(
      `SELECT kind, value, until FROM bans WHERE kind = ? AND value = ? AND (until IS NULL OR until > ?)`, kind, value, now,
    ).toArray()[0];
    return row && banOf(row);
  }

  /** Bans `target` until `until` (undefined: until unbanned), replacing any ban it had. */
  async add(target: BanTarget, until: number | undefined): Promise<Ban> {
    this.create();
    const value = target.kind === "user" ? target.user : await this.hash(target.address);
    this.sql.exec(`INSERT OR REPLACE INTO bans (kind, value, until) VALUES (?, ?, ?)`, target.kind, value, until ?? null);
    return banOf({ kind: target.kind, value, until: until ?? null });
  }

  /** Lifts the ban that `handle` names (as `Ban.handle` gives it); false if there is none. */
  remove(handle: string): boolean {
    if (!this.created) return false;
    const address = handle.startsWith(ADDRESS_PREFIX) ? handle.slice(ADDRESS_PREFIX.length) : undefined;
    // A user id may look like an address handle too: the address is tried first, then the user.
    if (address !== undefined && this.sql.exec(`DELETE FROM bans WHERE kind = 'address' AND value = ?`, address).rowsWritten > 0) {
      return true;
    }
    return this.sql.exec(`DELETE FROM bans WHERE kind = 'user' AND value = ?`, handle).rowsWritten > 0;
  }

  /** Forgets the bans that ended by `now`. */
  expire(now: number): void {
    if (this.created) this.sql.exec(`DELETE FROM bans WHERE until <= ?`, now);
  }

  /** When the next ban ends; undefined if none will. */
  nextExpiry(): number | undefined {
    if (!this.created) return undefined;
    return this.sql.exec<{ until: number | null }>(`SELECT MIN(until) AS until FROM bans`).one().until ?? undefined;
  }

  /** The room's storage was deleted: bans included. */
  forget(): void {
    this.created = false;
    this.salt = undefined;
  }

  private create(): void {
    if (this.created) return;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS bans (
      kind TEXT NOT NULL,
      value TEXT NOT NULL,
      until INTEGER,
      PRIMARY KEY (kind, value))`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS ban_salt (salt TEXT NOT NULL)`);
    this.sql.exec(`INSERT INTO ban_salt (salt) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM ban_salt)`, crypto.randomUUID());
    this.created = true;
  }

  /** An address as bans keep it: SHA-256 of the room's salt and the address, 128 bits of it in hex. */
  private async hash(address: string): Promise<string> {
    this.salt ??= this.sql.exec<{ salt: string }>(`SELECT salt FROM ban_salt`).one().salt;
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${this.salt}\n${address}`));
    return [...new Uint8Array(digest, 0, 16)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  }
}

function banOf(row: BanRow): Ban {
  const handle = row.kind === "user" ? row.value : `${ADDRESS_PREFIX}${row.value}`;
  return row.until === null ? { handle } : { handle, until: row.until };
}
