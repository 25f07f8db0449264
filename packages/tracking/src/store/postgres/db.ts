/**
 * The PostgreSQL connection pool and what every SQL module of the PostgreSQL store works
 * through: single queries, write transactions (BEGIN … COMMIT, ROLLBACK on error, retried on
 * deadlock or serialization failure) and read transactions that see one snapshot.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';

// `pg` loads on the first PostgresStore, not when @lablog/tracking is imported: most users never
// talk to PostgreSQL, and a notebook pays for every module its import pulls in.
let pgModule: typeof pg | undefined;
function loadPg(): typeof pg {
  pgModule ??= createRequire(import.meta.url)('pg') as typeof pg;
  return pgModule;
}

/** What a module needs to run SQL: a pool or a client inside a transaction. */
export interface Queryable {
  /** Rows as objects. */
  rows<R extends QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** The first row, or undefined. */
  one<R extends QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<R | undefined>;
  /** Rows as arrays in column order (the fast path for big reads). */
  arrays(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /** Runs a statement; returns the affected row count. */
  exec(sql: string, params?: readonly unknown[]): Promise<number>;
}

/** SQLSTATEs after which a whole transaction is worth running again. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/** bigint (int8) columns hold millisecond timestamps and counts: safe as JS numbers. */
const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
    return loadPg().types.getTypeParser(oid, format ?? 'text');
  },
};

/** The SQLSTATE of a driver error, if any. */
export function sqlState(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True for a unique-constraint violation (optionally on the named constraint). */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  return sqlState(e) === '23505' && (constraint === undefined || (e as { constraint?: string }).constraint === constraint);
}

class ClientQueryable implements Queryable {
  constructor(private readonly c: pg.Pool | PoolClient) {}
  async rows<R extends QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return (await this.c.query<R>(sql, params as unknown[])).rows;
  }
  async one<R extends QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<R | undefined> {
    return (await this.c.query<R>(sql, params as unknown[])).rows[0];
  }
  async arrays(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    return (await this.c.query({ text: sql, values: params as unknown[], rowMode: 'array' })).rows as unknown[][];
  }
  async exec(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.c.query(sql, params as unknown[])).rowCount ?? 0;
  }
}

/** Options of {@link Db}. */
export interface DbOptions {
  /** `postgresql://user:pass@host:port/db` (libpq-style query options such as `sslmode` work). */
  uri: string;
  /** Connections at most; default 10. */
  poolSize?: number;
}

/** A pool of connections with transaction helpers. */
export class Db extends ClientQueryable {
  readonly pool: pg.Pool;

  constructor(options: DbOptions) {
    const pool = new (loadPg().Pool)({ connectionString: normalizeUri(options.uri), max: options.poolSize ?? 10, types });
    // An idle client losing its connection (server restart) must not crash the process.
    pool.on('error', () => undefined);
    super(pool);
    this.pool = pool;
  }

  /**
   * Runs `fn` in one write transaction: all of it or, on any error, none of it. Deadlocks and
   * serialization failures run the whole of `fn` again (up to 5 times), so `fn` must keep its
   * state in the database or recompute it.
   */
  async write<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transaction('BEGIN', fn);
      } catch (e) {
        if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has(sqlState(e) ?? '')) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  /** Runs `fn` in a read-only transaction whose queries all see one snapshot. */
  read<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  private async transaction<T>(begin: string, fn: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query(begin);
      try {
        const out = await fn(new ClientQueryable(client));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection is gone: do not hand it out again
        }
        throw e;
      }
    } finally {
      client.release(broken);
    }
  }

  /** Runs `fn` on one dedicated connection (session state such as advisory locks stays on it). */
  async session<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await fn(new ClientQueryable(client));
    } finally {
      client.release();
    }
  }

  /** Ends every connection. */
  close(): Promise<void> {
    return this.pool.end();
  }
}

/** Accepts MLflow-style `postgresql+psycopg2://` URIs by dropping the driver suffix. */
export function normalizeUri(uri: string): string {
  return uri.replace(/^postgres(ql)?\+[a-z0-9_]+:/i, 'postgresql:');
}

/** Parses a stored integer id from its string form; undefined when it cannot be one. */
export function parseIntegerId(id: string): number | undefined {
  if (!/^\d{1,15}$/.test(id)) return undefined;
  const n = Number(id);
  return n <= 2_147_483_647 ? n : undefined;
}
