// The room's audit log: every moderation action (a kick, a ban, an unban, a moderator's deletion, a mute, an unmute, a
// change to the room's blocked words or to its settings), who took it and on whom, appended to the room's SQLite (`audit_log`) and read
// by the admin API, newest first (`GET /api/rooms/<name>/audit`, docs/backend.md, "Moderation tools").
//
// It keeps the newest MAX_AUDIT_ENTRIES, and none older than the room's history (HISTORY_MAX_AGE_DAYS: the upkeep
// expires them with it); while it holds any, the room keeps its storage. Reading it writes nothing: a room with no
// log answers an empty page without creating a table.

import type { Schema } from "../storage/schema";
import type { Acted, Moderator } from "./actions";

export const MAX_AUDIT_ENTRIES = 1000;

/** The most entries one page holds, and how many it holds when the request does not say. */
export const AUDIT_PAGE_MAX = 200;
export const AUDIT_PAGE_DEFAULT = 50;

/** Who acted: a moderator in the room (its member id and name, its user id), or the admin API. */
export type AuditBy = { id: number; name: string; user?: string } | "admin";

/** On whom: a member (id and name, when it was in the room), a user or address handle, a message. */
export interface AuditTarget {
  id?: number;
  name?: string;
  user?: string;
  seq?: number;
}

/**
 * What else the action said: its reason and end; for blocked words, how many are listed now, added and removed; for
 * the room's settings, the fields the change gave.
 */
export interface AuditDetails {
  reason?: string;
  until?: number;
  count?: number;
  added?: number;
  removed?: number;
  slowModeSeconds?: number;
  listed?: boolean;
  title?: string;
}

export interface AuditEntry {
  id: number;
  at: number;
  action: string;
  by: AuditBy;
  target?: AuditTarget;
  details?: AuditDetails;
}

/** A page of the log, newest first; `more`: older entries exist. */
export interface AuditPage {
  entries: AuditEntry[];
  more: boolean;
}

/** An action as the log takes it: its name, target and details. */
export type Audited = Omit<AuditEntry, "id" | "at" | "by">;

type AuditRow = { id: number; at: number; action: string; by: string; target: string | null; details: string | null };

export class AuditLog {
  constructor(private readonly schema: Schema) {}

  /** Appends an entry at `now`, and lets go of the oldest past MAX_AUDIT_ENTRIES. */
  append({ action, target, details }: Audited, by: Moderator, now: number): void {
    this.schema.ensure();
    const { sql } = this.schema;
    const who: AuditBy =
      by === "admin" ? "admin" : { id: by.id, name: by.name, ...(by.user !== undefined && { user: by.user }) };
    sql.exec(
      `INSERT INTO audit_log (at, action, by, target, details) VALUES (?, ?, ?, ?, ?)`,
      now,
      action,
      JSON.stringify(who),
      target === undefined ? null : JSON.stringify(target),
      details === undefined ? null : JSON.stringify(details),
    );
    sql.exec(`DELETE FROM audit_log WHERE id <= (SELECT MAX(id) FROM audit_log) - ?`, MAX_AUDIT_ENTRIES);
  }

  /** The newest `limit` entries before id `before` (undefined: the newest), newest first; `more`: older ones exist. */
  page(before: number | undefined, limit: number): AuditPage {
    if (!this.schema.exists) return { entries: [], more: false };
    const rows = this.schema.sql
      .exec<AuditRow>(
        `SELECT id, at, action, by, target, details FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?`,
        before ?? Number.MAX_SAFE_INTEGER,
        limit + 1,
      )
      .toArray();
    return { entries: rows.slice(0, limit).map(entryOf), more: rows.length > limit };
  }

  /** Whether the log holds any entry: the room's storage must stay while it does. */
  get any(): boolean {
    return this.oldestAt() !== undefined;
  }

  /** When its oldest entry was made; undefined if it has none. */
  oldestAt(): number | undefined {
    if (!this.schema.exists) return undefined;
    return this.schema.sql.exec<{ at: number | null }>(`SELECT MIN(at) AS at FROM audit_log`).one().at ?? undefined;
  }

  /** Lets go of the entries made before `before`. */
  expire(before: number): void {
    if (this.schema.exists) this.schema.sql.exec(`DELETE FROM audit_log WHERE at < ?`, before);
  }
}

/** A moderation action as the audit log keeps it. */
export function auditedOf(acted: Acted | { kind: "delete"; seq: number }): Audited {
  switch (acted.kind) {
    case "kick":
      return { action: "kick", target: targetOf(acted.member), ...detailsOf(acted) };
    case "ban":
    case "mute":
      return { action: acted.kind, target: { ...targetOf(acted.member), user: acted.user }, ...detailsOf(acted) };
    case "unban":
    case "unmute":
      return { action: acted.kind, target: { user: acted.user } };
    case "delete":
      return { action: "delete", target: { seq: acted.seq } };
  }
}

function targetOf(member: { id: number; name: string; user?: string } | undefined): AuditTarget {
  if (!member) return {};
  return { id: member.id, name: member.name, ...(member.user !== undefined && { user: member.user }) };
}

function detailsOf({ reason, until }: { reason?: string; until?: number }): { details?: AuditDetails } {
  if (reason === undefined && until === undefined) return {};
  return { details: { ...(reason !== undefined && { reason }), ...(until !== undefined && { until }) } };
}

function entryOf(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    action: row.action,
    by: JSON.parse(row.by) as AuditBy,
    ...(row.target !== null && { target: JSON.parse(row.target) as AuditTarget }),
    ...(row.details !== null && { details: JSON.parse(row.details) as AuditDetails }),
  };
}
