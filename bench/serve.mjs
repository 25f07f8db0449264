#!/usr/bin/env node
/**
 * Scoring server throughput: `POST /invocations` of a batch-1 ONNX MLP (one `session.run` ≈ 1 ms)
 * from 16 keep-alive HTTP clients, against a raw `session.run` loop with 16 runs in flight, in
 * the same run. Server variants: micro-batching off (`maxBatchWaitMs` 0) and on (2 ms).
 *
 *   node bench/serve.mjs [--quick] [--threads N] [--hidden 1536] [--layers 3] [--features 256] [--workers N]
 *
 * The server runs in a child process (this script with `--serve-child`), the clients here, so the
 * server's JavaScript thread is its own, as in production. Both sides use the same model file and
 * onnxruntime session options (`--threads`, intra-op threads, default 1).
 *
 * Imports the built packages (`npm run build`). `LABLOG_BENCH_SERVER_MODULE=<file>` and
 * `LABLOG_BENCH_FLAVORS_MODULE=<file>` point at other builds of @lablog/server and
 * @lablog/flavors (e.g. esbuild bundles of their src/index.ts) while the tree does not build.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUICK, environment, fail, fmt, heading, makeTmp, nowNs, report, summarize } from './_common.mjs';

const require = createRequire(import.meta.url);
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = QUICK ? 3 : 20;
const CONCURRENCY = 16;
const FEATURES = arg('features', 256);
const HIDDEN = arg('hidden', 1536);
const LAYERS = arg('layers', 3);
const OUTPUTS = 16;
const THREADS = arg('threads', 1);
const WORKERS = arg('workers', 0);
const TARGET = 0.85;

const serverModule = () => import(process.env.LABLOG_BENCH_SERVER_MODULE ?? '@lablog/server');
const flavorsModule = () => import(process.env.LABLOG_BENCH_FLAVORS_MODULE ?? '@lablog/flavors');

// ---------------------------------------------------------------------------------------------
// The model: built with @lablog/flavors' buildMlpOnnx, saved with saveModel (signature inferred
// from the graph, onnxruntime session options in MLmodel), served through loadModel.

function rng(seed) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.1;
}

/** Writes the model directory; returns `{ dir, onnxPath }`. */
async function makeModel() {
  const { buildMlpOnnx, saveModel } = await flavorsModule();
  const rnd = rng(1);
  const dims = [FEATURES, ...Array(LAYERS).fill(HIDDEN), OUTPUTS];
  const layers = dims.slice(1).map((outDim, i) => ({
    inDim: dims[i],
    outDim,
    weights: Float32Array.from({ length: dims[i] * outDim }, rnd),
    bias: Float32Array.from({ length: outDim }, rnd),
    activation: i === dims.length - 2 ? 'none' : 'relu',
  }));
  const dir = join(makeTmp('serve'), 'model');
  await saveModel(buildMlpOnnx({ layers, inputName: 'x', outputName: 'y' }), dir, {
    signature: 'infer',
    onnx: { providers: ['CPUExecutionProvider'], sessionOptions: { intra_op_num_threads: THREADS, inter_op_num_threads: 1 } },
  });
  return { dir, onnxPath: join(dir, 'model.onnx') };
}

async function ortSession(onnxPath) {
  const ort = require('onnxruntime-node');
  return { ort, session: await ort.InferenceSession.create(onnxPath, { executionProviders: ['cpu'], intraOpNumThreads: THREADS, interOpNumThreads: 1 }) };
}

// ---------------------------------------------------------------------------------------------
// Server child

if (process.argv.includes('--serve-child')) {
  const spec = JSON.parse(process.argv[process.argv.indexOf('--serve-child') + 1]);
  const { buildScoringApp, startScoringServer } = await serverModule();
  let app = null;
  let server = null;
  if (spec.workers > 1) {
    server = await startScoringServer({ modelUri: spec.model.dir, port: 0, workers: spec.workers, maxBatchWaitMs: spec.maxBatchWaitMs, maxBatchSize: 64, logger: false });
  } else {
    const { loadModel } = await flavorsModule();
    app = buildScoringApp({ model: await loadModel(spec.model.dir), maxBatchWaitMs: spec.maxBatchWaitMs, maxBatchSize: 64 });
    await app.listen({ host: '127.0.0.1', port: 0 });
  }
  process.send({ port: app ? app.server.address().port : Number(new URL(server.url).port) });
  process.on('message', async (m) => {
    if (m === 'stats') process.send({ stats: app?.scoringBatcher?.stats ?? null });
    if (m === 'close') {
      await (app ? app.close() : server.close());
      process.exit(0);
    }
  });
} else {
  await main();
}

function startChild(model, maxBatchWaitMs, workers = 1) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve-child', JSON.stringify({ model, maxBatchWaitMs, workers })], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`server child exited with ${code}`)));
  });
}

function ask(child, message) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}

// ---------------------------------------------------------------------------------------------
// Load generation

function rows(n) {
  const rnd = rng(7);
  return Array.from({ length: n }, () => Float32Array.from({ length: FEATURES }, () => rnd() * 10));
}

/** Runs `one(i)` from `CONCURRENCY` loops for `seconds`; returns count, latencies (ms), wall s. */
async function closedLoop(seconds, one) {
  const lat = [];
  let n = 0;
  const t0 = nowNs();
  const end = t0 + seconds * 1e9;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, c) => {
      let i = c;
      while (nowNs() < end) {
        const s = nowNs();
        await one(i);
        lat.push((nowNs() - s) / 1e6);
        n++;
        i += CONCURRENCY;
      }
    }),
  );
  return { n, lat, wall: (nowNs() - t0) / 1e9 };
}

function post(agent, port, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: '127.0.0.1', port, method: 'POST', path: '/invocations', headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function close(a, b) {
  return Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));
}

async function main() {
  console.log(`serve: ${environment()}`);
  const model = await makeModel();
  const data = rows(64);
  const bodies = data.map((r) => Buffer.from(JSON.stringify({ inputs: [Array.from(r)] })));
  console.log(`model: ONNX MLP ${FEATURES} → ${Array(LAYERS).fill(HIDDEN).join(' → ')} → ${OUTPUTS} (float32, ReLU), onnxruntime CPU, intra-op threads ${THREADS}`);
  console.log(`load: ${CONCURRENCY} concurrent clients, batch 1, ${SECONDS} s per variant; request body ${bodies[0].length} bytes`);

  const { ort, session } = await ortSession(model.onnxPath);
  const expected = [];
  for (const r of data) expected.push(Array.from((await session.run({ x: new ort.Tensor('float32', r, [1, FEATURES]) })).y.data));
  const t1 = nowNs();
  for (let i = 0; i < 200; i++) await session.run({ x: new ort.Tensor('float32', data[i % 64], [1, FEATURES]) });
  console.log(`one session.run, batch 1, sequential: ${fmt((nowNs() - t1) / 1e6 / 200, 3)} ms`);

  heading(`raw session.run, ${CONCURRENCY} in flight`);
  await closedLoop(0.5, (i) => session.run({ x: new ort.Tensor('float32', data[i % 64], [1, FEATURES]) }));
  const raw = await closedLoop(SECONDS, (i) => session.run({ x: new ort.Tensor('float32', data[i % 64], [1, FEATURES]) }));
  const rawRps = raw.n / raw.wall;
  const rawLat = summarize(raw.lat);
  console.log(`${fmt(rawRps)} runs/s, latency p50 ${fmt(rawLat.p50, 2)} ms, p99 ${fmt(rawLat.p99, 2)} ms`);

  const variants = [];
  const plan = [
    ['server, micro-batching off', 0, 1],
    ['server, micro-batching on (2 ms)', 2, 1],
  ];
  if (WORKERS > 1) plan.push([`server, ${WORKERS} workers, micro-batching off`, 0, WORKERS], [`server, ${WORKERS} workers, micro-batching on`, 2, WORKERS]);
  for (const [label, wait, workers] of plan) {
    heading(label);
    const { child, port } = await startChild(model, wait, workers);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    let wrong = 0;
    const one = async (i) => {
      const res = await post(agent, port, bodies[i % 64]);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
      if (i < 256) {
        const p = JSON.parse(res.body).predictions;
        const got = Array.isArray(p) ? p[0] : p.y[0];
        if (!got.every((v, k) => close(v, expected[i % 64][k]))) wrong++;
      }
    };
    await closedLoop(0.5, one);
    const before = (await ask(child, 'stats')).stats;
    const r = await closedLoop(SECONDS, one);
    const after = (await ask(child, 'stats')).stats;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.send('close');
    });
    agent.destroy();
    const rps = r.n / r.wall;
    const lat = summarize(r.lat);
    console.log(`${fmt(rps)} req/s, latency p50 ${fmt(lat.p50, 2)} ms, p99 ${fmt(lat.p99, 2)} ms; ratio to raw ${(rps / rawRps).toFixed(2)}×`);
    if (after) {
      const calls = after.predictCalls - before.predictCalls;
      console.log(`model predict calls ${fmt(calls)} (${fmt(r.n / Math.max(1, calls), 1)} requests per call), batched calls ${fmt(after.batches - before.batches)}, fallbacks ${after.fallbacks - before.fallbacks}`);
    }
    if (wrong > 0) fail(`${label}: ${wrong} of the checked predictions differ from session.run's`);
    variants.push({ label, rps, lat, workers });
  }

  heading('where the time goes (per request, in-process, no network)');
  const breakdown = await costs(bodies, model);
  const perRaw = 1e3 / rawRps;
  const perServer = 1e3 / variants[0].rps;
  console.log(`raw per run (${CONCURRENCY} in flight)      ${fmt(perRaw * 1000, 1).padStart(8)} µs`);
  console.log(`server per request (batching off) ${fmt(perServer * 1000, 1).padStart(8)} µs  (+${fmt((perServer - perRaw) * 1000, 1)} µs)`);
  for (const [k, v] of Object.entries(breakdown)) console.log(`  ${k.padEnd(38)} ${fmt(v, 1).padStart(8)} µs`);
  const inApp = breakdown['app.inject, model stubbed (all above)'];
  console.log(`  ${'HTTP (node http, sockets, client side)'.padEnd(38)} ${fmt((perServer - perRaw) * 1000 - inApp, 1).padStart(8)} µs  (remainder)`);

  const ratio = variants[0].rps / rawRps;
  const ratioB = variants[1].rps / rawRps;
  console.log(`\nratio (server ÷ raw): batching off ${ratio.toFixed(2)}×, on ${ratioB.toFixed(2)}×; target ≥ ${TARGET}× → ${Math.max(ratio, ratioB) >= TARGET ? 'MET' : 'NOT MET'} (off: ${ratio >= TARGET ? 'MET' : 'NOT MET'})`);
  report('serve', [
    { metric: 'req/s, batching off', unit: 'req/s', lablog: variants[0].rps, baseline: rawRps, ratio, target: `≥${TARGET}×`, met: ratio >= TARGET },
    { metric: 'req/s, batching on (2 ms)', unit: 'req/s', lablog: variants[1].rps, baseline: rawRps, ratio: ratioB, target: `≥${TARGET}×`, met: ratioB >= TARGET },
    { metric: 'p99 ms, batching off', unit: 'ms', lablog: variants[0].lat.p99, baseline: rawLat.p99, ratio: variants[0].lat.p99 / rawLat.p99, target: '—', met: null },
    { metric: 'p99 ms, batching on', unit: 'ms', lablog: variants[1].lat.p99, baseline: rawLat.p99, ratio: variants[1].lat.p99 / rawLat.p99, target: '—', met: null },
  ]);
  await session.release?.();
}

/** Per-request costs of the server's own steps, measured in this process (µs each). */
async function costs(bodies, model) {
  const s = await serverModule();
  const loaded = await (await flavorsModule()).loadModel(model.dir);
  const SIGNATURE = loaded.signature;
  await loaded.dispose();
  const N = QUICK ? 2000 : 20000;
  const time = async (fn) => {
    for (let i = 0; i < 200; i++) await fn(i);
    const t0 = nowNs();
    for (let i = 0; i < N; i++) await fn(i);
    return (nowNs() - t0) / 1e3 / N;
  };
  const texts = bodies.map((b) => b.toString('utf8'));
  const y = { y: { dtype: 'float32', shape: [1, OUTPUTS], data: Float32Array.from({ length: OUTPUTS }, (_, i) => i / 7) } };
  const out = {};
  out['JSON.parse of the body'] = await time((i) => JSON.parse(texts[i % 64]));
  out['parse + convert to a Tensor'] = await time((i) => s.toModelInput(s.parseJsonRequest(texts[i % 64]).payload, SIGNATURE));
  out['predictions → JSON text'] = await time(() => s.predictionsJson(y, 'dict'));
  const stub = { flavor: 'stub', metadata: {}, signature: SIGNATURE, predict: async () => y, dispose: async () => {} };
  const app = s.buildScoringApp({ model: stub, maxBatchWaitMs: 0 });
  await app.ready();
  out['app.inject, model stubbed (all above)'] = await time((i) =>
    app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'application/json' }, payload: bodies[i % 64] }),
  );
  await app.close();
  return out;
}
