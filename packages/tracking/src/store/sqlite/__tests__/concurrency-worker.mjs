/**
 * Child process of sqlite-concurrency.test.ts: opens the shared database through a bundle of
 * SqliteStore, waits for the common start instant, then logs batches to a run of its own.
 * Prints one JSON line: {runId, driver} or {error}.
 *
 *   <node|deno run -A> concurrency-worker.mjs <bundle.mjs> <db path> <worker index> <batches> <start ms>
 */
import { pathToFileURL } from 'node:url';

const [bundle, dbPath, indexArg, batchesArg, startArg] = process.argv.slice(2);
const index = Number(indexArg);
const batches = Number(batchesArg);
const wait = Number(startArg) - Date.now();
if (wait > 0) await new Promise((r) => setTimeout(r, wait));

try {
  const { SqliteStore } = await import(pathToFileURL(bundle).href);
  const store = new SqliteStore({ path: dbPath, defaultArtifactRoot: 'file:///tmp/lablog-concurrency/artifacts' });
  const run = await store.createRun({ experimentId: '0', userId: `w${index}`, startTime: Date.now(), tags: [{ key: 'worker', value: String(index) }] });
  const runId = run.info.runId;
  for (let b = 0; b < batches; b++) {
    const metrics = [];
    for (let i = 0; i < 100; i++) {
      const step = b * 100 + i;
      metrics.push({ key: 'loss', value: index * 1e6 + step, timestamp: 1_700_000_000_000 + step, step });
      metrics.push({ key: 'acc', value: step / 1e6, timestamp: 1_700_000_000_000 + step, step });
    }
    await store.logBatch(runId, { metrics, params: [{ key: `p${b}`, value: String(b) }], tags: [{ key: 'batch', value: String(b) }] });
  }
  await store.updateRunInfo(runId, { status: 'FINISHED', endTime: Date.now() });
  const { driver } = await store.diagnostics();
  await store.close();
  process.stdout.write(JSON.stringify({ runId, driver }) + '\n');
} catch (e) {
  process.stdout.write(JSON.stringify({ error: String(e?.stack ?? e) }) + '\n');
  process.exitCode = 1;
}
