/**
 * What differs between the SQL dialects lablog's SQL stores speak: placeholders (`?` or `$n`),
 * case-sensitive and case-insensitive LIKE, boolean literals. The search builders in this folder
 * write SQL through a {@link SqlDialect}, so the SQLite store and a PostgreSQL store share them.
 */

/** A bind value of the search builders. */
export type SqlBindValue = number | string | null;

/** A dialect of SQL. */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgresql';
  /** The placeholder of the n-th (1-based) bind value. */
  placeholder(n: number): string;
  /**
   * A LIKE test of `column` against a bound pattern: returns the SQL, given the placeholder,
   * and the value to bind, given MLflow's pattern (`%` and `_` wildcards).
   */
  like(column: string, placeholder: string, caseSensitive: boolean): string;
  /** The bind value for {@link like}'s pattern. */
  likePattern(pattern: string, caseSensitive: boolean): string;
  readonly trueLiteral: string;
  readonly falseLiteral: string;
}

/**
 * SQLite: `?` placeholders. Its LIKE ignores ASCII case, so case-sensitive LIKE becomes GLOB
 * with the pattern translated (`%`→`*`, `_`→`?`, GLOB's own metacharacters bracketed); no
 * reliance on the deprecated `case_sensitive_like` pragma, and GLOB can still use an index.
 */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  placeholder: () => '?',
  like: (column, ph, caseSensitive) => (caseSensitive ? `${column} GLOB ${ph}` : `lower(${column}) LIKE lower(${ph})`),
  likePattern: (pattern, caseSensitive) => (caseSensitive ? likeToGlob(pattern) : pattern),
  trueLiteral: '1',
  falseLiteral: '0',
};

/** PostgreSQL: `$n` placeholders, native LIKE (case-sensitive) and ILIKE. */
export const postgresDialect: SqlDialect = {
  name: 'postgresql',
  placeholder: (n) => `$${n}`,
  like: (column, ph, caseSensitive) => `${column} ${caseSensitive ? 'LIKE' : 'ILIKE'} ${ph}`,
  likePattern: (pattern) => pattern,
  trueLiteral: 'TRUE',
  falseLiteral: 'FALSE',
};

/** Translates a LIKE pattern (`%`, `_`) into an equivalent GLOB pattern. */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '%') out += '*';
    else if (ch === '_') out += '?';
    else if (ch === '*' || ch === '?' || ch === '[') out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

/**
 * Collects bind values while SQL is assembled in any order. {@link add} hands out a marker;
 * {@link render} replaces the markers in textual order with the dialect's placeholders and
 * orders the values to match, so joins, WHERE and ORDER BY can be built independently.
 */
export class SqlParams {
  private readonly pending: SqlBindValue[] = [];
  constructor(private readonly dialect: SqlDialect) {}
  /** Adds a value; returns its marker. */
  add(value: SqlBindValue): string {
    this.pending.push(value);
    return `\u0001${this.pending.length - 1}\u0001`;
  }
  /** Adds a list; returns `(m1, m2, …)`. An empty list gives `(NULL)`, which matches nothing. */
  list(values: readonly SqlBindValue[]): string {
    if (values.length === 0) return '(NULL)';
    return `(${values.map((v) => this.add(v)).join(', ')})`;
  }
  /** The final SQL with placeholders, and the values in placeholder order. */
  render(sql: string): { sql: string; params: SqlBindValue[] } {
    const params: SqlBindValue[] = [];
    const out = sql.replace(/\u0001(\d+)\u0001/g, (_, i: string) => {
      params.push(this.pending[Number(i)]!);
      return this.dialect.placeholder(params.length);
    });
    return { sql: out, params };
  }
}
