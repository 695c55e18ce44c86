// The words a room refuses (shared/blocked-words.ts says how a text is matched): the server's list, BLOCKED_WORDS,
// for every room, and the room's own, which the admin API sets (`PUT /api/rooms/<name>/blocked-words`) and keeps in
// the room's SQLite (`blocked_words`), in the order it was given. While the room has a list of its own, it keeps its
// storage, as it does for a ban.
//
// The filter is built once, from both lists, and again only when the room's list changes: a chat is checked
// against it without reading storage. Reading the list writes nothing.

import { blockedKey, WordFilter } from "../../shared/blocked-words";
import type { Schema } from "../storage/schema";

/** How a change to the room's list went: how many entries it holds now, and how many came and went. */
export interface BlockedChange {
  count: number;
  added: number;
  removed: number;
}

export class BlockedList {
  private own: string[] | undefined;
  private filter: WordFilter | undefined;

  constructor(
    private readonly schema: Schema,
    /** BLOCKED_WORDS: the server's list, for every room. */
    private readonly server: readonly string[],
  ) {}

  /** Whether `text` (a chat, an edit, a name) holds a word of either list. */
  blocks(text: string): boolean {
    this.filter ??= new WordFilter([...this.server, ...this.list()]);
    return this.filter.blocks(text);
  }

  /** The room's own list, as it was given. */
  list(): string[] {
    this.own ??= this.schema.exists
      ? this.schema.sql
          .exec<{ word: string }>(`SELECT word FROM blocked_words ORDER BY position`)
          .toArray()
          .map(({ word }) => word)
      : [];
    return this.own;
  }

  /** Whether the room has a list of its own: its storage must stay while it does. */
  get any(): boolean {
    return this.list().length > 0;
  }

  /** Replaces the room's own list (valid entries, each once: shared/blocked-words.ts, `parseBlockedWords`). */
  replace(words: readonly string[]): BlockedChange {
    const before = new Set(this.list().map(blockedKey));
    const after = new Set(words.map(blockedKey));
    if (words.length > 0 || this.schema.exists) {
      this.schema.ensure();
      const { sql } = this.schema;
      this.schema.storage.transactionSync(() => {
        sql.exec(`DELETE FROM blocked_words`);
        for (const [position, word] of words.entries())
          sql.exec(`INSERT INTO blocked_words (position, word) VALUES (?, ?)`, position, word);
      });
    }
    this.own = [...words];
    this.filter = undefined;
    return {
      count: words.length,
      added: [...after].filter((key) => !before.has(key)).length,
      removed: [...before].filter((key) => !after.has(key)).length,
    };
  }

  /** The room's storage was deleted, its list included. */
  wiped(): void {
    this.own = undefined;
    this.filter = undefined;
  }
}
