/**
 * Fixtures for client, logger and fluent tests: real stores on temporary directories, and a
 * wrapper that records (and can fail or slow down) `logBatch` calls.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { FileStore } from '../store/file/file-store.js';
import type { LogBatchArgs, TrackingStore } from '../store/tracking-store.js';

/** A fresh temporary directory and a function removing it. */
export async function tempDir(prefix = 'lablog-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A SqliteStore on a file in a fresh temporary directory. */
export async function tempSqliteStore(): Promise<{ store: SqliteStore; dir: string; cleanup: () => Promise<void> }> {
  const t = await tempDir('lablog-sqlite-');
  const store = new SqliteStore({ path: join(t.dir, 'lablog.db'), defaultArtifactRoot: pathToFileURL(join(t.dir, 'artifacts')).href });
  return {
    store,
    dir: t.dir,
    cleanup: async () => {
      await store.close();
      await t.cleanup();
    },
  };
}

/** A FileStore in a fresh temporary directory. */
export async function tempFileStore(): Promise<{ store: FileStore; dir: string; cleanup: () => Promise<void> }> {
  const t = await tempDir('lablog-filestore-');
  const store = new FileStore({ root: join(t.dir, 'mlruns') });
  return { store, dir: t.dir, cleanup: t.cleanup };
}

/** One recorded `logBatch` call. */
export interface RecordedBatch {
  readonly runId: string;
  readonly batch: LogBatchArgs;
}

/** What {@link recordingStore} returns. */
export interface RecordingStore {
  /** The wrapped store: every method of the inner one, `logBatch` recorded. */
  readonly store: TrackingStore;
  readonly calls: RecordedBatch[];
  /** Highest number of `logBatch` calls in flight at once for one run. */
  maxConcurrentPerRun(): number;
  /** Makes matching calls fail with the returned error (before reaching the inner store). */
  failWhen(pred: ((runId: string, batch: LogBatchArgs) => Error | undefined) | undefined): void;
  /** Delays every call by `ms` (to expose concurrency). */
  delay(ms: number): void;
}

/** Wraps a store so tests can count, fail and slow down `logBatch` calls. */
export function recordingStore(inner: TrackingStore): RecordingStore {
  const calls: RecordedBatch[] = [];
  const inFlight = new Map<string, number>();
  let max = 0;
  let fail: ((runId: string, batch: LogBatchArgs) => Error | undefined) | undefined;
  let delayMs = 0;
  const logBatch = async (runId: string, batch: LogBatchArgs): Promise<void> => {
    const n = (inFlight.get(runId) ?? 0) + 1;
    inFlight.set(runId, n);
    max = Math.max(max, n);
    try {
      calls.push({ runId, batch });
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const error = fail?.(runId, batch);
      if (error) throw error;
      await inner.logBatch(runId, batch);
    } finally {
      inFlight.set(runId, inFlight.get(runId)! - 1);
    }
  };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'logBatch') return logBatch;
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return {
    store,
    calls,
    maxConcurrentPerRun: () => max,
    failWhen: (p) => (fail = p),
    delay: (ms) => (delayMs = ms),
  };
}
