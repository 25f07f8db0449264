/**
 * A connection plus a prepared-statement cache and transaction helpers: what every SQL module
 * of the SQLite store works through.
 */
import { transaction, type SqliteDriver, type SqlStatement, type SqlValue } from './driver.js';

const MAX_CACHED_STATEMENTS = 500;

/** A SQLite connection with cached statements. */
export class Db {
  private readonly statements = new Map<string, SqlStatement>();
  constructor(readonly driver: SqliteDriver) {}

  /** The prepared statement for `sql`, prepared once. */
  stmt(sql: string): SqlStatement {
    let s = this.statements.get(sql);
    if (s === undefined) {
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      s = this.driver.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` in a write transaction (`BEGIN IMMEDIATE`): all of it or none of it. */
  write<T>(fn: () => T): T {
    return transaction(this.driver, 'immediate', fn);
  }

  /** Runs `fn` in a read transaction: every query in it sees one snapshot. */
  read<T>(fn: () => T): T {
    return transaction(this.driver, 'deferred', fn);
  }

  /** Shorthand: first row of a cached statement. */
  get<R>(sql: string, ...params: SqlValue[]): R | undefined {
    return this.stmt(sql).get<R>(...params);
  }

  /** Shorthand: all rows of a cached statement. */
  all<R>(sql: string, ...params: SqlValue[]): R[] {
    return this.stmt(sql).all<R>(...params);
  }

  /** Shorthand: run a cached statement. */
  run(sql: string, ...params: SqlValue[]): { changes: number; lastInsertRowid: number | bigint } {
    return this.stmt(sql).run(...params);
  }

  close(): void {
    this.statements.clear();
    this.driver.close();
  }
}

/** Parses a stored integer id from its string form; undefined when it cannot be one. */
export function parseIntegerId(id: string): number | undefined {
  if (!/^\d{1,15}$/.test(id)) return undefined;
  return Number(id);
}
