/**
 * A child process for the exit and signal tests (bundled by esbuild in shutdown.test.ts).
 * Uses MLFLOW_TRACKING_URI from the environment. Modes:
 * - `signal`: logs metric `x` (step = value) forever, printing `STEP <n>` once every point up to
 *   n has been logged, yielding to the event loop between chunks; the test sends a signal.
 * - `exit`: logs 50 000 points and a param without ending the run or flushing, then lets the
 *   script end: the beforeExit drain must write everything and end the run FINISHED.
 * - `auto`: logs without starting a run (one is started implicitly) and ends the script.
 * - `process-exit`: logs, then calls process.exit(0) at once: nothing can be written any more,
 *   and lablog must say so on stderr.
 */
import { logMetric, logParam, startRun } from '../../fluent.js';

const mode = process.argv[2];

if (mode === 'signal') {
  const run = await startRun({ runName: 'signalled' });
  process.stdout.write(`RUN ${run.runId}\n`);
  let step = 0;
  for (;;) {
    for (let i = 0; i < 500; i++, step++) logMetric('x', step, { step });
    process.stdout.write(`STEP ${step - 1}\n`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
} else if (mode === 'exit') {
  const run = await startRun({ runName: 'exiting' });
  process.stdout.write(`RUN ${run.runId}\n`);
  for (let step = 0; step < 50_000; step++) logMetric('x', step, { step });
  logParam('p', 'v');
} else if (mode === 'auto') {
  for (let step = 0; step < 1000; step++) logMetric('auto', step, { step });
  process.stdout.write('DONE\n');
} else if (mode === 'process-exit') {
  await startRun({ runName: 'abrupt' });
  for (let step = 0; step < 10; step++) logMetric('x', step, { step });
  process.exit(0);
}
