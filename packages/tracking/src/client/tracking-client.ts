import { RegistryClient } from './registry.js';

/**
 * The explicit client, as MLflow's `MlflowClient`: every call names its experiment or run, and
 * nothing is hidden between calls. Writes wait for the store (synchronous logging); the fluent
 * API adds the non-blocking path on top.
 *
 * The calls are grouped by resource in layers: experiments (experiments.ts), runs and logging
 * (runs.ts), metric histories (metrics.ts), run search (search.ts), artifacts (artifacts.ts),
 * the model registry (registry.ts: `createRegisteredModel`, `registerModel`, aliases, stages…;
 * a backend without a registry answers those with NOT_IMPLEMENTED).
 *
 * ```ts
 * const client = new TrackingClient('sqlite:///mlruns.db');
 * const exp = await client.createExperiment('demo');
 * const run = await client.createRun(exp, { runName: 'baseline' });
 * await client.logMetric(run.info.runId, 'loss', 0.3, { step: 1 });
 * await client.setTerminated(run.info.runId);
 * const v = await client.registerModel(`runs:/${run.info.runId}/model`, 'demo-model');
 * await client.setRegisteredModelAlias('demo-model', 'champion', v.version);
 * ```
 */
export class TrackingClient extends RegistryClient {}
