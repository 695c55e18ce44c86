// Client addresses as the room keeps them: never in the clear, but as a hash salted with a random secret of this
// room's, so that its storage cannot be read back into anyone's address nor matched against another room's. Bans
// (ban-list.ts) and mutes (mute-list.ts) share the salt, so that one address has one handle (`address:<hash>`) in
// both. The salt is made by the room's first ban or mute: a room that never had one writes nothing for it.
//
// Hashing is asynchronous (Web Crypto), and a mute is checked on every chat, which must not wait: so the hashes of
// the addresses the room has met are kept in memory (`known`), learnt where the room may wait (a connection's
// admission, a mute, the room's start: mute-list.ts says when).

import type { Schema, Sql } from "../storage/schema";

export class AddressHashes {
  private readonly sql: Sql;
  /** Kept in memory once read: the room's own random secret. */
  private salt: string | undefined;
  private readonly hashes = new Map<string, string>();

  constructor(private readonly schema: Schema) {
    this.sql = schema.sql;
  }

  /** The room's salt; undefined until its first ban or mute. Reads only: the tables must exist (`schema.exists`). */
  readSalt(): string | undefined {
    this.salt ??= this.sql.exec<{ salt: string }>(`SELECT salt FROM ban_salt`).toArray()[0]?.salt;
    return this.salt;
  }

  /** Before a ban or mute: makes the room's salt if it has none. */
  ensureSalt(): void {
    this.schema.ensure();
    if (this.readSalt() === undefined) this.sql.exec(`INSERT INTO ban_salt (salt) VALUES (?)`, crypto.randomUUID());
  }

  /** An address as the room keeps it: SHA-256 of the room's salt and the address, 128 bits of it in hex. */
  async hash(address: string): Promise<string> {
    const known = this.hashes.get(address);
    if (known !== undefined) return known;
    const salt = this.readSalt();
    if (salt === undefined) throw new Error("no salt: hashing an address before the first ban or mute");
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${salt}\n${address}`));
    const hash = [...new Uint8Array(digest, 0, 16)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    this.hashes.set(address, hash);
    return hash;
  }

  /** The hash of an address met before (`hash`), without waiting; undefined if it was not. */
  known(address: string): string | undefined {
    return this.hashes.get(address);
  }

  /** The room's storage was deleted, salt included: every hash made with it is void. */
  wiped(): void {
    this.salt = undefined;
    this.hashes.clear();
  }
}
