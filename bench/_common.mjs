/**
 * Helpers shared by the benchmark scripts: flags, timing, statistics, temp directories and the
 * one-line JSON result that bench/run-all.mjs collects into its summary table.
 *
 * Policy (bench/README.md): every benchmark measures a baseline in the same process and prints
 * the ratio; absolute times are printed too, but on shared machines they are noise. Nothing here
 * asserts on time.
 */
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when the script was started with `--quick` (small sizes, a smoke run in seconds). */
export const QUICK = process.argv.includes('--quick');

/** Nanoseconds from a monotonic clock, as a number (safe for spans under ~104 days). */
export function nowNs() {
  return Number(process.hrtime.bigint());
}

/** Milliseconds elapsed since `startNs`. */
export function msSince(startNs) {
  return (nowNs() - startNs) / 1e6;
}

/** Times `fn` (sync or async) once; returns milliseconds. */
export async function timeMs(fn) {
  const t0 = nowNs();
  await fn();
  return msSince(t0);
}

/** Value at quantile `q` (0..1) by nearest rank over a copy of `xs`. */
export function quantile(xs, q) {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[rank];
}

/** p50, p99, min, max and mean of `xs`. */
export function summarize(xs) {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { n: xs.length, p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), min, max, mean: sum / xs.length };
}

/** A fresh temporary directory; removed by {@link cleanupTmp} or on exit. */
export function makeTmp(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `lablog-bench-${prefix}-`));
  tmpDirs.push(dir);
  return dir;
}
const tmpDirs = [];
/** Removes the temp directories; `LABLOG_BENCH_KEEP=1` keeps them (for inspecting a database). */
export function cleanupTmp() {
  if (process.env.LABLOG_BENCH_KEEP) {
    for (const d of tmpDirs.splice(0)) console.error(`kept ${d}`);
    return;
  }
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
process.on('exit', cleanupTmp);

/** Bytes of a SQLite database including its -wal file (0 when absent). */
export function dbBytes(path) {
  let n = 0;
  for (const p of [path, `${path}-wal`]) if (existsSync(p)) n += statSync(p).size;
  return n;
}

/** Formats a number with thousands separators and `digits` decimals. */
export function fmt(x, digits = 0) {
  if (!Number.isFinite(x)) return String(x);
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Prints a section heading. */
export function heading(title) {
  console.log(`\n== ${title} ==`);
}

/** Lets pending timers and I/O callbacks run (one turn of the event loop). */
export function yieldToLoop() {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs the GC when node was started with --expose-gc; a no-op otherwise. */
export function maybeGc() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

/**
 * Prints the machine-readable result line run-all.mjs reads. `rows` is a list of
 * `{ metric, unit, lablog, baseline, ratio, target, met }`; `ratio` is lablog ÷ baseline in the
 * direction stated by `ratioLabel`.
 */
export function report(name, rows, extra = {}) {
  console.log(`BENCH_RESULT ${JSON.stringify({ name, quick: QUICK, rows, ...extra })}`);
}

/** Fails the benchmark (non-zero exit) with a message: used when a correctness check fails. */
export function fail(message) {
  console.error(`BENCH FAILED: ${message}`);
  process.exitCode = 1;
}

/** Environment line printed at the top of each benchmark. */
export function environment() {
  return `node ${process.version}, ${process.platform}/${process.arch}, pid ${process.pid}${QUICK ? ', --quick' : ''}`;
}

/** Small deterministic PRNG (mulberry32): every run of a bench, and every bench, sees the same data. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Starts the built `lablog server` CLI (`bin`) as a child process on a free port over a SQLite
 * file; resolves when it prints its URL. `profDir` adds `--cpu-prof` for profiling.
 */
export async function startLablogServer(bin, dbPath, profDir) {
  const { spawn } = await import('node:child_process');
  const args = [
    ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
    bin, 'server', '--port', '0', '--backend-store-uri', `sqlite:///${dbPath}`, '--log-level', 'warn',
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`lablog server exited (code ${code}) before listening: ${buf}`)));
  });
  child.stdout.resume();
  return { child, url };
}
