/**
 * The fluent API's hidden state (MLflow's fluent.py globals): one active-run stack per async
 * context, the active experiment, and one client per tracking URI.
 *
 * Stacks and async contexts: outside any `withRun`, there is one process-wide root stack, so
 * `startRun()` in a script or in one notebook cell stays active for the next cells (an
 * `enterWith` would be lost between cells). `withRun(fn)` runs `fn` under
 * `AsyncLocalStorage.run` with its own copy of the stack, so concurrent `withRun`s never see
 * each other's runs, and anything `fn` awaits or spawns sees its run.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { TrackingClient } from '../client/tracking-client.js';
import { getTrackingUri } from '../tracking-uri.js';
import type { ActiveRun } from './active-run.js';

const als = new AsyncLocalStorage<ActiveRun[]>();
const rootStack: ActiveRun[] = [];
const clients = new Map<string, TrackingClient>();

/** Every run started and not yet ended, in start order (for the exit hooks). */
export const liveRuns = new Set<ActiveRun>();

/** The active experiment chosen with `setExperiment`, for the tracking URI it was chosen on. */
export let activeExperiment: { trackingUri: string; experimentId: string } | undefined;

/** The id of the run that most recently ended, or the active one. */
export let lastRunId: string | undefined;

/** Records the active experiment. */
export function setActiveExperiment(value: { trackingUri: string; experimentId: string } | undefined): void {
  activeExperiment = value;
}

/** Records the last active run. */
export function setLastRunId(runId: string): void {
  lastRunId = runId;
}

/** The active-run stack of the current async context (the root stack outside `withRun`). */
export function currentStack(): ActiveRun[] {
  return als.getStore() ?? rootStack;
}

/** The innermost active run of the current async context, or undefined. */
export function topRun(): ActiveRun | undefined {
  const stack = als.getStore() ?? rootStack;
  return stack[stack.length - 1];
}

/** Runs `fn` with its own copy of the current stack (see the module comment). */
export function runInScope<T>(fn: (stack: ActiveRun[]) => T): T {
  const stack = currentStack().slice();
  return als.run(stack, () => fn(stack));
}

/** The client for the tracking URI in effect now (one per URI). */
export function currentClient(): TrackingClient {
  const uri = getTrackingUri();
  let client = clients.get(uri);
  if (!client) {
    client = new TrackingClient(uri);
    clients.set(uri, client);
  }
  return client;
}

/** Forgets cached clients and the active experiment (after stores were closed; tests). */
export function resetFluentState(): void {
  clients.clear();
  activeExperiment = undefined;
  lastRunId = undefined;
  rootStack.length = 0;
  liveRuns.clear();
}
