/** The better-sqlite3 driver (Node). Loaded only through `openDriver`. */
import type { Database as BetterDatabase, Statement as BetterStatement } from 'better-sqlite3';
import type { OpenDriverOptions, SqliteDriver, SqlStatement, SqlValue } from './driver.js';

class BetterStatementAdapter implements SqlStatement {
  private rawStmt: BetterStatement | undefined;
  constructor(
    private readonly db: BetterDatabase,
    private readonly stmt: BetterStatement,
  ) {}

  run(...params: SqlValue[]): { changes: number; lastInsertRowid: number | bigint } {
    return this.stmt.run(...params);
  }
  get<R>(...params: SqlValue[]): R | undefined {
    return this.stmt.get(...params) as R | undefined;
  }
  all<R>(...params: SqlValue[]): R[] {
    return this.stmt.all(...params) as R[];
  }
  values(...params: SqlValue[]): unknown[][] {
    // raw() switches a statement for good, so array reads get their own statement.
    this.rawStmt ??= this.db.prepare(this.stmt.source).raw(true);
    return this.rawStmt.all(...params) as unknown[][];
  }
  iterate<R>(...params: SqlValue[]): IterableIterator<R> {
    return this.stmt.iterate(...params) as IterableIterator<R>;
  }
}

class BetterSqlite3Driver implements SqliteDriver {
  readonly name = 'better-sqlite3' as const;
  constructor(private readonly db: BetterDatabase) {}
  exec(sql: string): void {
    this.db.exec(sql);
  }
  prepare(sql: string): SqlStatement {
    return new BetterStatementAdapter(this.db, this.db.prepare(sql));
  }
  get inTransaction(): boolean {
    return this.db.inTransaction;
  }
  close(): void {
    this.db.close();
  }
}

/** Opens a database with better-sqlite3. */
export async function openBetterSqlite3(path: string, options: OpenDriverOptions): Promise<SqliteDriver> {
  const mod = (await import('better-sqlite3')) as unknown as { default: new (p: string, o?: object) => BetterDatabase };
  const db = new mod.default(path, { timeout: options.busyTimeoutMs });
  return new BetterSqlite3Driver(db);
}
