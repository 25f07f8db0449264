/** Run lifecycle of the fluent API: experiments, startRun / endRun / withRun, the active run. */
import type { Experiment } from '../entities/experiment.js';
import { DEFAULT_EXPERIMENT_ID } from '../entities/experiment.js';
import type { Run } from '../entities/run.js';
import type { RunStatus } from '../entities/enums.js';
import { LablogError, invalidParameter, toLablogError } from '../errors.js';
import { MLFLOW_PARENT_RUN_ID, MLFLOW_RUN_NAME, MLFLOW_RUN_NOTE } from '../tags.js';
import { resolveTags } from '../run-context/index.js';
import type { TrackingClient } from '../client/tracking-client.js';
import { tagList, type TagsInput } from '../client/client-base.js';
import { asyncLoggerFor } from '../logging/config.js';
import { aggregateErrors } from '../logging/failure-reporter.js';
import { addShutdownParticipant, updateShutdownHooks } from '../logging/shutdown.js';
import { ActiveRun } from './active-run.js';
import {
  activeExperiment,
  currentClient,
  currentStack,
  lastRunId,
  liveRuns,
  runInScope,
  setActiveExperiment,
  setLastRunId,
  topRun,
} from './state.js';

/** Environment variables the fluent API reads (MLflow's). */
export const EXPERIMENT_NAME_ENV = 'MLFLOW_EXPERIMENT_NAME';
/** See {@link EXPERIMENT_NAME_ENV}. */
export const EXPERIMENT_ID_ENV = 'MLFLOW_EXPERIMENT_ID';
/** Resumes that run on the next `startRun` (and is then removed, as MLflow does). */
export const RUN_ID_ENV = 'MLFLOW_RUN_ID';

/** Options of {@link startRun} and {@link withRun}. */
export interface StartRunOptions {
  /** Generated (`<adjective>-<noun>-<n>`) when absent. */
  runName?: string;
  tags?: TagsInput;
  /** Start inside the active run (tagging `mlflow.parentRunId`); without it an active run is an error. */
  nested?: boolean;
  /** Resume this run instead of creating one (also `MLFLOW_RUN_ID`). */
  runId?: string;
  /** Default: the active experiment, `MLFLOW_EXPERIMENT_NAME`/`_ID`, then `0`. */
  experimentId?: string;
  /** Markdown description, stored as `mlflow.note.content`. */
  description?: string;
  /** An explicit parent run id (instead of the active run). */
  parentRunId?: string;
}

/**
 * Makes an experiment the active one, creating it when missing (MLflow's `set_experiment`).
 * @throws LablogError for a deleted experiment, or an id that does not exist.
 */
export async function setExperiment(nameOrOptions: string | { experimentName?: string; experimentId?: string }): Promise<Experiment> {
  const opts = typeof nameOrOptions === 'string' ? { experimentName: nameOrOptions } : nameOrOptions;
  const client = currentClient();
  let experiment: Experiment | null;
  if (opts.experimentId !== undefined) {
    experiment = await client.getExperiment(opts.experimentId);
  } else if (opts.experimentName !== undefined) {
    experiment = await client.getExperimentByName(opts.experimentName);
    if (!experiment) experiment = await client.getExperiment(await client.createExperiment(opts.experimentName));
  } else {
    throw invalidParameter('Must specify exactly one of: `experimentId` or `experimentName`.');
  }
  if (experiment.lifecycleStage === 'deleted') {
    throw invalidParameter(
      `Cannot set a deleted experiment '${experiment.name}' as the active experiment. You can restore the experiment, or permanently delete the experiment to create a new one.`,
    );
  }
  setActiveExperiment({ trackingUri: client.trackingUri, experimentId: experiment.experimentId });
  return experiment;
}

/** The experiment new runs go to: active, then `MLFLOW_EXPERIMENT_NAME` (created if missing), `MLFLOW_EXPERIMENT_ID`, then `0`. */
export async function resolveExperimentId(client: TrackingClient): Promise<string> {
  if (activeExperiment && activeExperiment.trackingUri === client.trackingUri) return activeExperiment.experimentId;
  const name = process.env[EXPERIMENT_NAME_ENV];
  const id = process.env[EXPERIMENT_ID_ENV];
  if (name) {
    const exp = await client.getExperimentByName(name);
    if (exp) {
      if (id && id !== exp.experimentId) {
        throw invalidParameter(`The provided ${EXPERIMENT_ID_ENV} ('${id}') does not match the experiment named by ${EXPERIMENT_NAME_ENV} ('${name}', id ${exp.experimentId}).`);
      }
      return exp.experimentId;
    }
    return client.createExperiment(name);
  }
  if (id) {
    try {
      return (await client.getExperiment(id)).experimentId;
    } catch (e) {
      throw new LablogError(`The provided ${EXPERIMENT_ID_ENV} environment variable value '${id}' does not exist in the tracking server.`, 'RESOURCE_DOES_NOT_EXIST', { cause: e });
    }
  }
  return DEFAULT_EXPERIMENT_ID;
}

/**
 * Starts a run and makes it active in the current async context (MLflow's `start_run`). New runs
 * get the context tags (user, source, git) under the caller's tags.
 * @throws LablogError INVALID_STATE when a run is active and `nested` is not set.
 */
export async function startRun(options: StartRunOptions = {}): Promise<ActiveRun> {
  const stack = currentStack();
  checkCanStart(stack, options);
  const parent = stack[stack.length - 1];
  const client = currentClient();
  const created = await createOrResume(client, options, parent);
  checkCanStart(stack, options); // another run may have become active while we awaited
  return activate(new ActiveRun(client, asyncLoggerFor(client.store), created, stack));
}

/** The run logging calls go to: the active one, or one started now in the background (as MLflow does). */
export function activeOrStartedRun(): ActiveRun {
  const top = topRun();
  if (top) return top;
  const client = currentClient();
  const stack = currentStack();
  let created: Promise<Run>;
  try {
    created = createOrResume(client, {}, undefined);
  } catch (e) {
    created = Promise.reject(toLablogError(e));
  }
  const run = activate(new ActiveRun(client, asyncLoggerFor(client.store), created, stack));
  run.ready.catch(() => {
    // Could not create: leave the stack, so the next call tries again; queued items are reported.
    remove(run);
  });
  return run;
}

/**
 * Ends the active run of the current async context (no-op when there is none): writes what is
 * queued for it, then sets `status` (default FINISHED) and the end time.
 * @throws the logging failures of that run not surfaced yet (the run is ended anyway).
 */
export async function endRun(status: RunStatus = 'FINISHED'): Promise<void> {
  const run = topRun();
  if (run) await finishRun(run, status);
}

/**
 * Runs `fn` inside a new run, scoped to `fn` and what it awaits: the run ends FINISHED when `fn`
 * returns, FAILED when it throws or rejects (the error is rethrown). Concurrent `withRun`s each
 * have their own active run.
 */
export async function withRun<T>(fn: (run: ActiveRun) => T | Promise<T>, options: StartRunOptions = {}): Promise<T> {
  return runInScope(async () => {
    const run = await startRun(options);
    let result: T;
    try {
      result = await fn(run);
    } catch (e) {
      if (!run.ended) await finishRun(run, 'FAILED').catch(() => undefined);
      throw e;
    }
    if (!run.ended) await finishRun(run, 'FINISHED');
    return result;
  });
}

/** The innermost active run of the current async context, or null (MLflow's `active_run`). */
export function activeRun(): ActiveRun | null {
  return topRun() ?? null;
}

/** The most recently active run as stored now, or null when no run was active in this process. */
export async function lastActiveRun(): Promise<Run | null> {
  const top = topRun();
  const id = top?.isReady ? top.runId : lastRunId;
  return id === undefined ? null : currentClient().getRun(id);
}

/**
 * Ends one run: flush its queue, then update its status; used by endRun, withRun and the exit
 * hooks. `keepActive` (signal handling) leaves it on its stack, so training code still running
 * until the signal is raised again logs into it instead of starting a new run.
 */
export async function finishRun(run: ActiveRun, status: RunStatus, keepActive = false): Promise<void> {
  if (run.ended) return;
  run.ended = true;
  if (keepActive) liveRuns.delete(run);
  else remove(run);
  await run.logger.flushRun(run.queue);
  const errors = run.logger.takeErrors(run.queue);
  try {
    await run.ready;
    setLastRunId(run.runId);
    await run.client.setTerminated(run.runId, status);
  } catch (e) {
    errors.push(toLablogError(e));
  } finally {
    run.logger.closeRun(run.queue);
    updateShutdownHooks();
  }
  const error = aggregateErrors(errors);
  if (error) throw error;
}

async function createOrResume(client: TrackingClient, options: StartRunOptions, parent: ActiveRun | undefined): Promise<Run> {
  let resumeId = options.runId;
  if (resumeId === undefined && process.env[RUN_ID_ENV]) {
    resumeId = process.env[RUN_ID_ENV];
    delete process.env[RUN_ID_ENV];
  }
  const userTags: Record<string, string> = {};
  for (const t of tagList(options.tags)) userTags[t.key] = t.value;
  if (options.description !== undefined) userTags[MLFLOW_RUN_NOTE] = options.description;
  if (resumeId !== undefined) return resume(client, resumeId, options, userTags);

  const parentRunId = options.parentRunId ?? (options.nested && parent ? (await parent.ready).runId : undefined);
  if (parentRunId !== undefined) userTags[MLFLOW_PARENT_RUN_ID] = parentRunId;
  const experimentId = options.experimentId ?? (await resolveExperimentId(client));
  const tags = resolveTags(userTags);
  return client.createRun(experimentId, { runName: options.runName ?? tags[MLFLOW_RUN_NAME], tags });
}

async function resume(client: TrackingClient, runId: string, options: StartRunOptions, tags: Record<string, string>): Promise<Run> {
  const run = await client.getRun(runId);
  if (run.info.lifecycleStage === 'deleted') {
    throw invalidParameter(`Cannot start run with ID ${runId} because it is in the deleted state.`);
  }
  if (options.experimentId !== undefined && options.experimentId !== run.info.experimentId) {
    throw invalidParameter(`Cannot resume run ${runId} in experiment ${options.experimentId}: it belongs to experiment ${run.info.experimentId}.`);
  }
  await client.updateRun(runId, { status: 'RUNNING', ...(options.runName !== undefined ? { runName: options.runName } : {}) });
  if (Object.keys(tags).length > 0) await client.logBatch(runId, { tags: tagList(tags) });
  return client.getRun(runId);
}

function checkCanStart(stack: ActiveRun[], options: StartRunOptions): void {
  const top = stack[stack.length - 1];
  if (top && !options.nested) {
    const id = top.isReady ? top.runId : '(being created)';
    throw new LablogError(
      `Run with UUID ${id} is already active. To start a new run, first end the current run with endRun(). To start a nested run, call startRun with nested: true`,
      'INVALID_STATE',
    );
  }
}

function activate(run: ActiveRun): ActiveRun {
  run.stack.push(run);
  liveRuns.add(run);
  ensureParticipant();
  updateShutdownHooks();
  return run;
}

function remove(run: ActiveRun): void {
  const i = run.stack.lastIndexOf(run);
  if (i >= 0) run.stack.splice(i, 1);
  liveRuns.delete(run);
}

let participantAdded = false;

/** Ends runs left active at exit: FINISHED on a normal exit (MLflow's atexit), KILLED on SIGINT/SIGTERM. */
function ensureParticipant(): void {
  if (participantAdded) return;
  participantAdded = true;
  const endAll = async (status: RunStatus, keepActive: boolean): Promise<void> => {
    for (const run of [...liveRuns].reverse()) {
      await finishRun(run, status, keepActive).catch((e: unknown) => {
        run.logger.failures.record(toLablogError(e), 0);
      });
    }
  };
  addShutdownParticipant({
    order: 0,
    isActive: () => liveRuns.size > 0,
    onBeforeExit: () => endAll('FINISHED', false),
    onSignal: () => endAll('KILLED', true),
    onExit: () => {
      for (const run of liveRuns) {
        const id = run.isReady ? run.runId : '(being created)';
        run.logger.failures.report(
          `lablog: run ${id} was still active when the process exited (process.exit() or an uncaught exception); it stays RUNNING. Call \`await endRun()\` before process.exit().`,
          new LablogError('exit with an active run', 'ABORTED'),
        );
      }
    },
  });
}
