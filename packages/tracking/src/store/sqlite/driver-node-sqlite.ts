/** The built-in `node:sqlite` driver (Deno; Node ≥ 22.5). Loaded only through `openDriver`. */
import type { OpenDriverOptions, SqliteDriver, SqlRow, SqlStatement, SqlValue } from './driver.js';

// node:sqlite's types are not in @types/node 20, so the small surface used is declared here.
interface NodeStatement {
  run(...params: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
  iterate(...params: SqlValue[]): IterableIterator<unknown>;
  setReturnArrays?(on: boolean): void;
}
interface NodeDatabase {
  exec(sql: string): void;
  prepare(sql: string): NodeStatement;
  close(): void;
  readonly isTransaction?: boolean;
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { timeout?: number; enableForeignKeyConstraints?: boolean }) => NodeDatabase;
}

class NodeStatementAdapter implements SqlStatement {
  private arrayStmt: NodeStatement | undefined;
  constructor(
    private readonly db: NodeDatabase,
    private readonly sql: string,
    private readonly stmt: NodeStatement,
  ) {}

  run(...params: SqlValue[]): { changes: number; lastInsertRowid: number | bigint } {
    const r = this.stmt.run(...params);
    return { changes: Number(r.changes), lastInsertRowid: r.lastInsertRowid };
  }
  get<R>(...params: SqlValue[]): R | undefined {
    return this.stmt.get(...params) as R | undefined;
  }
  all<R>(...params: SqlValue[]): R[] {
    return this.stmt.all(...params) as R[];
  }
  values(...params: SqlValue[]): unknown[][] {
    if (this.arrayStmt === undefined) {
      const s = this.db.prepare(this.sql);
      if (typeof s.setReturnArrays === 'function') {
        s.setReturnArrays(true);
        this.arrayStmt = s;
      }
    }
    if (this.arrayStmt) return this.arrayStmt.all(...params) as unknown[][];
    return (this.stmt.all(...params) as SqlRow[]).map((row) => Object.values(row));
  }
  iterate<R>(...params: SqlValue[]): IterableIterator<R> {
    return this.stmt.iterate(...params) as IterableIterator<R>;
  }
}

class NodeSqliteDriver implements SqliteDriver {
  readonly name = 'node:sqlite' as const;
  constructor(private readonly db: NodeDatabase) {}
  exec(sql: string): void {
    this.db.exec(sql);
  }
  prepare(sql: string): SqlStatement {
    return new NodeStatementAdapter(this.db, sql, this.db.prepare(sql));
  }
  get inTransaction(): boolean {
    return this.db.isTransaction === true;
  }
  close(): void {
    this.db.close();
  }
}

/** Opens a database with `node:sqlite`'s `DatabaseSync`. */
export async function openNodeSqlite(path: string, options: OpenDriverOptions): Promise<SqliteDriver> {
  const specifier = 'node:sqlite';
  const mod = (await import(/* @vite-ignore */ specifier)) as NodeSqliteModule;
  const db = new mod.DatabaseSync(path, { timeout: options.busyTimeoutMs });
  return new NodeSqliteDriver(db);
}
