#!/usr/bin/env node
// Quick start: logs params, metrics over steps, an artifact and a dataset with lablog's fluent
// API into the embedded store (./lablog/ in the working directory), then shows where the data
// went and lists the runs with the `lablog` command. Run it with `npm start` from the repo root.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import * as lablog from '@lablog/tracking';

// A small synthetic regression data set: data sets cannot be downloaded here, so we make one.
const n = 256;
const x = Float64Array.from({ length: n }, (_, i) => i / n);
const y = Float64Array.from(x, (v, i) => 3 * v + 0.5 + Math.sin(i) * 0.05);
const data = tableFromArrays({ x, y });

await lablog.setExperiment('quickstart');

const run = await lablog.withRun(
  async (active) => {
    const lr = 0.5;
    const epochs = 200;
    lablog.logParams({ model: 'linear', lr: String(lr), epochs: String(epochs) });
    lablog.logInput(data, { name: 'synthetic-linear', context: 'training' });

    // Plain gradient descent on y = w·x + b; every metric call returns at once.
    let w = 0;
    let b = 0;
    for (let step = 0; step < epochs; step++) {
      let gw = 0;
      let gb = 0;
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const err = w * x[i] + b - y[i];
        loss += err * err;
        gw += err * x[i];
        gb += err;
      }
      w -= (lr * 2 * gw) / n;
      b -= (lr * 2 * gb) / n;
      lablog.logMetric('loss', loss / n, { step });
      lablog.logMetric('w', w, { step });
    }
    lablog.logDict({ w, b }, 'model/weights.json');
    lablog.logText(`y = ${w.toFixed(4)} * x + ${b.toFixed(4)}\n`, 'model/equation.txt');
    return active;
  },
  { runName: 'quickstart-linear' },
);

const finished = await lablog.getRun(run.info.runId);
const loss = finished.data.metrics.find((m) => m.key === 'loss');
console.log(`\nrun ${finished.info.runId} (${finished.info.runName}): ${finished.info.status}, final loss ${loss?.value.toFixed(6)}`);
console.log(`tracking data: ${path.resolve('lablog/lablog.db')}`);
console.log(`artifacts:     ${fileURLToPath(finished.info.artifactUri)}\n`);

const cli = fileURLToPath(new URL('../../packages/server/dist/cli/bin.js', import.meta.url));
execFileSync(process.execPath, [cli, 'runs', 'list', '--experiment-name', 'quickstart'], { stdio: 'inherit' });
