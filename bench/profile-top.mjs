#!/usr/bin/env node
/**
 * Prints the top functions by self time (and by inclusive time) of a V8 `.cpuprofile`, as
 * written by `node --cpu-prof`.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/ingest.mjs --quick
 *   node bench/profile-top.mjs [--top=N] /tmp/prof/CPU.*.cpuprofile
 *
 * With several files (e.g. a loader-hook thread writes its own profile) each is printed in turn.
 */
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const files = argv.filter((a) => !a.startsWith('--'));
const count = Number(argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
if (files.length === 0) {
  console.error('usage: node bench/profile-top.mjs [--top=N] <file.cpuprofile> ...');
  process.exit(2);
}
for (const file of files) {
  console.log(`\n### ${file}`);
  top(JSON.parse(readFileSync(file, 'utf8')));
}

function top(prof) {

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const label = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(/.*\/(packages|node_modules|bench)\//, '$1/')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};

const self = new Map();
const incl = new Map();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  const key = label(n);
  self.set(key, (self.get(key) ?? 0) + us);
  // Inclusive: each distinct function on the stack once.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = label(byId.get(cur));
    if (seen.has(k)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + us);
  }
}

const print = (title, map) => {
  console.log(`\n${title} (total ${(total / 1000).toFixed(0)} ms sampled)`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
};
print('self time', self);
print('inclusive time', incl);
}
