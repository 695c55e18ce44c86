// Whom the room's moderators muted: members who stay and read but may not speak (chat, edit, react, rename, change
// their state) until the mute ends or is lifted. Kept in the room's SQLite (`mutes`), as bans are (ban-list.ts): a
// verified user by its user id, an anonymous member by its address's salted hash (address-hashes.ts); with who set
// it, since a moderator may lift or replace only a moderator's mute, and the moderator's reason, which the muted
// member is shown.
//
// Unlike a ban, a user's mute has no address half: a muted user who comes back without its token is an anonymous
// member like any other, whom a moderator mutes by its address if need be.
//
// A mute is checked on every chat, which must not wait: the mutes are read into memory once (a room keeps few), and
// an anonymous member's address must have been hashed before, where the room may wait: when a mute of that address is
// set (which hashes it), and, while the room keeps a mute by address, at every admission and as the room starts
// (`learn`, room-parts.ts). An address whose hash is not known has no mute. A room that never muted anyone reads one
// empty table, once, or nothing at all if it never wrote.

import type { Schema } from "../storage/schema";
import type { AddressHashes } from "./address-hashes";
import type { BanSetter } from "./ban-list";

/** Whom a mute silences: a user, or the anonymous connections from an address. */
export type MuteTarget = { kind: "user"; user: string } | { kind: "address"; address: string };

export interface Mute {
  /** What `unmute` takes: the user id, or `address:<hash>` for an address. */
  handle: string;
  kind: "user" | "address";
  /** Milliseconds since the epoch; undefined: until unmuted. */
  until?: number;
  reason?: string;
  setBy: BanSetter;
}

/** What came of a mute or an unmute: done, no such mute to lift, or a moderator's reach for the admin's mute. */
export type MuteChange = { ok: true; mute: Mute } | { ok: false; why: "absent" | "admins" };

/** Who speaks, as far as a mute goes: its verified user, else the address it came from. */
export interface Speaker {
  identity?: { user: string };
  address?: string;
}

const ADDRESS_PREFIX = "address:";

type MuteRow = { kind: Mute["kind"]; value: string; until: number | null; reason: string | null; set_by: BanSetter };

export class MuteList {
  /** Every mute kept, by `kind:value`; undefined until read. */
  private rows: Map<string, MuteRow> | undefined;

  constructor(
    private readonly schema: Schema,
    private readonly hashes: AddressHashes,
  ) {}

  /** Whether any mute is kept, ended or not: the room's storage must stay while one is. */
  get any(): boolean {
    return this.all().size > 0;
  }

  /** The mute that silences `speaker` at `now`, if one does. Never waits. */
  of(speaker: Speaker, now: number): Mute | undefined {
    const rows = this.all();
    if (rows.size === 0) return undefined;
    const { identity, address } = speaker;
    const hash = identity || address === undefined ? undefined : this.hashes.known(address);
    const row = identity
      ? rows.get(`user:${identity.user}`)
      : hash === undefined
        ? undefined
        : rows.get(`address:${hash}`);
    return row && isActive(row, now) ? muteOf(row) : undefined;
  }

  /** Whether mute `mute` silences `speaker` (its reach, to tell each of its connections). */
  reaches(mute: Mute, speaker: Speaker): boolean {
    if (mute.kind === "user") return speaker.identity?.user === mute.handle;
    const hash = speaker.identity || speaker.address === undefined ? undefined : this.hashes.known(speaker.address);
    return hash !== undefined && `${ADDRESS_PREFIX}${hash}` === mute.handle;
  }

  /** Hashes the addresses of anonymous connections, if a mute by address is kept: `of` can then tell without waiting. */
  async learn(speakers: Iterable<Speaker>): Promise<void> {
    if (![...this.all().values()].some((row) => row.kind === "address")) return;
    for (const { identity, address } of speakers)
      if (!identity && address !== undefined) await this.hashes.hash(address);
  }

  /**
   * Mutes `target` until `until` (undefined: until unmuted), replacing any mute it had, unless a moderator would
   * replace the admin's (`admins`).
   */
  async add(
    target: MuteTarget,
    until: number | undefined,
    reason: string | undefined,
    setBy: BanSetter,
    now: number,
  ): Promise<MuteChange> {
    if (target.kind === "address") this.hashes.ensureSalt();
    else this.schema.ensure();
    const value = target.kind === "user" ? target.user : await this.hashes.hash(target.address);
    const key = `${target.kind}:${value}`;
    const standing = this.all().get(key);
    if (standing && isActive(standing, now) && standing.set_by === "admin" && setBy === "moderator")
      return { ok: false, why: "admins" };
    const row: MuteRow = { kind: target.kind, value, until: until ?? null, reason: reason ?? null, set_by: setBy };
    this.schema.sql.exec(
      `INSERT OR REPLACE INTO mutes (kind, value, until, reason, set_by) VALUES (?, ?, ?, ?, ?)`,
      row.kind,
      row.value,
      row.until,
      row.reason,
      row.set_by,
    );
    this.all().set(key, row);
    return { ok: true, mute: muteOf(row) };
  }

  /** Lifts the mute that `handle` names (as `Mute.handle` gives it), if `by` may. */
  remove(handle: string, by: BanSetter): MuteChange {
    const rows = this.all();
    // A user id may look like an address handle too: the address is tried first, then the user.
    const key = [
      ...(handle.startsWith(ADDRESS_PREFIX) ? [`address:${handle.slice(ADDRESS_PREFIX.length)}`] : []),
      `user:${handle}`,
    ].find((candidate) => rows.has(candidate));
    const row = key === undefined ? undefined : rows.get(key);
    if (key === undefined || !row) return { ok: false, why: "absent" };
    const mute = muteOf(row);
    if (mute.setBy === "admin" && by === "moderator") return { ok: false, why: "admins" };
    this.schema.sql.exec(`DELETE FROM mutes WHERE kind = ? AND value = ?`, row.kind, row.value);
    rows.delete(key);
    return { ok: true, mute };
  }

  /** Forgets the mutes that ended by `now`. */
  expire(now: number): void {
    const rows = this.all();
    const ended = [...rows].filter(([, row]) => !isActive(row, now));
    if (ended.length === 0) return;
    this.schema.sql.exec(`DELETE FROM mutes WHERE until <= ?`, now);
    for (const [key] of ended) rows.delete(key);
  }

  /** When the next mute ends; undefined if none will. */
  nextExpiry(): number | undefined {
    const ends = [...this.all().values()].flatMap((row) => (row.until === null ? [] : [row.until]));
    return ends.length === 0 ? undefined : Math.min(...ends);
  }

  /** The room's storage was deleted, mutes included. */
  wiped(): void {
    this.rows = undefined;
  }

  private all(): Map<string, MuteRow> {
    if (this.rows) return this.rows;
    const rows = this.schema.exists
      ? this.schema.sql.exec<MuteRow>(`SELECT kind, value, until, reason, set_by FROM mutes`).toArray()
      : [];
    this.rows = new Map(rows.map((row) => [`${row.kind}:${row.value}`, row]));
    return this.rows;
  }
}

const isActive = (row: MuteRow, now: number): boolean => row.until === null || row.until > now;

function muteOf(row: MuteRow): Mute {
  const handle = row.kind === "user" ? row.value : `${ADDRESS_PREFIX}${row.value}`;
  return {
    handle,
    kind: row.kind,
    ...(row.until !== null && { until: row.until }),
    ...(row.reason !== null && { reason: row.reason }),
    setBy: row.set_by,
  };
}
