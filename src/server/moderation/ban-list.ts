// Whom the room refuses: the bans its moderators and its admin set, kept in the room's SQLite so that they survive
// restarts.
//
// A ban names a verified user by its user id (the token's `sub`), or an anonymous member by its address. The room
// keeps no address in the clear: it keeps a salted hash of it (address-hashes.ts). An address ban refuses anonymous
// connections only: a verified user is accountable by its id, whoever shares its network.
//
// A user's ban has an address half: the addresses its connections came from when it was banned (`ban_addresses`,
// hashed the same way). They refuse anonymous connections for as long as the user's ban lasts, so that the same
// person cannot come straight back without its token; verified users there still come in (a school, a LAN party).
// Lifting the user's ban, or its end, lifts its address half too.
//
// A ban knows who set it (`set_by`): the admin API, or a moderator in the room. A moderator may lift, or replace,
// only a moderator's ban. Bans stored before the room recorded that have no setter, and count as the admin's: a ban
// whose setter is unknown is lifted by the one who may lift any, never by whoever happens to be a moderator.
//
// The tables are schema.ts's, created by the room's first write. Checking a connection against a room that never
// banned anyone writes nothing: the salt is made by the first ban or mute.

import type { Newcomer } from "../connections/session";
import type { Schema, Sql } from "../storage/schema";
import type { AddressHashes } from "./address-hashes";

export type BanTarget =
  /** `addresses`: where the user's connections came from, for the ban's address half (may be empty). */
  { kind: "user"; user: string; addresses: readonly string[] } | { kind: "address"; address: string };

export type BanSetter = "admin" | "moderator";

export interface Ban {
  /** What `unban` takes: the user id, or `address:<hash>` for an address. */
  handle: string;
  /** Milliseconds since the epoch; undefined: until unbanned. */
  until?: number;
  setBy: BanSetter;
}

/** What came of a ban or an unban: done, no such ban to lift, or a moderator's reach for the admin's ban. */
export type BanChange = { ok: true; ban: Ban } | { ok: false; why: "absent" | "admins" };

const ADDRESS_PREFIX = "address:";

type BanRow = { kind: "user" | "address"; value: string; until: number | null; set_by: BanSetter | null };

export class BanList {
  private readonly sql: Sql;

  constructor(
    private readonly schema: Schema,
    private readonly hashes: AddressHashes,
  ) {
    this.sql = schema.sql;
  }

  /** Whether any ban is kept, expired or not: the room's storage must stay while one is. */
  get any(): boolean {
    return this.schema.exists && this.sql.exec(`SELECT 1 FROM bans LIMIT 1`).toArray().length > 0;
  }

  /** The ban that refuses `newcomer` at `now`, if one does: an anonymous one's address may be a user ban's half. */
  async refusing(newcomer: Newcomer, now: number): Promise<Ban | undefined> {
    if (!this.schema.exists) return undefined;
    const user = newcomer.identity?.user;
    if (user !== undefined) return this.active("user", user, now);
    // A room without a salt never banned nor muted anyone.
    if (newcomer.address === undefined || this.hashes.readSalt() === undefined) return undefined;
    const address = await this.hashes.hash(newcomer.address);
    return (
      this.active("address", address, now) ??
      this.sql
        .exec<BanRow>(
          `SELECT b.kind, b.value, b.until, b.set_by FROM ban_addresses a JOIN bans b ON b.kind = 'user' AND b.value = a.user
       WHERE a.address = ? AND (b.until IS NULL OR b.until > ?) LIMIT 1`,
          address,
          now,
        )
        .toArray()
        .map(banOf)[0]
    );
  }

  /**
   * Bans `target` until `until` (undefined: until unbanned), replacing any ban it had, unless a moderator would
   * replace the admin's (`admins`). A user's addresses join its ban's address half.
   */
  async add(target: BanTarget, until: number | undefined, setBy: BanSetter, now: number): Promise<BanChange> {
    this.hashes.ensureSalt();
    const value = target.kind === "user" ? target.user : await this.hashes.hash(target.address);
    const halves =
      target.kind === "user" ? await Promise.all(target.addresses.map((address) => this.hashes.hash(address))) : [];
    const standing = this.active(target.kind, value, now);
    if (standing?.setBy === "admin" && setBy === "moderator") return { ok: false, why: "admins" };
    this.schema.storage.transactionSync(() => {
      this.sql.exec(
        `INSERT OR REPLACE INTO bans (kind, value, until, set_by) VALUES (?, ?, ?, ?)`,
        target.kind,
        value,
        until ?? null,
        setBy,
      );
      for (const address of halves) {
        this.sql.exec(`INSERT OR IGNORE INTO ban_addresses (user, address) VALUES (?, ?)`, value, address);
      }
    });
    return { ok: true, ban: banOf({ kind: target.kind, value, until: until ?? null, set_by: setBy }) };
  }

  /** Lifts the ban that `handle` names (as `Ban.handle` gives it), its address half included, if `by` may. */
  remove(handle: string, by: BanSetter): BanChange {
    if (!this.schema.exists) return { ok: false, why: "absent" };
    const address = handle.startsWith(ADDRESS_PREFIX) ? handle.slice(ADDRESS_PREFIX.length) : undefined;
    // A user id may look like an address handle too: the address is tried first, then the user.
    const row = (address === undefined ? undefined : this.row("address", address)) ?? this.row("user", handle);
    if (!row) return { ok: false, why: "absent" };
    const ban = banOf(row);
    if (ban.setBy === "admin" && by === "moderator") return { ok: false, why: "admins" };
    this.schema.storage.transactionSync(() => {
      this.sql.exec(`DELETE FROM bans WHERE kind = ? AND value = ?`, row.kind, row.value);
      if (row.kind === "user") this.sql.exec(`DELETE FROM ban_addresses WHERE user = ?`, row.value);
    });
    return { ok: true, ban };
  }

  /** Forgets the bans that ended by `now`, with their address halves. */
  expire(now: number): void {
    if (!this.schema.exists) return;
    this.sql.exec(`DELETE FROM bans WHERE until <= ?`, now);
    this.sql.exec(`DELETE FROM ban_addresses WHERE user NOT IN (SELECT value FROM bans WHERE kind = 'user')`);
  }

  /** When the next ban ends; undefined if none will. */
  nextExpiry(): number | undefined {
    if (!this.schema.exists) return undefined;
    return this.sql.exec<{ until: number | null }>(`SELECT MIN(until) AS until FROM bans`).one().until ?? undefined;
  }

  private active(kind: BanRow["kind"], value: string, now: number): Ban | undefined {
    const row = this.row(kind, value);
    return row && (row.until === null || row.until > now) ? banOf(row) : undefined;
  }

  private row(kind: BanRow["kind"], value: string): BanRow | undefined {
    return this.sql
      .exec<BanRow>(`SELECT kind, value, until, set_by FROM bans WHERE kind = ? AND value = ?`, kind, value)
      .toArray()[0];
  }
}

function banOf(row: BanRow): Ban {
  const handle = row.kind === "user" ? row.value : `${ADDRESS_PREFIX}${row.value}`;
  const setBy = row.set_by ?? "admin";
  return row.until === null ? { handle, setBy } : { handle, until: row.until, setBy };
}
