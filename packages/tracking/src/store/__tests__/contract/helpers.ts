/**
 * Shared pieces of the store contract suites: the per-test store lifecycle, an error matcher
 * that checks MLflow's error codes, and small builders for experiments, runs and metrics.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { LablogError, type ErrorCode } from '../../../errors.js';
import type { TrackingStore, SearchRunsArgs } from '../../tracking-store.js';
import type { Run } from '../../../entities/run.js';
import type { Metric } from '../../../entities/metric.js';
import type { Tag } from '../../../entities/tag.js';
import type { PagedList } from '../../../entities/paged-list.js';

/** What a contract factory hands back: a fresh, empty store and a way to dispose of it. */
export interface StoreHandle<S> {
  store: S;
  cleanup(): Promise<void>;
  /**
   * The store's default artifact root, when the runner knows it; lets the suite check that
   * experiment artifact locations are exactly `<root>/<id>`.
   */
  defaultArtifactRoot?: string;
}

/** A factory of fresh stores, one per test (MLflow's AbstractStoreTest does the same). */
export type StoreFactory<S> = () => Promise<StoreHandle<S>>;

/**
 * Creates a fresh store before each test of the enclosing `describe` and disposes of it after;
 * returns a getter for the current handle.
 */
export function useFreshStore<S>(factory: StoreFactory<S>): () => StoreHandle<S> {
  let handle: StoreHandle<S> | undefined;
  beforeEach(async () => {
    handle = await factory();
  });
  afterEach(async () => {
    const h = handle;
    handle = undefined;
    if (h) await h.cleanup();
  });
  return () => {
    if (!handle) throw new Error('store contract: no store (used outside a test?)');
    return handle;
  };
}

/**
 * Awaits `p` and checks that it rejects with a {@link LablogError} whose `errorCode` is `code`
 * (or one of `code`) and whose message matches every fragment given. Returns the error.
 */
export async function expectError(
  p: Promise<unknown>,
  code: ErrorCode | readonly ErrorCode[],
  ...fragments: (string | RegExp)[]
): Promise<LablogError> {
  let failed = false;
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    failed = true;
    caught = e;
  }
  const codes: readonly ErrorCode[] = typeof code === 'string' ? [code] : code;
  if (!failed) throw new Error(`expected a LablogError with code ${codes.join(' or ')}, but the call succeeded`);
  if (!LablogError.is(caught)) {
    throw new Error(`expected a LablogError with code ${codes.join(' or ')}, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  }
  expect(codes, `error code ${caught.errorCode} (message: ${caught.message})`).toContain(caught.errorCode);
  for (const f of fragments) {
    if (typeof f === 'string') expect(caught.message).toContain(f);
    else expect(caught.message).toMatch(f);
  }
  return caught;
}

let counter = 0;
/** A name no other test in this process uses. */
export function uniqueName(prefix = 'exp'): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Resolves after `ms` milliseconds (to get distinct creation times). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A start time far from "now", so tests control run order. */
export const T0 = 1_700_000_000_000;

/** Builds a metric point. */
export function metric(key: string, value: number, timestamp = T0, step = 0): Metric {
  return { key, value, timestamp, step };
}

/** Creates a run with sensible defaults. */
export async function newRun(
  store: TrackingStore,
  experimentId: string,
  opts: { runName?: string; startTime?: number; tags?: readonly Tag[]; userId?: string } = {},
): Promise<Run> {
  const args: Parameters<TrackingStore['createRun']>[0] = {
    experimentId,
    userId: opts.userId ?? 'alice',
    startTime: opts.startTime ?? T0,
    tags: opts.tags ?? [],
  };
  if (opts.runName !== undefined) args.runName = opts.runName;
  return store.createRun(args);
}

/** Value of a tag, undefined when absent. */
export function tagOf(tags: readonly Tag[], key: string): string | undefined {
  let out: string | undefined;
  for (const t of tags) if (t.key === key) out = t.value;
  return out;
}

/** Counts of each key in a tag/param list (to catch duplicates). */
export function keyCount(items: readonly { key: string }[], key: string): number {
  return items.filter((i) => i.key === key).length;
}

/** The latest point of a metric as `getRun` reports it. */
export function latestOf(run: Run, key: string): Metric | undefined {
  const found = run.data.metrics.filter((m) => m.key === key);
  expect(found.length, `run.data.metrics holds at most one entry per key (${key})`).toBeLessThanOrEqual(1);
  return found[0];
}

/**
 * Pages through a paged search until no token is returned, checking MLflow's paging rules on
 * the way: no page exceeds `maxResults`; only a full page may carry a token; a token after a
 * full last page must lead to an empty page without a token (MLflow's SQL store returns a token
 * whenever a page is full, its file store only when more rows follow; both are accepted).
 */
export async function collectPages<T>(
  fetch: (pageToken: string | undefined) => Promise<PagedList<T>>,
  maxResults: number,
): Promise<{ items: T[]; pages: T[][] }> {
  const pages: T[][] = [];
  let token: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await fetch(token);
    expect(page.items.length).toBeLessThanOrEqual(maxResults);
    pages.push(page.items);
    if (page.nextPageToken === undefined || page.nextPageToken === '') {
      return { items: pages.flat(), pages };
    }
    expect(page.items.length, 'a page that carries a next_page_token is full').toBe(maxResults);
    expect(typeof page.nextPageToken).toBe('string');
    token = page.nextPageToken;
  }
  throw new Error('collectPages: more than 1000 pages, the token never ends');
}

/** All run ids of a run search, in order, paging with `maxResults`. */
export async function searchAllRunIds(store: TrackingStore, args: SearchRunsArgs, maxResults = 1000): Promise<string[]> {
  const { items } = await collectPages((pageToken) => {
    const a: SearchRunsArgs = { ...args, maxResults };
    if (pageToken !== undefined) a.pageToken = pageToken;
    return store.searchRunsPage(a);
  }, maxResults);
  return items.map((r) => r.info.runId);
}
