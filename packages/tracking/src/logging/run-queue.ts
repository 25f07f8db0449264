/**
 * The bounded per-run queue behind the async logger. Its `logMetric` is the hot path of
 * training code: a cached key check, four pushes into plain arrays, two comparisons; no
 * Promise, no Date, no object per point (points are kept as columns, so a large queue costs
 * the garbage collector nothing; `Metric` objects are made per batch when written).
 */
import { LablogError, toLablogError } from '../errors.js';
import { validateKey } from '../validation.js';
import type { PendingParamOrTag } from './batching.js';

/** What a queue needs from its logger; implemented by {@link AsyncLogger}. */
export interface QueueOwner {
  /** True while the flush timer is armed. */
  readonly timerArmed: boolean;
  /** Arms the flush timer (and the shutdown hooks). */
  armTimer(): void;
  /** Schedules a drain of this queue on the next turn of the event loop (setImmediate). */
  scheduleDrain(q: RunQueue): void;
  /** Records a failure for this queue: reported once per kind, surfaced by flush. */
  fail(q: RunQueue, error: LablogError, points: number): void;
}

const knownKeys = new Set<string>();

/** Queued metric points as columns (same length, call order). */
export interface MetricColumns {
  readonly keys: string[];
  readonly values: number[];
  readonly timestamps: number[];
  readonly steps: number[];
}

/** Runs of one logger keyed by run id; a run still being created has `runId` null. */
export class RunQueue {
  /** Null until the run exists (a run auto-started by the fluent API is created in the background). */
  runId: string | null = null;
  /** Resolves with the run id once the run exists; rejects when it could not be created. */
  readonly ready: Promise<string>;
  /** Metric keys not yet taken by a drain, in call order ({@link values}, {@link timestamps}, {@link steps} alongside). */
  keys: string[] = [];
  /** Values of the queued points. */
  values: number[] = [];
  /** Timestamps (ms) of the queued points. */
  timestamps: number[] = [];
  /** Steps of the queued points. */
  steps: number[] = [];
  /** Params and tags not yet taken by a drain, in call order. */
  paramsTags: PendingParamOrTag[] = [];
  /** Items taken by a drain and not yet written. */
  inFlight = 0;
  /** Failures not yet surfaced by `flush()` / `endRun`. */
  errors: LablogError[] = [];
  /** Tail of this run's serial chain of store calls. */
  tail: Promise<void> = Promise.resolve();
  /** Store calls queued or running on {@link tail}. */
  outstanding = 0;
  /** A drain queued on the chain that has not started yet (new data joins it). */
  drainQueued: Promise<void> | null = null;
  /** Set by `closeRun`: the run ended; the queue is dropped once idle. */
  closed = false;
  /** A setImmediate drain is pending. */
  immediateScheduled = false;
  /** Resolves when the queue is below its soft limit again (back-pressure). */
  private room: Promise<void> | null = null;
  private releaseRoom: (() => void) | null = null;
  private readonly softLimit: number;

  /**
   * @param owner the logger
   * @param runId the run id, or a promise of it for a run being created
   * @param batchSize items that make a full `logBatch` (a drain is scheduled at that size)
   * @param maxQueued hard bound on queued plus in-flight items; beyond it points are dropped
   */
  constructor(
    private readonly owner: QueueOwner,
    runId: string | Promise<string>,
    private readonly batchSize: number,
    private readonly maxQueued: number,
  ) {
    this.softLimit = Math.max(batchSize, Math.floor(maxQueued / 2));
    if (typeof runId === 'string') {
      this.runId = runId;
      this.ready = Promise.resolve(runId);
    } else {
      this.ready = runId.then((id) => (this.runId = id));
      this.ready.catch(() => undefined); // surfaced through the drain, never unhandled
    }
  }

  /** Number of items queued or in flight. */
  get size(): number {
    return this.keys.length + this.paramsTags.length + this.inFlight;
  }

  /** Items waiting for a drain (not yet taken). */
  get queued(): number {
    return this.keys.length + this.paramsTags.length;
  }

  /** True when something is queued, in flight, or a store call is outstanding. */
  get busy(): boolean {
    return this.keys.length > 0 || this.paramsTags.length > 0 || this.outstanding > 0;
  }

  /**
   * Queues one metric point. Returns undefined normally; above the soft limit (half the bound)
   * a shared promise that resolves when the queue has room again, so `await`ing callers get
   * back-pressure; at the bound the point is dropped and reported.
   */
  logMetric(key: string, value: number, timestamp: number, step: number): Promise<void> | undefined {
    if (!knownKeys.has(key) || typeof value !== 'number' || !Number.isInteger(step) || !Number.isSafeInteger(timestamp) || timestamp < 0) {
      if (!this.validMetric(key, value, timestamp, step)) return undefined;
    }
    const n = this.keys.length;
    if (n + this.inFlight >= this.softLimit) return this.overSoftLimit(key, value, timestamp, step);
    this.keys.push(key);
    this.values.push(value);
    this.timestamps.push(timestamp);
    this.steps.push(step);
    if (n + 1 >= this.batchSize && !this.immediateScheduled) this.owner.scheduleDrain(this);
    if (!this.owner.timerArmed) this.owner.armTimer();
    return undefined;
  }

  /** Queues a param (kind 0) or tag (kind 1). Keys are checked; values are checked by the store. */
  logParamOrTag(kind: 0 | 1, key: string, value: string): void {
    if (!knownKeys.has(key) && !this.acceptKey(key, kind === 0 ? 'param' : 'tag')) return;
    if (typeof value !== 'string') {
      this.owner.fail(this, new LablogError(`Invalid value ${JSON.stringify(value)} for ${kind === 0 ? 'param' : 'tag'} '${key}': values must be strings.`, 'INVALID_PARAMETER_VALUE'), 1);
      return;
    }
    this.paramsTags.push({ kind, key, value });
    if (this.paramsTags.length >= this.batchSize && !this.immediateScheduled) this.owner.scheduleDrain(this);
    if (!this.owner.timerArmed) this.owner.armTimer();
  }

  /** Called by the drain: hands over everything queued and counts it in flight. */
  take(): { metrics: MetricColumns; paramsTags: PendingParamOrTag[] } {
    const taken = {
      metrics: { keys: this.keys, values: this.values, timestamps: this.timestamps, steps: this.steps },
      paramsTags: this.paramsTags,
    };
    this.keys = [];
    this.values = [];
    this.timestamps = [];
    this.steps = [];
    this.paramsTags = [];
    this.inFlight += taken.metrics.keys.length + taken.paramsTags.length;
    return taken;
  }

  /** Called by the drain after each write (successful or not). */
  written(items: number): void {
    this.inFlight -= items;
    if (this.room && this.size < this.softLimit) {
      const release = this.releaseRoom!;
      this.room = null;
      this.releaseRoom = null;
      release();
    }
  }

  private overSoftLimit(key: string, value: number, timestamp: number, step: number): Promise<void> {
    if (this.keys.length + this.inFlight >= this.maxQueued) {
      this.owner.fail(
        this,
        new LablogError(
          `The async logging queue of run ${this.runId ?? '(being created)'} is full (${this.maxQueued} items); points are dropped. Await logMetric()/flush() in the loop to apply back-pressure, or raise maxQueuedPoints.`,
          'RESOURCE_EXHAUSTED',
        ),
        1,
      );
    } else {
      this.keys.push(key);
      this.values.push(value);
      this.timestamps.push(timestamp);
      this.steps.push(step);
      if (!this.owner.timerArmed) this.owner.armTimer();
    }
    if (!this.immediateScheduled) this.owner.scheduleDrain(this);
    if (!this.room) this.room = new Promise<void>((resolve) => (this.releaseRoom = resolve));
    return this.room;
  }

  private validMetric(key: string, value: number, timestamp: number, step: number): boolean {
    if (!knownKeys.has(key) && !this.acceptKey(key, 'metric')) return false;
    if (typeof value !== 'number' || !Number.isInteger(step) || !Number.isSafeInteger(timestamp) || timestamp < 0) {
      const what =
        typeof value !== 'number' ? `value ${String(value)}` : !Number.isInteger(step) ? `step ${String(step)}` : `timestamp ${String(timestamp)}`;
      this.owner.fail(this, new LablogError(`Got invalid ${what} for metric '${key}'. Values must be numbers, steps integers and timestamps non-negative integers (ms).`, 'INVALID_PARAMETER_VALUE'), 1);
      return false;
    }
    return true;
  }

  private acceptKey(key: string, kind: 'metric' | 'param' | 'tag'): boolean {
    try {
      validateKey(key, kind);
    } catch (e) {
      this.owner.fail(this, toLablogError(e), 1);
      return false;
    }
    if (knownKeys.size < 100_000) knownKeys.add(key);
    return true;
  }
}
