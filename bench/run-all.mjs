#!/usr/bin/env node
/**
 * Runs every benchmark in sequence, each in its own child process (so one's heap and caches do
 * not affect the next), streams their output, and prints a summary table of the results.
 *
 *   node bench/run-all.mjs [--quick] [name ...]     e.g.  node bench/run-all.mjs --quick search
 *
 * Exit status: non-zero when a benchmark crashed or failed a correctness check. A missed
 * performance target is reported in the table, never as a failure: absolute times on shared
 * machines are noise, so nothing asserts on them.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const BENCHMARKS = ['ingest', 'logcall', 'search', 'history', 'server-ingest', 'server-search', 'serve'];

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const picked = args.filter((a) => !a.startsWith('--'));
const names = picked.length ? picked : BENCHMARKS;
for (const n of names) {
  if (!BENCHMARKS.includes(n)) {
    console.error(`unknown benchmark "${n}"; known: ${BENCHMARKS.join(', ')}`);
    process.exit(2);
  }
}

/** Runs one benchmark; resolves to its exit code, wall time and parsed BENCH_RESULT. */
function runOne(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--expose-gc', join(here, `${name}.mjs`), ...flags], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let result = null;
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('BENCH_RESULT ')) result = JSON.parse(line.slice('BENCH_RESULT '.length));
        else process.stdout.write(`${line}\n`);
      }
    });
    child.on('close', (code, signal) => resolve({ name, code: code ?? 1, signal, seconds: (Date.now() - started) / 1000, result }));
  });
}

const num = (x, d) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const digits = (x) => (x === null || x === undefined ? 0 : Math.abs(x) >= 1000 ? 0 : Math.abs(x) >= 10 ? 1 : 3);

const outcomes = [];
for (const name of names) {
  console.log(`\n######## ${name} ########`);
  outcomes.push(await runOne(name));
}

const table = [['benchmark', 'measure', 'lablog', 'baseline', 'ratio', 'target', 'met']];
for (const o of outcomes) {
  if (!o.result) {
    table.push([o.name, `no result (exit ${o.code}${o.signal ? `, ${o.signal}` : ''})`, '', '', '', '', '']);
    continue;
  }
  for (const r of o.result.rows) {
    table.push([
      o.name,
      r.metric,
      num(r.lablog, digits(r.lablog)),
      num(r.baseline, digits(r.baseline)),
      r.ratio === null || r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
      r.target ?? '—',
      r.met === null || r.met === undefined ? '' : r.met ? 'yes' : 'NO',
    ]);
  }
  if (o.code !== 0) table.push([o.name, `correctness check FAILED (exit ${o.code})`, '', '', '', '', '']);
}
const widths = table[0].map((_, c) => Math.max(...table.map((row) => String(row[c]).length)));
console.log(`\n######## summary${flags.includes('--quick') ? ' (--quick: small sizes, targets are for full size)' : ''} ########`);
for (const [i, row] of table.entries()) {
  console.log(row.map((cell, c) => (c >= 2 && c <= 4 ? String(cell).padStart(widths[c]) : String(cell).padEnd(widths[c]))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
console.log(`\nratios: ingest, server-ingest = lablog rate ÷ baseline rate (higher is better); others = lablog time ÷ baseline time (lower is better)`);
console.log(`wall time: ${outcomes.map((o) => `${o.name} ${o.seconds.toFixed(0)} s`).join(', ')}`);
process.exitCode = outcomes.some((o) => o.code !== 0) ? 1 : 0;
