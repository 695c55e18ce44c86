// The room directory (docs/backend.md, "Directory"): one Durable Object, by name DIRECTORY_NAME, that knows the rooms
// which chose to be listed, with their titles and member counts, and answers `GET /api/rooms` from its own SQLite.
// Reading it wakes no room: rooms tell it, by RPC, what changed (room/directory-reports.ts), never the other way.
//
// A room tells it when it is listed (and on each change of its title), its count as it changes (at most once per
// DIRECTORY_REPORT_MS, the last one always), again each time its alarm rings while it is listed, and when it is
// unlisted or wiped; a report that failed is made again by the room's alarm. A report that arrives after a newer one
// of the same room changes nothing. The directory trusts each room's last report until the room says otherwise: a
// room with members and nothing happening in it tells nothing (it sleeps, and costs nothing: docs/cost.md), so how
// long since a room last reported says nothing about its members.

import { DurableObject } from "cloudflare:workers";
import type { ListedRoom } from "../../shared/protocol";
import type { Env } from "../config/env";
import { type Cursor, encodeCursor } from "./cursor";

/** The one directory object's name. */
export const DIRECTORY_NAME = "directory";

/** One page of the directory: its rooms, by members (most first) then name; `next`, to ask for the page after it. */
export interface DirectoryPage {
  rooms: ListedRoom[];
  next?: string;
}

type RoomRow = { name: string; title: string; members: number };

export class RoomDirectory extends DurableObject<Env> {
  private readonly sql = this.ctx.storage.sql;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS rooms (
      name TEXT PRIMARY KEY,
      title TEXT NOT NULL,
      members INTEGER NOT NULL,
      at INTEGER NOT NULL)`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS rooms_by_members ON rooms (members DESC, name)`);
  }

  /** A listed room as it is at `at` (its own clock): its title and how many members it has. */
  report(room: ListedRoom, at: number): void {
    this.sql.exec(
      `INSERT INTO rooms (name, title, members, at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET title = excluded.title, members = excluded.members, at = excluded.at
       WHERE excluded.at >= rooms.at`,
      room.name,
      room.title,
      room.members,
      at,
    );
  }

  /** A room is no longer listed (unlisted, or wiped). */
  remove(name: string): void {
    this.sql.exec(`DELETE FROM rooms WHERE name = ?`, name);
  }

  /** Up to `limit` rooms after `after` (from the first without it), by members (most first) then name. */
  list(limit: number, after?: Cursor): DirectoryPage {
    const rows = this.sql
      .exec<RoomRow>(
        `SELECT name, title, members FROM rooms
         WHERE ? IS NULL OR members < ? OR (members = ? AND name > ?)
         ORDER BY members DESC, name LIMIT ?`,
        ...(after ? [after.members, after.members, after.members, after.name] : [null, null, null, null]),
        limit + 1,
      )
      .toArray();
    const rooms = rows.slice(0, limit).map(({ name, title, members }) => ({ name, title, members }));
    const last = rooms.at(-1);
    return rows.length > limit && last ? { rooms, next: encodeCursor(last) } : { rooms };
  }
}
