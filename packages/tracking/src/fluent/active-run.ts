import type { Run, RunData, RunInfo, RunInputs } from '../entities/run.js';
import { LablogError } from '../errors.js';
import type { TrackingClient } from '../client/tracking-client.js';
import type { AsyncLogger } from '../logging/async-logger.js';
import type { RunQueue } from '../logging/run-queue.js';

/**
 * The run the fluent API logs to, as MLflow's `ActiveRun`: a snapshot of the run as it was
 * started (`info`, `data`, `inputs`), plus the client, async logger and queue it writes through.
 *
 * A run started implicitly (by logging with no active run) is created in the background:
 * logging works at once, `runId`/`info` are available after `await run.ready`.
 */
export class ActiveRun implements Run {
  /** Resolves with this run once it exists in the store; rejects when it could not be created. */
  readonly ready: Promise<ActiveRun>;
  /** The queue of this run in its logger (the hot path of `logMetric`). */
  readonly queue: RunQueue;
  /** Set by `endRun` (or the end of `withRun`). */
  ended = false;
  private snapshot: Run | undefined;

  /**
   * @param client the client of the tracking URI the run lives in
   * @param logger the async logger of that client's store
   * @param created the run, created or resumed
   * @param stack the active-run stack the run was pushed on (it is removed from there when it ends)
   */
  constructor(
    readonly client: TrackingClient,
    readonly logger: AsyncLogger,
    created: Run | Promise<Run>,
    readonly stack: ActiveRun[],
  ) {
    if (created instanceof Promise) {
      const id = created.then((r) => {
        this.snapshot = r;
        return r.info.runId;
      });
      this.queue = logger.pendingQueue(id);
      this.ready = id.then(() => this);
      this.ready.catch(() => undefined); // reported through the queue and by endRun
    } else {
      this.snapshot = created;
      this.queue = logger.queue(created.info.runId);
      this.ready = Promise.resolve(this);
    }
  }

  /** True once the run exists in the store. */
  get isReady(): boolean {
    return this.snapshot !== undefined;
  }

  /** The run id; INVALID_STATE while an implicitly started run is still being created. */
  get runId(): string {
    return this.run().info.runId;
  }

  /** Run info as started (status RUNNING). */
  get info(): RunInfo {
    return this.run().info;
  }

  /** Run data as started (its tags). Use `getRun()` for what was logged since. */
  get data(): RunData {
    return this.run().data;
  }

  /** Run inputs as started. */
  get inputs(): RunInputs {
    return this.run().inputs;
  }

  private run(): Run {
    if (!this.snapshot) throw new LablogError('The run is still being created; `await activeRun().ready` first.', 'INVALID_STATE');
    return this.snapshot;
  }
}
