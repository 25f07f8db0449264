/**
 * lablog's async logger: non-blocking by default, where MLflow blocks. Each run has a bounded
 * queue ({@link RunQueue}); the logger merges what is queued into `logBatch` calls within
 * MLflow's limits and writes them on a short timer, when a queue holds a batch's worth, on
 * `flush()`/`endRun`, at normal exit and on SIGINT/SIGTERM (see shutdown.ts).
 *
 * Guarantees:
 * - one run's store calls are serial, never two `logBatch` at once for one run, and a flush
 *   writes its params and tags (in call order) before its metrics;
 * - a failure never throws into the caller: it is reported once per kind, counted, and
 *   `flush()` / `flushRun()` + `takeErrors()` surface it;
 * - memory is bounded per run (`maxQueuedPoints`).
 */
import type { TrackingStore, LogBatchArgs } from '../store/tracking-store.js';
import type { Metric } from '../entities/metric.js';
import type { LablogError } from '../errors.js';
import { toLablogError } from '../errors.js';
import { MAX_METRICS_PER_BATCH } from '../validation.js';
import { paramTagBatches, chunkBatch } from './batching.js';
import { RunQueue, type QueueOwner } from './run-queue.js';
import { FailureReporter, aggregateErrors, consoleReporter, type FailureReporterFn } from './failure-reporter.js';
import { addShutdownParticipant, updateShutdownHooks } from './shutdown.js';

/** Tuning of an {@link AsyncLogger}. */
export interface AsyncLoggerOptions {
  /** How long queued data may wait before it is written, in ms (default 100). */
  flushIntervalMs?: number;
  /** Bound on queued plus in-flight items per run (default 1 000 000); beyond it points are dropped and reported. */
  maxQueuedPoints?: number;
  /** Metrics per `logBatch` call, at most 1000 (default 1000). */
  batchSize?: number;
  /** Where failures are reported (default: `console.warn`). */
  reporter?: FailureReporterFn;
  /** Drain at exit and on SIGINT/SIGTERM (default true). */
  shutdownHooks?: boolean;
}

/** Default {@link AsyncLoggerOptions.flushIntervalMs}. */
export const DEFAULT_FLUSH_INTERVAL_MS = 100;
/** Default {@link AsyncLoggerOptions.maxQueuedPoints}. */
export const DEFAULT_MAX_QUEUED_POINTS = 1_000_000;

const noop = (): void => undefined;

/** The per-store async logger; see the module comment. Usually obtained with `asyncLoggerFor(store)`. */
export class AsyncLogger implements QueueOwner {
  /** Failure counts and the reporter. */
  readonly failures: FailureReporter;
  /** True while the flush timer is armed. */
  timerArmed = false;
  private flushIntervalMs: number;
  private readonly maxQueued: number;
  private readonly batchSize: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly byId = new Map<string, RunQueue>();
  private readonly all = new Set<RunQueue>();
  private lastId: string | undefined;
  private lastQueue: RunQueue | undefined;
  private removeParticipant: (() => void) | undefined;
  private closed = false;

  /** @param store where batches are written */
  constructor(
    readonly store: TrackingStore,
    options: AsyncLoggerOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.maxQueued = options.maxQueuedPoints ?? DEFAULT_MAX_QUEUED_POINTS;
    this.batchSize = Math.min(options.batchSize ?? MAX_METRICS_PER_BATCH, MAX_METRICS_PER_BATCH);
    this.failures = new FailureReporter(options.reporter ?? consoleReporter);
    if (options.shutdownHooks !== false) {
      this.removeParticipant = addShutdownParticipant({
        order: 10,
        isActive: () => this.isActive(),
        onBeforeExit: () => this.drainAll(),
        onSignal: () => this.drainAll(),
        onExit: () => this.warnLostAtExit(),
      });
    }
  }

  /** Changes the flush interval (next arming) and the reporter. */
  configure(options: Pick<AsyncLoggerOptions, 'flushIntervalMs' | 'reporter'>): void {
    if (options.flushIntervalMs !== undefined) this.flushIntervalMs = options.flushIntervalMs;
    if (options.reporter !== undefined) this.failures.report = options.reporter;
  }

  /** The queue of a run, created on first use. Keep it: logging through it skips a Map lookup. */
  queue(runId: string): RunQueue {
    if (runId === this.lastId) return this.lastQueue!;
    let q = this.byId.get(runId);
    if (!q) {
      q = new RunQueue(this, runId, this.batchSize, this.maxQueued);
      this.byId.set(runId, q);
      this.all.add(q);
    }
    this.lastId = runId;
    this.lastQueue = q;
    return q;
  }

  /**
   * A queue for a run still being created: logging works at once, writes wait for the id, and
   * if creation fails every queued item is reported as lost with that error.
   */
  pendingQueue(runId: Promise<string>): RunQueue {
    const q = new RunQueue(this, runId, this.batchSize, this.maxQueued);
    this.all.add(q);
    q.ready.then((id) => {
      if (!q.closed && !this.byId.has(id)) this.byId.set(id, q);
    }, noop);
    return q;
  }

  /** Queues a metric point for a run (`timestamp` defaults to now, `step` to 0). */
  logMetric(runId: string, key: string, value: number, timestamp = Date.now(), step = 0): Promise<void> | undefined {
    return this.queue(runId).logMetric(key, value, timestamp, step);
  }

  /** Queues a param. */
  logParam(runId: string, key: string, value: string): void {
    this.queue(runId).logParamOrTag(0, key, value);
  }

  /** Queues a tag. */
  setTag(runId: string, key: string, value: string): void {
    this.queue(runId).logParamOrTag(1, key, value);
  }

  /**
   * Writes a batch now (synchronous mode), after everything queued for the run, and resolves
   * when the store has it; rejects with the store's error. Oversized batches are split as
   * MLflow's client does.
   */
  logBatchNow(q: RunQueue, batch: LogBatchArgs): Promise<void> {
    return this.afterQueued(q, async (runId) => {
      for (const b of chunkBatch(batch)) await this.store.logBatch(runId, b);
    });
  }

  /** Runs `fn` on the run's serial chain once everything queued before it is written. */
  afterQueued<T>(q: RunQueue, fn: (runId: string) => Promise<T>): Promise<T> {
    return this.enqueue(q, async () => {
      await this.drainNow(q);
      return fn(await q.ready);
    });
  }

  /** Writes everything queued for the run so far; never rejects (failures are recorded). */
  flushRun(q: RunQueue): Promise<void> {
    if (q.drainQueued) return q.drainQueued;
    if (q.queued === 0) return q.tail;
    const p = this.enqueue(q, () => {
      q.drainQueued = null;
      return this.drainNow(q);
    });
    q.drainQueued = p;
    return p;
  }

  /**
   * Writes what is queued (for one run, or all) without surfacing failures: for reads that should
   * see this process's writes. Never rejects.
   */
  async flushQueued(runId?: string): Promise<void> {
    if (runId !== undefined) {
      const q = this.byId.get(runId);
      if (q) await this.flushRun(q);
      return;
    }
    await Promise.all([...this.all].map((q) => this.flushRun(q)));
  }

  /** Removes and returns the run's failures not surfaced yet. */
  takeErrors(q: RunQueue): LablogError[] {
    return q.errors.splice(0);
  }

  /**
   * Writes everything queued so far (for one run, or all), then rejects with what failed since
   * the last surfacing: the error itself, or an `AsyncLoggingError` holding several.
   */
  async flush(runId?: string): Promise<void> {
    const qs = runId === undefined ? [...this.all] : [this.byId.get(runId)].filter((q): q is RunQueue => q !== undefined);
    await Promise.all(qs.map((q) => this.flushRun(q)));
    this.failures.summarize();
    const error = aggregateErrors(qs.flatMap((q) => this.takeErrors(q)));
    if (error) throw error;
  }

  /**
   * Forgets a run's queue (after its run ended and was flushed): a later log for that run id
   * gets a new queue. Anything still queued or in flight in this one is written first.
   */
  closeRun(q: RunQueue): void {
    q.closed = true;
    if (q.runId !== null && this.byId.get(q.runId) === q) this.byId.delete(q.runId);
    if (this.lastQueue === q) {
      this.lastId = undefined;
      this.lastQueue = undefined;
    }
    this.releaseIfIdle(q);
    updateShutdownHooks();
  }

  /** True while anything is queued or being written. */
  isActive(): boolean {
    if (this.closed) return false;
    for (const q of this.all) if (q.busy) return true;
    return false;
  }

  /** Items queued or in flight, over all runs. */
  pendingItems(): number {
    let n = 0;
    for (const q of this.all) n += q.size;
    return n;
  }

  /** Flushes (reporting, not throwing, failures), stops the timer and leaves the shutdown hooks. */
  async close(): Promise<void> {
    await this.drainAll();
    this.closed = true;
    clearTimeout(this.timer);
    this.timerArmed = false;
    this.removeParticipant?.();
  }

  // ----- QueueOwner ------------------------------------------------------------------------

  /** @internal Arms the flush timer (unref'ed: it never keeps the process alive). */
  armTimer(): void {
    this.timerArmed = true;
    this.timer = setTimeout(() => this.onTimer(), this.flushIntervalMs);
    this.timer.unref?.();
    updateShutdownHooks();
  }

  /** @internal Drains the queue on the next turn of the event loop. */
  scheduleDrain(q: RunQueue): void {
    q.immediateScheduled = true;
    setImmediate(() => void this.flushRun(q));
  }

  /** @internal Records a failure for a run. */
  fail(q: RunQueue, error: LablogError, points: number): void {
    if (q.errors.length < 1000) q.errors.push(error);
    this.failures.record(error, points);
  }

  // ----- internals ---------------------------------------------------------------------------

  private onTimer(): void {
    this.timerArmed = false;
    for (const q of this.all) if (q.queued > 0) void this.flushRun(q);
  }

  private enqueue<T>(q: RunQueue, op: () => Promise<T>): Promise<T> {
    q.outstanding++;
    const p = q.tail.then(op);
    q.tail = p.then(noop, noop).then(() => {
      q.outstanding--;
      if (q.outstanding === 0 && !q.busy) {
        this.releaseIfIdle(q);
        updateShutdownHooks();
      }
    });
    return p;
  }

  /** Writes what is queued now: params and tags (merged, in order) first, then metrics. */
  private async drainNow(q: RunQueue): Promise<void> {
    q.immediateScheduled = false;
    const { metrics, paramsTags } = q.take();
    const n = metrics.keys.length;
    const total = n + paramsTags.length;
    if (total === 0) return;
    let runId: string;
    try {
      runId = await q.ready;
    } catch (e) {
      q.written(total);
      this.fail(q, toLablogError(e), total);
      return;
    }
    if (paramsTags.length > 0) {
      for (const b of paramTagBatches(paramsTags)) await this.write(q, runId, b, b.params!.length + b.tags!.length);
      q.written(paramsTags.length);
    }
    const { keys, values, timestamps, steps } = metrics;
    for (let i = 0; i < n; i += this.batchSize) {
      const end = Math.min(n, i + this.batchSize);
      const chunk: Metric[] = new Array<Metric>(end - i);
      for (let j = i; j < end; j++) chunk[j - i] = { key: keys[j]!, value: values[j]!, timestamp: timestamps[j]!, step: steps[j]! };
      await this.write(q, runId, { metrics: chunk }, end - i);
      q.written(end - i);
    }
  }

  /** Drops a closed queue from the logger once nothing is queued or in flight in it. */
  private releaseIfIdle(q: RunQueue): void {
    if (q.closed && !q.busy) this.all.delete(q);
  }

  private async write(q: RunQueue, runId: string, batch: LogBatchArgs, items: number): Promise<void> {
    try {
      await this.store.logBatch(runId, batch);
    } catch (e) {
      this.fail(q, toLablogError(e), items);
    }
  }

  private async drainAll(): Promise<void> {
    await this.flushQueued();
    this.failures.summarize();
  }

  private warnLostAtExit(): void {
    let n = 0;
    for (const q of this.all) n += q.size;
    if (n > 0) {
      this.failures.report(
        `lablog: ${n} queued metric/param/tag items were not logged: the process exited (process.exit() or an uncaught exception) before they were written. Call \`await flush()\` before process.exit().`,
        toLablogError(new Error('exit before flush')),
      );
    }
  }
}
