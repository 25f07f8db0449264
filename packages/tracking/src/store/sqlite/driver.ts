/**
 * The one seam between lablog and a SQLite library: better-sqlite3 under Node, the built-in
 * `node:sqlite` under Deno (where better-sqlite3 cannot load). Everything above this file is
 * runtime-neutral. Drivers load lazily with `import()`, so Deno never touches better-sqlite3.
 */

/** A value SQLite can bind: lablog binds numbers, strings and null only. */
export type SqlValue = number | bigint | string | null | Uint8Array;

/** A row as an object keyed by column name. */
export type SqlRow = Record<string, unknown>;

/** A prepared statement. Statements are cached by the caller and reused. */
export interface SqlStatement {
  /** Runs a write; `changes` rows affected, `lastInsertRowid` of the last insert. */
  run(...params: SqlValue[]): { changes: number; lastInsertRowid: number | bigint };
  /** The first row, or undefined. */
  get<R = SqlRow>(...params: SqlValue[]): R | undefined;
  /** All rows as objects. */
  all<R = SqlRow>(...params: SqlValue[]): R[];
  /** All rows as arrays in column order: no per-row object, the fast path for big reads. */
  values(...params: SqlValue[]): unknown[][];
  /** Rows one at a time, as objects. */
  iterate<R = SqlRow>(...params: SqlValue[]): IterableIterator<R>;
}

/** An open SQLite connection. Synchronous, as both libraries are. */
export interface SqliteDriver {
  /** `better-sqlite3` or `node:sqlite`. */
  readonly name: 'better-sqlite3' | 'node:sqlite';
  /** Runs one or more statements with no parameters and no result. */
  exec(sql: string): void;
  /** Prepares a statement (callers cache it). */
  prepare(sql: string): SqlStatement;
  /** True while a transaction is open on this connection. */
  readonly inTransaction: boolean;
  close(): void;
}

/** Options for {@link openDriver}. */
export interface OpenDriverOptions {
  /** Milliseconds a locked database is waited for before SQLITE_BUSY. */
  busyTimeoutMs: number;
}

/** True when running under Deno. */
export function isDeno(): boolean {
  return typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';
}

/**
 * Opens `path` (a file or `:memory:`) with the driver for this runtime: `node:sqlite` under
 * Deno, better-sqlite3 elsewhere. `LABLOG_SQLITE_DRIVER=node:sqlite` forces the built-in
 * driver where the runtime has it (Node ≥ 22.5).
 */
export async function openDriver(path: string, options: OpenDriverOptions): Promise<SqliteDriver> {
  const forced = typeof process !== 'undefined' ? process.env?.LABLOG_SQLITE_DRIVER : undefined;
  if (isDeno() || forced === 'node:sqlite') {
    const { openNodeSqlite } = await import('./driver-node-sqlite.js');
    return openNodeSqlite(path, options);
  }
  const { openBetterSqlite3 } = await import('./driver-better-sqlite3.js');
  return openBetterSqlite3(path, options);
}

/**
 * Runs `fn` in a transaction: `BEGIN IMMEDIATE` for writes (takes the write lock up front, so
 * a busy database is waited for instead of failing on the read→write upgrade), plain `BEGIN`
 * for reads that need one snapshot. Nested calls join the open transaction.
 */
export function transaction<T>(db: SqliteDriver, mode: 'immediate' | 'deferred', fn: () => T): T {
  if (db.inTransaction) return fn();
  db.exec(mode === 'immediate' ? 'BEGIN IMMEDIATE' : 'BEGIN');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}
