// examples/register-and-serve as a reader runs it: train.mjs in a fresh working directory (the
// embedded default store, real files, the built packages), then the ONNX champion served by the
// built `lablog models serve` as a child process and the tfjs champion by startScoringServer,
// both scored over HTTP with fetch in MLflow's scoring protocol. serve-and-score.sh itself runs
// last, where bash and curl are installed.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TrackingClient } from '@lablog/tracking';
import { loadModel, type LoadedModel } from '@lablog/flavors';
import { startScoringServer, type RunningScoringServer } from '@lablog/server';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const exampleDir = path.join(root, 'examples/register-and-serve');
const cli = path.join(root, 'packages/server/dist/cli/bin.js');
const FEATURES = ['x', 'y', 'noise_a', 'noise_b'];

/** The environment of a newcomer's shell: nothing of MLflow's configured. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['MLFLOW_TRACKING_URI', 'MLFLOW_RUN_ID', 'MLFLOW_EXPERIMENT_NAME', 'MLFLOW_EXPERIMENT_ID', 'MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT']) delete env[k];
  return env;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const argmax = (row: readonly number[]) => row.reduce((best, v, i) => (v > row[best]! ? i : best), 0);

/** A port free right now (for the shell script, which takes fixed ports). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `lablog models serve -m <uri> -p 0` as a child process; its output goes to a file (not a pipe
 * nobody drains), polled for "Serving <uri> at <url>".
 */
async function serveWithCli(cwd: string, modelUri: string): Promise<{ url: string; child: ChildProcess; log: string }> {
  const log = path.join(cwd, 'serve.log');
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [cli, 'models', 'serve', '-m', modelUri, '-p', '0'], { cwd, env: cleanEnv(), stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const m = /Serving \S+ at (http:\/\/\S+)/.exec(readFileSync(log, 'utf8'));
    if (m) return { url: m[1]!, child, log };
    if (exited) break;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`lablog models serve did not start:\n${readFileSync(log, 'utf8')}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

interface Reply {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
}

async function invoke(url: string, contentType: string, body: string): Promise<Reply> {
  const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
}

/**
 * The probabilities of a reply as rows, whatever its layout: `[[…]]` (one unnamed output),
 * `{"probabilities": [[…]]}` (named output, tensor input) or `[{"probabilities": […]}]` (named
 * output, frame input: dataframe_*, CSV).
 */
function rowsOf(reply: Reply): number[][] {
  expect(reply.status, reply.text).toBe(200);
  const p = (reply.json as { predictions: unknown }).predictions;
  if (Array.isArray(p)) return p.map((r) => (Array.isArray(r) ? (r as number[]) : (r as { probabilities: number[] }).probabilities));
  return (p as { probabilities: number[][] }).probabilities;
}

function expectClose(a: readonly (readonly number[])[], b: readonly (readonly number[])[], tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((row, i) => row.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - b[i]![c]!)))));
  expect(worst).toBeLessThan(tol);
}

describe('examples/register-and-serve', () => {
  let cwd: string;
  let stdout: string;
  let trackingUri: string;
  let features: number[][];
  let labels: number[];
  let onnx: { url: string; child: ChildProcess; log: string };
  let tfjs: RunningScoringServer;
  let onnxLocal: LoadedModel;

  const csvOf = (rows: readonly (readonly number[])[]) => [FEATURES.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'lablog-register-and-serve-'));
    const started = Date.now();
    ({ stdout } = await run(process.execPath, [path.join(exampleDir, 'train.mjs')], { cwd, env: cleanEnv() }));
    console.log(`train.mjs took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    trackingUri = `sqlite:///${path.join(cwd, 'lablog/lablog.db')}`;

    // The training data, as the run logged it.
    const runId = /run ([0-9a-f]{32}) \(spiral-mlp\): FINISHED/.exec(stdout)![1]!;
    const info = (await new TrackingClient(trackingUri).getRun(runId)).info;
    const csv = (await readFile(path.join(fileURLToPath(info.artifactUri), 'data/spirals.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe([...FEATURES, 'label'].join(','));
    const rows = csv.slice(1).map((line) => line.split(',').map(Number));
    features = rows.map((r) => r.slice(0, 4));
    labels = rows.map((r) => r[4]!);

    [onnx, tfjs, onnxLocal] = await Promise.all([
      serveWithCli(cwd, 'models:/spiral-onnx@champion'),
      startScoringServer({ modelUri: 'models:/spiral-tfjs@champion', trackingUri, port: 0, logger: false }),
      loadModel('models:/spiral-onnx@champion', { trackingUri, providers: ['CPUExecutionProvider'] }),
    ]);
  });

  afterAll(async () => {
    await Promise.allSettled([onnx && stopChild(onnx.child), tfjs?.close(), onnxLocal?.dispose()]);
    await rm(cwd, { recursive: true, force: true });
  });

  it('trains, checks ONNX against tfjs, and prints the model URIs and the commands', () => {
    expect(stdout).toMatch(/ONNX vs tfjs on all 600 points: max abs diff \d\.\d\de-\d+, same class for 600\/600/);
    expect(stdout).toMatch(/runs:\/[0-9a-f]{32}\/tfjs-model {2}→ {2}models:\/spiral-tfjs\/1/);
    expect(stdout).toMatch(/runs:\/[0-9a-f]{32}\/onnx-model {2}→ {2}models:\/spiral-onnx\/1/);
    expect(stdout).toContain(`models serve -m 'models:/spiral-onnx@champion' -p 5002`);
    expect(stdout).toContain(`models serve -m 'models:/spiral-tfjs@champion' -p 5003`);
    expect(stdout).toContain(`curl -s http://127.0.0.1:5002/invocations -H 'Content-Type: application/json' -d '{"inputs":[[`);
    const acc = Number(/validation accuracy (\d\.\d+)/.exec(stdout)![1]);
    expect(acc).toBeGreaterThan(0.85);
  });

  it('registers both models: champion aliases, the ONNX version in Staging, the run logged', async () => {
    const client = new TrackingClient(trackingUri);
    const onnxVersion = await client.getModelVersionByAlias('spiral-onnx', 'champion');
    const tfjsVersion = await client.getModelVersionByAlias('spiral-tfjs', 'champion');
    expect(onnxVersion.version).toBe('1');
    expect(onnxVersion.currentStage).toBe('Staging');
    expect(tfjsVersion.version).toBe('1');
    expect(onnxVersion.runId).toBe(tfjsVersion.runId);
    const r = await client.getRun(onnxVersion.runId!);
    expect(r.info.status).toBe('FINISHED');
    expect(r.data.params).toContainEqual({ key: 'hidden_units', value: '16' });
    const history = await client.getMetricHistory(r.info.runId, 'val_accuracy');
    expect(history.length).toBe(100);
    expect(history.map((m) => m.step)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('serves the ONNX champion with the predictions of the model loaded in-process', async () => {
    const rows = features.slice(0, 8);
    const served = rowsOf(await invoke(onnx.url, 'application/json', JSON.stringify({ inputs: rows })));
    const out = await onnxLocal.predict({ features: { dtype: 'float32', shape: [rows.length, 4], data: Float32Array.from(rows.flat()) } });
    const local = out['probabilities']!;
    expect(local.shape).toEqual([rows.length, 3]);
    const localRows = rows.map((_, i) => Array.from((local.data as Float32Array).subarray(i * 3, i * 3 + 3)));
    expectClose(served, localRows, 1e-6);
  });

  it('classifies the training data well (argmax vs labels)', async () => {
    const served = rowsOf(await invoke(onnx.url, 'text/csv', csvOf(features)));
    expect(served.length).toBe(labels.length);
    const correct = served.filter((row, i) => argmax(row) === labels[i]).length;
    expect(correct / labels.length).toBeGreaterThan(0.9);
  });

  it('gives identical predictions for inputs, dataframe_split and CSV payloads', async () => {
    const rows = features.slice(0, 20);
    const byInputs = await invoke(onnx.url, 'application/json', JSON.stringify({ inputs: rows }));
    const bySplit = await invoke(onnx.url, 'application/json', JSON.stringify({ dataframe_split: { columns: FEATURES, data: rows } }));
    const byCsv = await invoke(onnx.url, 'text/csv', csvOf(rows));
    // The named output comes back as {"probabilities": [[…]]} for a tensor payload and as
    // records [{"probabilities": […]}] for a frame (dataframe_split, CSV).
    expect(Object.keys((byInputs.json as { predictions: object }).predictions)).toEqual(['probabilities']);
    expect(Array.isArray((bySplit.json as { predictions: unknown }).predictions)).toBe(true);
    expect(rowsOf(bySplit)).toEqual(rowsOf(byInputs));
    expect(rowsOf(byCsv)).toEqual(rowsOf(byInputs));
  });

  it('serves the tfjs champion with the same classes as the ONNX one', async () => {
    const body = JSON.stringify({ inputs: features });
    const [t, o] = await Promise.all([invoke(tfjs.url, 'application/json', body), invoke(onnx.url, 'application/json', body)]);
    const tfjsRows = rowsOf(t);
    expect(Array.isArray((t.json as { predictions: unknown }).predictions)).toBe(true); // one unnamed output: a nested list
    expect(tfjsRows.map(argmax)).toEqual(rowsOf(o).map(argmax));
    expectClose(tfjsRows, rowsOf(o), 1e-4);
    // CSV works for the tfjs model too.
    expect(rowsOf(await invoke(tfjs.url, 'text/csv', csvOf(features.slice(0, 5))))).toEqual(tfjsRows.slice(0, 5));
  });

  it('answers /ping and /version', async () => {
    expect((await fetch(`${onnx.url}/ping`)).status).toBe(200);
    expect((await fetch(`${tfjs.url}/health`)).status).toBe(200);
    const version = await fetch(`${onnx.url}/version`);
    expect(version.status).toBe(200);
    expect(await version.text()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rejects bad payloads as MLflow does (415 content types, 400 bodies)', async () => {
    const row = features[0]!;
    const cases: [string, string, number, RegExp][] = [
      ['text/plain', 'hello', 415, /only supports the following content types/],
      ['application/json; format=pandas-split', JSON.stringify({ inputs: [row] }), 415, /Unrecognized content type parameters: format/],
      ['application/json; charset=latin-1', JSON.stringify({ inputs: [row] }), 415, /only supports UTF-8/],
      ['application/json', '{"inputs": [[1, 2', 400, /valid JSON/],
      ['application/json', JSON.stringify([row]), 400, /Received a list/],
      ['application/json', JSON.stringify({ rows: [row] }), 400, /exactly one of the input fields/],
      ['application/json', JSON.stringify({ inputs: [row], instances: [row] }), 400, /exactly one of the input fields/],
      ['application/json', JSON.stringify({ inputs: [[1, 2, 3]] }), 400, /Shape of input 'features' \(1, 3\) does not match expected shape \(-1, 4\)/],
      ['application/json', JSON.stringify({ inputs: [[1, 2, 3, 'four']] }), 400, /cannot convert "four" to float32/],
      ['text/csv', 'x,y\n1,2\n', 400, /does not match expected shape/],
    ];
    for (const [type, body, status, message] of cases) {
      const reply = await invoke(onnx.url, type, body);
      expect(reply.status, `${type} ${body}: ${reply.text}`).toBe(status);
      expect((reply.json as { message?: string } | null)?.message ?? reply.text).toMatch(message);
      if (status === 400) {
        expect(reply.contentType).toMatch(/^application\/json/);
        expect((reply.json as { error_code: string }).error_code).toMatch(/^(BAD_REQUEST|INVALID_PARAMETER_VALUE)$/);
      } else {
        expect(reply.contentType).toMatch(/^text\/plain/);
      }
    }
  });
});

// The shell walk-through itself, where its tools are installed (CI's Debian image has bash; curl
// is optional there, so this part is skipped without it rather than made a dependency).
// .ci/run installs curl, so under CI the script test always runs.
const hasTools = Boolean(process.env.CI) || ['bash', 'curl'].every((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0);

describe.skipIf(!hasTools)('examples/register-and-serve/serve-and-score.sh', () => {
  it('trains, serves both champions, scores them with curl, and stops the servers', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'lablog-serve-and-score-'));
    try {
      const [onnxPort, tfjsPort] = [await freePort(), await freePort()];
      const { stdout } = await run('bash', [path.join(exampleDir, 'serve-and-score.sh')], {
        cwd,
        env: { ...cleanEnv(), ONNX_PORT: String(onnxPort), TFJS_PORT: String(tfjsPort) },
        timeout: 80_000,
      });
      expect(stdout).toContain(`onnx: serving at http://127.0.0.1:${onnxPort}`);
      expect(stdout).toContain(`tfjs: serving at http://127.0.0.1:${tfjsPort}`);
      expect(stdout.match(/-> HTTP 200 /g)?.length).toBe(5);
      expect(stdout.match(/^ {2}classes: 0 1 2$/gm)?.length).toBe(5);
      expect(stdout).toContain('the ONNX and tfjs champions agree: classes 0 1 2');
      expect(stdout).toContain('stopped the scoring servers');
      // Stopped: nothing answers on the ports any more.
      await expect(fetch(`http://127.0.0.1:${onnxPort}/ping`)).rejects.toThrow();
      await expect(fetch(`http://127.0.0.1:${tfjsPort}/ping`)).rejects.toThrow();
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }, 90_000);
});
