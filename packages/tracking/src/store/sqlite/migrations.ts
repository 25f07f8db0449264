/**
 * The SQLite schema of lablog, as numbered migrations recorded in `PRAGMA user_version`.
 *
 * Opening applies the connection settings (WAL, busy timeout, foreign keys, synchronous=NORMAL,
 * a larger WAL autocheckpoint)
 * and then any missing migrations inside one `BEGIN IMMEDIATE` transaction that re-reads the
 * version once it holds the write lock: many processes opening a fresh file at once serialise
 * there, and only the first one migrates (MLflow's "duplicate column" race cannot happen).
 *
 * Layout notes:
 * - Runs, metric keys and registered models have integer surrogate ids; the big tables
 *   (`metrics`, `latest_metrics`, `params`, `tags`) hold those small integers, not uuids.
 * - Metric history lives in `metric_blocks`: packed float64 columns, one row per (run, key,
 *   write), read in write order (metric-blocks.ts). NaN and ±Infinity round-trip exactly
 *   (MLflow's SQL store clamps ±Inf to ±1.8e308).
 * - `latest_metrics` holds the latest point per (run, key) for run data and search; there a
 *   NaN is stored as NULL (a latest value is never missing otherwise).
 * - Search indexes: (key, value, run) on params, tags and latest_metrics.
 * - v2: each metric block also records its timestamp range (`min_ts`, `max_ts`), and a covering
 *   index over (run, key, timestamp range, step range) lets de-duplication find the few blocks
 *   that could hold a given point without reading any block's data (log-batch.ts). Existing
 *   blocks are backfilled in place; a block written without the columns (by an older lablog on
 *   an upgraded file) gets the defaults ±Infinity, i.e. "may hold anything", which is safe.
 */
import { transaction, type SqliteDriver } from './driver.js';
import { minMax, unpackFloat64 } from './metric-blocks.js';

/** Milliseconds a writer waits for the lock before failing with "database is locked". */
export const BUSY_TIMEOUT_MS = 30_000;

/**
 * WAL pages after which a commit checkpoints (SQLite's default is 1000, ~4 MB). Creating a run
 * writes ~45 pages (most of them leaf pages of the `(key, value, run)` search indexes, at random
 * places), so the default checkpointed — two fsyncs plus ~1000 scattered page writes — every ~20
 * runs, and checkpoints were most of the time spent creating runs. At 10,000 (~40 MB of WAL) hot
 * pages are written back once per checkpoint instead of ~10 times: ~1.6× the runs per second in
 * an interleaved A/B (bench/README.md), with no longer stalls (p99 per run 15 ms vs 23 ms, the
 * longest ~200 ms either way). The WAL file is removed on the last close.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;

/** One migration: SQL (then `up`, if any) run once, in order, inside the migration transaction. */
interface Migration {
  readonly version: number;
  readonly sql: string;
  /** Data changes SQL alone cannot make (e.g. decoding blocks). */
  readonly up?: (db: SqliteDriver) => void;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE experiments (
  experiment_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  artifact_location TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL DEFAULT 'active',
  creation_time INTEGER NOT NULL,
  last_update_time INTEGER NOT NULL
);
CREATE TABLE experiment_tags (
  experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (experiment_id, key)
) WITHOUT ROWID;
CREATE INDEX experiment_tags_key_value ON experiment_tags (key, value);

CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  run_uuid TEXT NOT NULL UNIQUE,
  experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
  name TEXT NOT NULL,
  user_id TEXT NOT NULL,
  status TEXT NOT NULL,
  start_time INTEGER NOT NULL,
  end_time INTEGER,
  artifact_uri TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL DEFAULT 'active',
  deleted_time INTEGER
);
CREATE INDEX runs_experiment_order ON runs (experiment_id, start_time DESC, run_uuid);

CREATE TABLE params (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX params_key_value ON params (key, value, run_id);

CREATE TABLE tags (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX tags_key_value ON tags (key, value, run_id);

CREATE TABLE metric_keys (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE
);
-- dataset/model context of metric points (MLflow 3); '' when absent, so UNIQUE dedupes.
CREATE TABLE metric_contexts (
  id INTEGER PRIMARY KEY,
  dataset_name TEXT NOT NULL,
  dataset_digest TEXT NOT NULL,
  model_id TEXT NOT NULL,
  UNIQUE (dataset_name, dataset_digest, model_id)
);
-- Full history, in blocks of packed float64 columns (metric-blocks.ts), in write order (id).
-- No foreign keys: the run is checked once per batch, not once per row.
CREATE TABLE metric_blocks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  n INTEGER NOT NULL,
  min_step REAL NOT NULL,
  max_step REAL NOT NULL,
  steps BLOB NOT NULL,
  timestamps BLOB NOT NULL,
  vals BLOB NOT NULL,
  contexts BLOB
);
CREATE INDEX metric_blocks_run_key ON metric_blocks (run_id, key_id, id);
-- Latest point per (run, key): max of (step, timestamp, value), NaN (NULL) above numbers;
-- also where the key's last block is, for merging small writes into it.
CREATE TABLE latest_metrics (
  run_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  step INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  value REAL,
  ctx_id INTEGER,
  last_block INTEGER NOT NULL,
  last_block_n INTEGER NOT NULL,
  PRIMARY KEY (run_id, key_id)
) WITHOUT ROWID;
CREATE INDEX latest_metrics_key_value ON latest_metrics (key_id, value, run_id);

CREATE TABLE datasets (
  id INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  source_type TEXT NOT NULL,
  source TEXT NOT NULL,
  schema TEXT,
  profile TEXT,
  UNIQUE (experiment_id, name, digest)
);
CREATE TABLE inputs (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  dataset_id INTEGER NOT NULL REFERENCES datasets (id),
  UNIQUE (run_id, dataset_id)
);
CREATE TABLE input_tags (
  input_id INTEGER NOT NULL REFERENCES inputs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (input_id, key)
) WITHOUT ROWID;

CREATE TABLE registered_models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  creation_timestamp INTEGER NOT NULL,
  last_updated_timestamp INTEGER NOT NULL,
  description TEXT,
  -- the next version number: versions are never reused, even after deletion
  next_version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE registered_model_tags (
  model_id INTEGER NOT NULL REFERENCES registered_models (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (model_id, key)
) WITHOUT ROWID;
CREATE TABLE model_versions (
  model_id INTEGER NOT NULL REFERENCES registered_models (id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  creation_timestamp INTEGER NOT NULL,
  last_updated_timestamp INTEGER NOT NULL,
  user_id TEXT,
  current_stage TEXT NOT NULL DEFAULT 'None',
  description TEXT,
  source TEXT NOT NULL,
  storage_location TEXT,
  run_id TEXT,
  status TEXT NOT NULL DEFAULT 'READY',
  status_message TEXT,
  run_link TEXT,
  PRIMARY KEY (model_id, version)
);
CREATE INDEX model_versions_run ON model_versions (run_id);
CREATE TABLE model_version_tags (
  model_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (model_id, version, key),
  FOREIGN KEY (model_id, version) REFERENCES model_versions (model_id, version) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE registered_model_aliases (
  model_id INTEGER NOT NULL,
  alias TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (model_id, alias),
  FOREIGN KEY (model_id, version) REFERENCES model_versions (model_id, version) ON DELETE CASCADE
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    sql: `
-- Timestamp range of each block (min_step/max_step already exist). The defaults mean "unknown:
-- may hold any timestamp", so a block written without them is always a de-duplication candidate.
ALTER TABLE metric_blocks ADD COLUMN min_ts REAL NOT NULL DEFAULT -9e999;
ALTER TABLE metric_blocks ADD COLUMN max_ts REAL NOT NULL DEFAULT 9e999;
-- Covering index for "which blocks of (run, key) could hold a point with this step and
-- timestamp": leads with max_ts, so in-order logging (timestamps grow) reads only the tail.
CREATE INDEX metric_blocks_ranges ON metric_blocks (run_id, key_id, max_ts, min_ts, max_step, min_step);
`,
    up: backfillBlockTimestampRanges,
  },
];

/** v2: sets min_ts/max_ts of every existing block from its packed timestamps. */
function backfillBlockTimestampRanges(db: SqliteDriver): void {
  const page = db.prepare('SELECT id, timestamps FROM metric_blocks WHERE id > ? ORDER BY id LIMIT 500');
  const update = db.prepare('UPDATE metric_blocks SET min_ts = ?, max_ts = ? WHERE id = ?');
  let after = -1;
  for (;;) {
    const rows = page.values(after) as [number, Uint8Array][];
    if (rows.length === 0) return;
    for (const [id, timestamps] of rows) {
      const ts = unpackFloat64(timestamps);
      // an empty block (none is ever written) keeps the safe defaults
      if (ts.length > 0) update.run(...minMax(ts), id);
      after = id;
    }
  }
}

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Options for {@link openSchema}. */
export interface OpenSchemaOptions {
  /** For the default experiment `0`: its artifact location is `<root>/0`. */
  defaultArtifactRoot: string;
  /** Whether the database is a file (WAL applies) or `:memory:`. */
  inMemory: boolean;
  /** Tests only: migrate up to this version instead of {@link SCHEMA_VERSION} (to build old files). */
  upToVersion?: number;
}

/** Reads `PRAGMA user_version`. */
export function schemaVersion(db: SqliteDriver): number {
  const row = db.prepare('PRAGMA user_version').values()[0];
  return Number(row?.[0] ?? 0);
}

/**
 * Applies connection settings and brings the schema up to {@link SCHEMA_VERSION}, creating the
 * default experiment on a fresh database. Safe to run from many processes at once.
 */
export function openSchema(db: SqliteDriver, options: OpenSchemaOptions): void {
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!options.inMemory) {
    // Switching to WAL takes a lock; a concurrent opener may hold it for a moment.
    retryLocked(() => db.exec('PRAGMA journal_mode = WAL'));
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  }
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA temp_store = MEMORY');
  const target = Math.min(options.upToVersion ?? SCHEMA_VERSION, SCHEMA_VERSION);
  if (schemaVersion(db) >= target) return;
  transaction(db, 'immediate', () => {
    const current = schemaVersion(db); // re-read under the write lock: another process may have migrated
    for (const m of MIGRATIONS) {
      if (m.version <= current || m.version > target) continue;
      db.exec(m.sql);
      m.up?.(db);
      if (m.version === 1) createDefaultExperiment(db, options.defaultArtifactRoot);
    }
    if (current < target) db.exec(`PRAGMA user_version = ${target}`);
  });
}

/** Rows per index that {@link refreshStatistics} samples (`PRAGMA analysis_limit`): milliseconds, not seconds. */
export const ANALYSIS_LIMIT = 1000;

/**
 * `PRAGMA optimize` over every table (0x10000), sampling at most {@link ANALYSIS_LIMIT} rows per
 * index, without waiting for a busy database (another writer holding the lock means "next time").
 * Gives the planner `sqlite_stat1` statistics; the runs search does not depend on them (it fixes
 * its join orders), other queries benefit. Returns whether it ran.
 */
export function refreshStatistics(db: SqliteDriver): boolean {
  if (db.inTransaction) return false;
  try {
    db.exec('PRAGMA busy_timeout = 0');
    db.exec(`PRAGMA analysis_limit = ${ANALYSIS_LIMIT}`);
    db.exec('PRAGMA optimize = 0x10002');
    return true;
  } catch {
    return false;
  } finally {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

function createDefaultExperiment(db: SqliteDriver, root: string): void {
  const now = Date.now();
  db.prepare(
    `INSERT OR IGNORE INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
     VALUES (0, 'Default', ?, 'active', ?, ?)`,
  ).run(joinUri(root, '0'), now, now);
}

/** `root` + `/` + `child`, without doubling the slash. */
export function joinUri(root: string, child: string): string {
  return root.endsWith('/') ? root + child : `${root}/${child}`;
}

function retryLocked(fn: () => void): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      fn();
      return;
    } catch (e) {
      if (!isBusyError(e) || Date.now() > deadline) throw e;
      sleepSync(5 + Math.random() * 20);
    }
  }
}

/** True for SQLITE_BUSY / SQLITE_LOCKED errors from either driver. */
export function isBusyError(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  return /database is locked|database table is locked|SQLITE_BUSY/i.test(msg) || code === 'SQLITE_BUSY';
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
