#!/usr/bin/env node
// Register and serve: trains a small tfjs classifier on a synthetic 3-spiral data set, logs it
// with lablog's fluent API, logs the same network again as an ONNX model (weights copied from
// the tfjs layers), registers both in the model registry (`spiral-tfjs`, `spiral-onnx`), points
// the alias `champion` at the new versions, moves the ONNX version to Staging, and prints the
// commands that serve and score them.
//
// Run from the repo root after `npm run build`:   node examples/register-and-serve/train.mjs
// Data goes to the embedded store `./lablog/` in the working directory, or MLFLOW_TRACKING_URI.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { tableFromArrays } from 'apache-arrow';
import * as lablog from '@lablog/tracking';
import { TrackingClient, defaultTrackingUri } from '@lablog/tracking';
import { buildMlpOnnx, loadModel, logModel, saveModel } from '@lablog/flavors';

// tfjs prints a banner suggesting tfjs-node on first use in Node; the pure-JS CPU backend is
// what this example means to use.
tf.enableProdMode();

const SEED = 42;
const PER_CLASS = 200; // 3 classes → 600 points
const CLASSES = 3;
const TURNS = 1.0; // how far each spiral arm winds
const ANGLE_NOISE = 0.15; // radians
const NOISE_SD = 0.5; // the two pure-noise features
const EPOCHS = 100;
const BATCH_SIZE = 32;
const LEARNING_RATE = 0.02;
const HIDDEN = 16;
const VALIDATION_FRACTION = 0.2;
const FEATURES = ['x', 'y', 'noise_a', 'noise_b'];

// ---- a synthetic data set, made here (nothing is downloaded) --------------------------------
// A seeded generator, so every run makes the same points (mulberry32).
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

/** Rows `[x, y, noise_a, noise_b]` and labels 0..2: three interleaved spiral arms, shuffled. */
function makeSpirals() {
  const rows = [];
  for (let k = 0; k < CLASSES; k++) {
    for (let i = 0; i < PER_CLASS; i++) {
      const t = (i + 0.5) / PER_CLASS;
      const r = 0.1 + 0.9 * t;
      const angle = 2 * Math.PI * (k / CLASSES + TURNS * t) + gauss() * ANGLE_NOISE;
      rows.push({ features: [r * Math.cos(angle), r * Math.sin(angle), gauss() * NOISE_SD, gauss() * NOISE_SD], label: k });
    }
  }
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  return rows;
}

const rows = makeSpirals();
const nVal = Math.round(rows.length * VALIDATION_FRACTION);
const train = rows.slice(nVal);
const val = rows.slice(0, nVal);
const toX = (rs) => tf.tensor2d(rs.map((r) => r.features), [rs.length, FEATURES.length], 'float32');
const toY = (rs) => tf.oneHot(tf.tensor1d(rs.map((r) => r.label), 'int32'), CLASSES);
const allX = rows.map((r) => r.features);

// The whole data set as an Arrow table, logged as the run's input (name, digest, schema, profile).
const dataset = tableFromArrays({
  ...Object.fromEntries(FEATURES.map((f, c) => [f, Float32Array.from(rows, (r) => r.features[c])])),
  label: Int32Array.from(rows, (r) => r.label),
});

// ---- the model: 4 → 16 relu → 3 softmax --------------------------------------------------------
function buildModel() {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [FEATURES.length], units: HIDDEN, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: SEED }) }),
      tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: SEED + 1 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** The Dense layers of a tfjs model as buildMlpOnnx layers (kernel [in, out] row-major, as ONNX MatMul takes it). */
function mlpLayersOf(model) {
  return model.layers.map((layer) => {
    const [kernel, bias] = layer.getWeights();
    const activation = layer.getConfig().activation;
    const onnxActivation = { relu: 'relu', softmax: 'softmax', linear: 'none' }[activation];
    if (onnxActivation === undefined) throw new Error(`layer ${layer.name}: activation '${activation}' has no buildMlpOnnx equivalent`);
    return { weights: Float32Array.from(kernel.dataSync()), bias: Float32Array.from(bias.dataSync()), inDim: kernel.shape[0], outDim: kernel.shape[1], activation: onnxActivation };
  });
}

const argmax = (row) => row.reduce((best, v, i) => (v > row[best] ? i : best), 0);
const accuracyOf = (probs, rs) => rs.filter((r, i) => argmax(probs[i]) === r.label).length / rs.length;

// ---- train, log, register ---------------------------------------------------------------------
const started = Date.now();
await lablog.setExperiment('register-and-serve');
const trackingUri = lablog.getTrackingUri();
const client = new TrackingClient(trackingUri);

const result = await lablog.withRun(
  async (run) => {
    lablog.logParams({
      model: 'mlp', hidden_units: HIDDEN, activation: 'relu', optimizer: 'adam', learning_rate: LEARNING_RATE,
      epochs: EPOCHS, batch_size: BATCH_SIZE, seed: SEED, n_train: train.length, n_val: val.length, features: FEATURES.join(','),
    });
    await lablog.logInput(dataset, { name: 'synthetic-spirals', context: 'training' });
    // The points themselves too (a few KB), as a CSV with a header row: the file format `text/csv`
    // scoring requests use, minus the label column.
    const csv = [[...FEATURES, 'label'].join(','), ...rows.map((r) => [...r.features.map(Math.fround), r.label].join(','))].join('\n');
    await lablog.logText(csv + '\n', 'data/spirals.csv');

    const model = buildModel();
    const [xTrain, yTrain, xVal, yVal] = [toX(train), toY(train), toX(val), toY(val)];
    console.log(`training ${FEATURES.length} → ${HIDDEN} relu → ${CLASSES} softmax on ${train.length} points (${val.length} held out), ${EPOCHS} epochs, tfjs ${tf.version.tfjs} on '${tf.getBackend()}'`);
    await model.fit(xTrain, yTrain, {
      epochs: EPOCHS,
      batchSize: BATCH_SIZE,
      shuffle: false, // the rows are shuffled once, with the seed: every run trains the same way
      validationData: [xVal, yVal],
      verbose: 0,
      callbacks: {
        onEpochEnd: (epoch, logs) => {
          // Returns at once: points are queued and written in batches off the training loop.
          lablog.logMetrics({ loss: logs.loss, accuracy: logs.acc, val_loss: logs.val_loss, val_accuracy: logs.val_acc }, { step: epoch });
          if ((epoch + 1) % 10 === 0) {
            console.log(`  epoch ${String(epoch + 1).padStart(3)}  loss ${logs.loss.toFixed(4)}  accuracy ${logs.acc.toFixed(3)}  val_loss ${logs.val_loss.toFixed(4)}  val_accuracy ${logs.val_acc.toFixed(3)}`);
          }
        },
      },
    });
    tf.dispose([xTrain, yTrain, xVal, yVal]);

    const xAll = tf.tensor2d(allX, [allX.length, FEATURES.length], 'float32');
    const tfjsProbs = model.predict(xAll).arraySync();
    xAll.dispose();
    const valAccuracy = accuracyOf(tfjsProbs.slice(0, nVal), val);
    lablog.logMetrics({ final_val_accuracy: valAccuracy, final_train_accuracy: accuracyOf(tfjsProbs.slice(nVal), train) });

    // A few rows as the input example: saved as input_example.json and as a ready-to-POST
    // serving_input_example.json ({"inputs": …}) beside the model.
    const inputExample = { dtype: 'float32', shape: [3, FEATURES.length], data: Float32Array.from(allX.slice(0, 3).flat()) };

    // 1. The tfjs model, registered as `spiral-tfjs` (signature inferred: float32 [-1, 4] → [-1, 3]).
    const tfjsLogged = await logModel(model, 'tfjs-model', { signature: 'infer', inputExample, registeredModelName: 'spiral-tfjs' });

    // 2. The same network as ONNX: the Dense layers' kernels and biases copied into MatMul/Add nodes.
    const onnx = buildMlpOnnx({ layers: mlpLayersOf(model), inputName: 'features', outputName: 'probabilities' });
    // Check it agrees with tfjs before logging it: save to a scratch directory, load with
    // onnxruntime through loadModel, score every point.
    const scratch = await mkdtemp(path.join(tmpdir(), 'lablog-onnx-check-'));
    let maxAbsDiff = 0;
    let classesAgree = 0;
    try {
      await saveModel(onnx, path.join(scratch, 'model'), { signature: 'infer' });
      const loaded = await loadModel(path.join(scratch, 'model'), { providers: ['CPUExecutionProvider'] });
      try {
        const out = await loaded.predict({ features: { dtype: 'float32', shape: [allX.length, FEATURES.length], data: Float32Array.from(allX.flat()) } });
        const p = out.probabilities.data;
        tfjsProbs.forEach((row, i) => {
          row.forEach((v, c) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - p[i * CLASSES + c]))));
          if (argmax(row) === argmax(Array.from(p.subarray(i * CLASSES, (i + 1) * CLASSES)))) classesAgree++;
        });
      } finally {
        await loaded.dispose();
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    console.log(`ONNX vs tfjs on all ${allX.length} points: max abs diff ${maxAbsDiff.toExponential(2)}, same class for ${classesAgree}/${allX.length}`);
    if (!(maxAbsDiff < 1e-4)) throw new Error(`the ONNX model disagrees with the tfjs model (max abs diff ${maxAbsDiff})`);
    lablog.logMetric('onnx_tfjs_max_abs_diff', maxAbsDiff);

    const onnxLogged = await logModel(onnx, 'onnx-model', { signature: 'infer', inputExample: { features: inputExample }, registeredModelName: 'spiral-onnx' });
    model.dispose();

    // 3. Registry: alias `champion` on both new versions; the ONNX one to Staging too
    //    (stages are deprecated by MLflow in favour of aliases, and still supported).
    const tfjsVersion = tfjsLogged.registeredModelVersion.version;
    const onnxVersion = onnxLogged.registeredModelVersion.version;
    for (const [name, version] of [['spiral-tfjs', tfjsVersion], ['spiral-onnx', onnxVersion]]) {
      await client.setRegisteredModelAlias(name, 'champion', version);
      await client.setModelVersionTag(name, version, 'val_accuracy', valAccuracy.toFixed(4));
    }
    await client.transitionModelVersionStage('spiral-onnx', onnxVersion, 'Staging', { archiveExistingVersions: true });
    return { runId: run.info.runId, valAccuracy, tfjsLogged, onnxLogged, tfjsVersion, onnxVersion };
  },
  { runName: 'spiral-mlp' },
);

// ---- where things are, and how to serve them -----------------------------------------------------
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`\nrun ${result.runId} (spiral-mlp): FINISHED in ${seconds} s, validation accuracy ${result.valAccuracy.toFixed(3)}`);
console.log(`tracking URI: ${trackingUri}`);
console.log('models:');
console.log(`  ${result.tfjsLogged.modelUri}  →  models:/spiral-tfjs/${result.tfjsVersion}  (alias: models:/spiral-tfjs@champion)`);
console.log(`  ${result.onnxLogged.modelUri}  →  models:/spiral-onnx/${result.onnxVersion}  (alias: models:/spiral-onnx@champion, stage: models:/spiral-onnx/Staging)`);

// The exact commands: `npx lablog` from the repo root, the built CLI by path elsewhere; the
// tracking URI is spelled out unless it is the default store of this directory.
const root = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = fileURLToPath(new URL('../../packages/server/dist/cli/bin.js', import.meta.url));
const cwd = path.resolve(process.cwd());
const insideRepo = cwd.startsWith(path.resolve(root) + path.sep);
const lablogCmd = cwd === path.resolve(root) ? 'npx lablog' : `node ${insideRepo ? path.relative(cwd, cliPath) : cliPath}`;
const uriFlag = trackingUri === defaultTrackingUri() ? '' : ` --tracking-uri '${trackingUri}'`;
const example = JSON.stringify({ inputs: allX.slice(0, 2).map((r) => r.map((v) => Number(v.toFixed(4)))) });
console.log(`\nserve the ONNX champion${uriFlag ? '' : ' (from this directory, where ./lablog/ is)'}:`);
console.log(`  ${lablogCmd}${uriFlag} models serve -m 'models:/spiral-onnx@champion' -p 5002`);
console.log('score it:');
console.log(`  curl -s http://127.0.0.1:5002/invocations -H 'Content-Type: application/json' -d '${example}'`);
console.log(`  curl -s http://127.0.0.1:5002/invocations -H 'Content-Type: text/csv' --data-binary $'${FEATURES.join(',')}\\n${allX[0].map((v) => v.toFixed(4)).join(',')}\\n'`);
console.log('the tfjs champion the same way:');
console.log(`  ${lablogCmd}${uriFlag} models serve -m 'models:/spiral-tfjs@champion' -p 5003`);
