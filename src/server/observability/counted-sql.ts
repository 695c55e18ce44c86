// The room's SQL, counted: every statement goes through here (storage/schema.ts hands this out as the room's `sql`),
// and the rows each read and wrote, as its cursor reports them (`rowsRead`, `rowsWritten`: what Cloudflare bills),
// are added to the object's counters. A cursor's figures grow while it is read, so a statement is counted once the
// next one starts, or when the counters are read (`settle`): every statement of the room is read to its end before
// the next (`toArray`, `one`, or a write nobody reads), so nothing is missed and nothing is allocated per statement.

/** The counters the rows go to (room-counters.ts). */
export interface RowCounts {
  rowsRead: number;
  rowsWritten: number;
}

export class CountedSql {
  /** The statement run last, not counted yet. */
  private last: SqlStorageCursor<Record<string, SqlStorageValue>> | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly counts: RowCounts,
  ) {}

  exec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T> {
    this.settle();
    const cursor = this.sql.exec<T>(query, ...bindings);
    this.last = cursor;
    return cursor;
  }

  /** Counts the last statement's rows: before the counters are read. */
  settle(): void {
    const cursor = this.last;
    if (cursor === undefined) return;
    this.last = undefined;
    this.counts.rowsRead += cursor.rowsRead;
    this.counts.rowsWritten += cursor.rowsWritten;
  }

  /** The database's size in bytes: what its storage is billed by. */
  get databaseSize(): number {
    return this.sql.databaseSize;
  }
}
