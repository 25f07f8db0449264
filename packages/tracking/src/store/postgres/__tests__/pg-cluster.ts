/**
 * A private PostgreSQL cluster for tests: `initdb` into a fresh temporary folder, `pg_ctl start`
 * on a free TCP port of 127.0.0.1 (socket in the same folder, fsync off), trust auth for one
 * known user. Nothing outside the folder is touched, so tests never depend on (or disturb) a
 * system server.
 *
 * Binaries come from `LABLOG_PG_BINDIR`, `pg_config --bindir`, the newest
 * `/usr/lib/postgresql/<n>/bin` (Debian's `postgresql-15` package) or PATH, in that order.
 * initdb refuses to run as root: as root, the folder is handed to the `postgres` user and every
 * binary runs as that user (`runuser`, else `su`).
 *
 * Missing binaries make {@link startPgCluster} throw a clear error (install `postgresql-15`);
 * with `LABLOG_SKIP_POSTGRES=1`, {@link postgresTestMode} says to skip instead.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The user the cluster trusts on 127.0.0.1. */
export const PG_TEST_USER = 'lablog';

/** A running private cluster. */
export interface PgCluster {
  /** `postgresql://lablog@127.0.0.1:<port>/<db>` for the database created at start. */
  readonly uri: string;
  readonly port: number;
  /** The URI of another database of this cluster. */
  uriFor(database: string): string;
  /** Creates a fresh, empty database (from template0) and returns its URI. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (`pg_ctl stop -m fast`) and removes its folder. */
  stop(): Promise<void>;
}

/** How the PostgreSQL tests of this run go: `run`, or `skip` with the reason to print. */
export function postgresTestMode(): { run: true } | { run: false; reason: string } {
  if (process.env.LABLOG_SKIP_POSTGRES === '1') {
    return { run: false, reason: 'LABLOG_SKIP_POSTGRES=1: PostgreSQL store tests skipped' };
  }
  return { run: true };
}

/** The folder holding initdb and pg_ctl, or undefined. */
export function findPgBinDir(): string | undefined {
  const has = (dir: string | undefined): dir is string => !!dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  const candidates: (string | undefined)[] = [process.env.LABLOG_PG_BINDIR];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // pg_config comes with libpq-dev, which is optional
  }
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join('/usr/lib/postgresql', v, 'bin'));
  } catch {
    // no Debian-style install
  }
  for (const dir of (process.env.PATH ?? '').split(':')) candidates.push(dir);
  return candidates.find(has);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Runs a binary, as the `postgres` user when we are root. Throws with its output on failure. */
function runPg(bin: string, args: string[], asPostgres: boolean): void {
  let cmd = bin;
  let argv = args;
  if (asPostgres) {
    if (existsSync('/usr/sbin/runuser') || existsSync('/sbin/runuser') || existsSync('/usr/bin/runuser')) {
      cmd = 'runuser';
      argv = ['-u', 'postgres', '--', bin, ...args];
    } else {
      cmd = 'su';
      argv = ['postgres', '-s', '/bin/sh', '-c', [bin, ...args].map(shellQuote).join(' ')];
    }
  }
  const r = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  if (r.status !== 0) {
    throw new Error(`${[cmd, ...argv].join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}\n${r.stderr}`);
  }
}

function postgresUid(): { uid: number; gid: number } {
  const out = execFileSync('id', ['postgres'], { encoding: 'utf8' });
  const uid = /uid=(\d+)/.exec(out)?.[1];
  const gid = /gid=(\d+)/.exec(out)?.[1];
  if (uid === undefined || gid === undefined) throw new Error(`cannot read the postgres user's ids from: ${out}`);
  return { uid: Number(uid), gid: Number(gid) };
}

let dbCounter = 0;

/**
 * Starts a private cluster and creates one database in it; `settings` adds server settings
 * (`-c name=value`). Throws (never skips) when the PostgreSQL server binaries are missing.
 */
export async function startPgCluster(options: { database?: string; settings?: Readonly<Record<string, string>> } = {}): Promise<PgCluster> {
  const bin = findPgBinDir();
  if (!bin) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) not found. Install them (Debian/Ubuntu: `apt-get install postgresql-15`), ' +
        'point LABLOG_PG_BINDIR at their folder, or set LABLOG_SKIP_POSTGRES=1 to skip the PostgreSQL store tests.',
    );
  }
  const asPostgres = typeof process.getuid === 'function' && process.getuid() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'lablog-pg-'));
  const data = join(dir, 'data');
  let started = false;
  try {
    if (asPostgres) {
      const { uid, gid } = postgresUid();
      chownSync(dir, uid, gid);
    }
    runPg(join(bin, 'initdb'), ['-D', data, '-U', PG_TEST_USER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], asPostgres);
    const port = await freePort();
    const serverOptions = [
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      `-p ${port}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
      ...Object.entries(options.settings ?? {}).map(([k, v]) => `-c ${k}=${v}`),
    ].join(' ');
    runPg(join(bin, 'pg_ctl'), ['start', '-D', data, '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', serverOptions], asPostgres);
    started = true;
    const uriFor = (database: string) => `postgresql://${PG_TEST_USER}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    const admin = new pg.Client({ connectionString: uriFor('postgres') });
    await admin.connect();
    let adminOpen = true;
    const createDatabase = async (name = `lablog_${process.pid}_${++dbCounter}`): Promise<string> => {
      await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}" TEMPLATE template0`);
      return uriFor(name);
    };
    const uri = await createDatabase(options.database);
    return {
      uri,
      port,
      uriFor,
      createDatabase,
      async stop() {
        if (adminOpen) {
          adminOpen = false;
          await admin.end().catch(() => undefined);
        }
        try {
          runPg(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w'], asPostgres);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    if (started) {
      try {
        runPg(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w'], asPostgres);
      } catch {
        // already reported by the original error
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
