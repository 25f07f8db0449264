/**
 * Entry point of a scoring worker process (node:cluster, see server.ts): reads its options from
 * the environment, serves, and closes gracefully on SIGTERM / SIGINT or when the primary goes.
 */
import cluster from 'node:cluster';
import { startScoringServer, WORKER_OPTIONS_ENV, type StartScoringServerOptions } from './server.js';

const options = JSON.parse(process.env[WORKER_OPTIONS_ENV] ?? '{}') as StartScoringServerOptions;
try {
  const server = await startScoringServer({ ...options, workers: 1, handleSignals: true });
  cluster.worker?.on('disconnect', () => void server.close().finally(() => process.exit(0)));
} catch (e) {
  process.stderr.write(`lablog: scoring worker failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
