/**
 * The PostgreSQL schema of lablog, as numbered migrations recorded in `lablog_schema_migrations`.
 *
 * Many server processes may open a fresh database at once: migrating takes a session-level
 * `pg_advisory_lock` (scoped to the database), re-reads the applied versions under it, applies
 * what is missing in one transaction, then unlocks. Everyone else waits on the lock and finds
 * nothing left to do. A database already at {@link SCHEMA_VERSION} is detected without locking.
 *
 * Layout notes (conceptually the SQLite schema, see ../sqlite/migrations.ts):
 * - Runs, metric keys and registered models have integer surrogate ids; the big tables hold
 *   those, not uuids or key strings.
 * - `metrics` is the full history, one row per point; `seq` (a sequence) keeps logged order.
 *   A unique index on (run, key, step, timestamp, value) makes ingest idempotent: an exact
 *   duplicate is dropped by `ON CONFLICT DO NOTHING`, so a replayed batch stores nothing new.
 *   double precision keeps NaN and ±Infinity exactly (NaN equals NaN in indexes).
 * - `latest_metrics` holds the max (step, timestamp, value) point per (run, key); a NaN is NULL
 *   there, as the shared search SQL expects (store/sql/runs-search-sql.ts).
 * - Search indexes: (key, value, run) on params, tags and latest_metrics.
 */
import type { Queryable } from './db.js';
import type { Db } from './db.js';

/** Key of the advisory lock that serialises migrations ("lablog" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x6c61626c6f67;

interface Migration {
  readonly version: number;
  readonly sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
CREATE SEQUENCE experiments_id_seq AS integer START WITH 1 MINVALUE 0;
CREATE TABLE experiments (
  experiment_id integer PRIMARY KEY,
  name text NOT NULL,
  artifact_location text NOT NULL,
  lifecycle_stage text NOT NULL DEFAULT 'active',
  creation_time bigint NOT NULL,
  last_update_time bigint NOT NULL,
  CONSTRAINT experiments_name_key UNIQUE (name)
);
ALTER SEQUENCE experiments_id_seq OWNED BY experiments.experiment_id;
CREATE TABLE experiment_tags (
  experiment_id integer NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
  key text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (experiment_id, key)
);
CREATE INDEX experiment_tags_key_value ON experiment_tags (key, value);

CREATE TABLE runs (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_uuid text NOT NULL UNIQUE,
  experiment_id integer NOT NULL REFERENCES experiments (experiment_id),
  name text NOT NULL,
  user_id text NOT NULL,
  status text NOT NULL,
  start_time bigint NOT NULL,
  end_time bigint,
  artifact_uri text NOT NULL,
  lifecycle_stage text NOT NULL DEFAULT 'active',
  deleted_time bigint
);
CREATE INDEX runs_experiment_order ON runs (experiment_id, start_time DESC, run_uuid);

CREATE TABLE params (
  run_id integer NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE INDEX params_key_value ON params (key, value, run_id);

CREATE TABLE tags (
  run_id integer NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE INDEX tags_key_value ON tags (key, value, run_id);

CREATE TABLE metric_keys (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key text NOT NULL UNIQUE
);
-- Full history. No foreign key: the run is checked once per batch, not once per row.
CREATE TABLE metrics (
  run_id integer NOT NULL,
  key_id integer NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  step bigint NOT NULL,
  timestamp bigint NOT NULL,
  value double precision NOT NULL,
  dataset_name text,
  dataset_digest text,
  model_id text,
  PRIMARY KEY (run_id, key_id, seq)
);
CREATE UNIQUE INDEX metrics_point ON metrics (run_id, key_id, step, timestamp, value);
CREATE TABLE latest_metrics (
  run_id integer NOT NULL,
  key_id integer NOT NULL,
  step bigint NOT NULL,
  timestamp bigint NOT NULL,
  value double precision,
  dataset_name text,
  dataset_digest text,
  model_id text,
  PRIMARY KEY (run_id, key_id)
);
CREATE INDEX latest_metrics_key_value ON latest_metrics (key_id, value, run_id);

CREATE TABLE datasets (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  experiment_id integer NOT NULL REFERENCES experiments (experiment_id),
  name text NOT NULL,
  digest text NOT NULL,
  source_type text NOT NULL,
  source text NOT NULL,
  schema text,
  profile text,
  UNIQUE (experiment_id, name, digest)
);
CREATE TABLE inputs (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id integer NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  dataset_id integer NOT NULL REFERENCES datasets (id),
  UNIQUE (run_id, dataset_id)
);
CREATE TABLE input_tags (
  input_id integer NOT NULL REFERENCES inputs (id) ON DELETE CASCADE,
  key text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (input_id, key)
);

CREATE TABLE registered_models (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  creation_timestamp bigint NOT NULL,
  last_updated_timestamp bigint NOT NULL,
  description text,
  -- the next version number: versions are never reused, even after deletion
  next_version integer NOT NULL DEFAULT 1,
  CONSTRAINT registered_models_name_key UNIQUE (name)
);
CREATE TABLE registered_model_tags (
  model_id integer NOT NULL REFERENCES registered_models (id) ON DELETE CASCADE,
  key text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (model_id, key)
);
CREATE TABLE model_versions (
  model_id integer NOT NULL REFERENCES registered_models (id) ON DELETE CASCADE,
  version integer NOT NULL,
  creation_timestamp bigint NOT NULL,
  last_updated_timestamp bigint NOT NULL,
  user_id text,
  current_stage text NOT NULL DEFAULT 'None',
  description text,
  source text NOT NULL,
  storage_location text,
  run_id text,
  status text NOT NULL DEFAULT 'READY',
  status_message text,
  run_link text,
  PRIMARY KEY (model_id, version)
);
CREATE INDEX model_versions_run ON model_versions (run_id);
CREATE TABLE model_version_tags (
  model_id integer NOT NULL,
  version integer NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (model_id, version, key),
  FOREIGN KEY (model_id, version) REFERENCES model_versions (model_id, version) ON DELETE CASCADE
);
CREATE TABLE registered_model_aliases (
  model_id integer NOT NULL,
  alias text NOT NULL,
  version integer NOT NULL,
  PRIMARY KEY (model_id, alias),
  FOREIGN KEY (model_id, version) REFERENCES model_versions (model_id, version) ON DELETE CASCADE
);
CREATE INDEX registered_model_aliases_version ON registered_model_aliases (model_id, version);
`,
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The highest applied migration, 0 on an empty database. */
export async function schemaVersion(q: Queryable): Promise<number> {
  const exists = await q.one<{ t: string | null }>("SELECT to_regclass('lablog_schema_migrations')::text AS t");
  if (!exists?.t) return 0;
  const row = await q.one<{ v: number | null }>('SELECT max(version) AS v FROM lablog_schema_migrations');
  return Number(row?.v ?? 0);
}

/**
 * Brings the schema up to {@link SCHEMA_VERSION}, creating the default experiment `0` (at
 * `<defaultArtifactRoot>/0`) on a fresh database. Safe to run from many processes at once.
 */
export async function migrate(db: Db, defaultArtifactRoot: string): Promise<void> {
  if ((await schemaVersion(db)) >= SCHEMA_VERSION) return;
  await db.session(async (s) => {
    await s.exec('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await s.exec('BEGIN');
      try {
        await s.exec('CREATE TABLE IF NOT EXISTS lablog_schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)');
        const current = await schemaVersion(s); // re-read under the lock: another process may have migrated
        for (const m of MIGRATIONS) {
          if (m.version <= current) continue;
          await s.exec(m.sql);
          if (m.version === 1) await createDefaultExperiment(s, defaultArtifactRoot);
          await s.exec('INSERT INTO lablog_schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, Date.now()]);
        }
        await s.exec('COMMIT');
      } catch (e) {
        await s.exec('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } finally {
      await s.exec('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  });
}

async function createDefaultExperiment(q: Queryable, root: string): Promise<void> {
  const now = Date.now();
  await q.exec(
    `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
     VALUES (0, 'Default', $1, 'active', $2, $2) ON CONFLICT DO NOTHING`,
    [joinUri(root, '0'), now],
  );
}

/** `root` + `/` + `child`, without doubling the slash. */
export function joinUri(root: string, child: string): string {
  return root.endsWith('/') ? root + child : `${root}/${child}`;
}
