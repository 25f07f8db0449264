/**
 * Micro-batching of concurrent requests to one model. Requests whose inputs can be stacked along
 * the batch axis (a signature whose every input has `-1` as first dimension, or a column-based
 * signature; same input names, dtypes and trailing shapes; no params) are queued by that "shape
 * key" and run as one `predict` whose outputs are split back by rows.
 *
 * When a queued batch runs:
 * - at once when it reaches `maxBatchSize` rows;
 * - on the next event-loop turn when the model is idle (requests that arrived in the same turn
 *   go together, so a lone request never waits);
 * - when the model finishes its current batch (what queued meanwhile goes next);
 * - at the latest `maxBatchWaitMs` after its first request queued, even while the model is busy.
 *
 * A request that cannot be batched runs alone. If a batched `predict` fails, or its outputs do not
 * have one row per input row, each request of the batch is re-run alone, so one bad request gets
 * its own error and its neighbours their own results.
 */
import type { InferenceParams, LoadedModel, ModelInput, ModelOutput, ModelSignature, Tensor } from '@lablog/flavors';

/** Options of {@link MicroBatcher}. */
export interface MicroBatcherOptions {
  /** Most rows in one batched `predict`; 1 or less disables batching. */
  readonly maxBatchSize: number;
  /** Longest a queued request waits while the model is busy, in ms; 0 disables batching. */
  readonly maxBatchWaitMs: number;
}

/** Counters, for logs and tests. */
export interface MicroBatcherStats {
  /** `predict` calls made on the model. */
  predictCalls: number;
  /** Batched `predict` calls (two or more requests). */
  batches: number;
  /** Requests answered from a batched call. */
  batchedRequests: number;
  /** Batches that failed or could not be split and were re-run request by request. */
  fallbacks: number;
}

interface Pending {
  readonly input: ModelInput;
  readonly rows: number;
  resolve(out: ModelOutput): void;
  reject(e: unknown): void;
}

interface Queue {
  readonly items: Pending[];
  rows: number;
  timer: NodeJS.Timeout | null;
}

function isTensor(x: ModelInput): x is Tensor {
  return typeof (x as Tensor).dtype === 'string' && Array.isArray((x as Tensor).shape);
}

function entries(input: ModelInput): [string, Tensor][] {
  return isTensor(input) ? [['', input]] : Object.entries(input);
}

/** The batch-axis rows of an input and its shape key, or null when it cannot be batched. */
export function batchKey(input: ModelInput, signature: ModelSignature | null): { key: string; rows: number } | null {
  if (signature === null) return null;
  const schema = signature.inputs;
  if (schema.kind === 'tensor' && !schema.specs.every((s) => s.shape.length > 0 && s.shape[0] === -1)) return null;
  let rows = -1;
  let key = isTensor(input) ? 'T|' : 'D|';
  for (const [name, t] of entries(input)) {
    if (t.shape.length === 0) return null;
    if (rows === -1) rows = t.shape[0]!;
    else if (t.shape[0] !== rows) return null;
    key += `${name}:${t.dtype}:${t.shape.slice(1).join('x')};`;
  }
  return rows > 0 ? { key, rows } : null;
}

/** Stacks tensors of equal dtype and trailing shape along axis 0. */
export function concatTensors(parts: readonly Tensor[]): Tensor {
  const first = parts[0]!;
  let rows = 0;
  let length = 0;
  for (const p of parts) {
    rows += p.shape[0]!;
    length += p.data.length;
  }
  const shape = [rows, ...first.shape.slice(1)];
  if (first.dtype === 'str') return { dtype: 'str', shape, data: parts.flatMap((p) => p.data as string[]) };
  const Ctor = (first.data as Float32Array).constructor as new (n: number) => Float32Array;
  const data = new Ctor(length);
  let offset = 0;
  for (const p of parts) {
    data.set(p.data as Float32Array, offset);
    offset += p.data.length;
  }
  return { dtype: first.dtype, shape, data } as Tensor;
}

function concatInputs(inputs: readonly ModelInput[]): ModelInput {
  const first = inputs[0]!;
  if (isTensor(first)) return concatTensors(inputs as Tensor[]);
  const out: Record<string, Tensor> = {};
  for (const name of Object.keys(first)) out[name] = concatTensors(inputs.map((i) => (i as Record<string, Tensor>)[name]!));
  return out;
}

function sliceRows(t: Tensor, start: number, rows: number, total: number): Tensor {
  const per = t.data.length / total;
  const shape = [rows, ...t.shape.slice(1)];
  const data = t.dtype === 'str' ? (t.data as string[]).slice(start * per, (start + rows) * per) : (t.data as Float32Array).subarray(start * per, (start + rows) * per);
  return { dtype: t.dtype, shape, data } as Tensor;
}

/** Splits a batched output back into one output per request, or null when an output is not row-aligned. */
function splitOutput(output: ModelOutput, rows: readonly number[], total: number): ModelOutput[] | null {
  const names = Object.keys(output);
  for (const n of names) {
    const t = output[n]!;
    if (t.shape.length === 0 || t.shape[0] !== total) return null;
  }
  const out: ModelOutput[] = [];
  let start = 0;
  for (const r of rows) {
    const part: ModelOutput = {};
    for (const n of names) part[n] = sliceRows(output[n]!, start, r, total);
    out.push(part);
    start += r;
  }
  return out;
}

/** Queues batchable requests to one model and runs them together; see the module comment. */
export class MicroBatcher {
  readonly stats: MicroBatcherStats = { predictCalls: 0, batches: 0, batchedRequests: 0, fallbacks: 0 };
  private readonly queues = new Map<string, Queue>();
  private inFlight = 0;
  private idleFlushScheduled = false;

  constructor(
    private readonly model: LoadedModel,
    private readonly options: MicroBatcherOptions,
  ) {}

  /** True when requests may be batched at all. */
  get enabled(): boolean {
    return this.options.maxBatchWaitMs > 0 && this.options.maxBatchSize > 1;
  }

  /** Runs `predict` for one request, batched with others where possible. */
  predict(input: ModelInput, params?: InferenceParams): Promise<ModelOutput> {
    const hasParams = params !== undefined && Object.keys(params).length > 0;
    const k = this.enabled && !hasParams ? batchKey(input, this.model.signature) : null;
    if (k === null || k.rows >= this.options.maxBatchSize) return this.run(input, params);
    return new Promise<ModelOutput>((resolve, reject) => {
      let q = this.queues.get(k.key);
      if (q === undefined) this.queues.set(k.key, (q = { items: [], rows: 0, timer: null }));
      if (q.rows + k.rows > this.options.maxBatchSize) this.flush(k.key);
      q = this.queues.get(k.key) ?? { items: [], rows: 0, timer: null };
      this.queues.set(k.key, q);
      q.items.push({ input, rows: k.rows, resolve, reject });
      q.rows += k.rows;
      if (q.rows >= this.options.maxBatchSize) this.flush(k.key);
      else {
        if (q.timer === null) q.timer = setTimeout(() => this.flush(k.key), this.options.maxBatchWaitMs);
        if (this.inFlight === 0) this.scheduleIdleFlush();
      }
    });
  }

  private scheduleIdleFlush(): void {
    if (this.idleFlushScheduled) return;
    this.idleFlushScheduled = true;
    setImmediate(() => {
      this.idleFlushScheduled = false;
      if (this.inFlight === 0) this.flushAll();
    });
  }

  private flushAll(): void {
    for (const key of [...this.queues.keys()]) this.flush(key);
  }

  private flush(key: string): void {
    const q = this.queues.get(key);
    if (q === undefined) return;
    this.queues.delete(key);
    if (q.timer !== null) clearTimeout(q.timer);
    if (q.items.length === 0) return;
    void this.runBatch(q.items);
  }

  private async run(input: ModelInput, params?: InferenceParams): Promise<ModelOutput> {
    this.inFlight++;
    this.stats.predictCalls++;
    try {
      return await this.model.predict(input, params);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0 && this.queues.size > 0) this.scheduleIdleFlush();
    }
  }

  private async runBatch(items: readonly Pending[]): Promise<void> {
    if (items.length === 1) {
      const only = items[0]!;
      await this.run(only.input).then(only.resolve, only.reject);
      return;
    }
    let parts: ModelOutput[] | null = null;
    try {
      const total = items.reduce((a, p) => a + p.rows, 0);
      const output = await this.run(concatInputs(items.map((p) => p.input)));
      parts = splitOutput(output, items.map((p) => p.rows), total);
    } catch {
      parts = null;
    }
    if (parts !== null) {
      this.stats.batches++;
      this.stats.batchedRequests += items.length;
      items.forEach((p, i) => p.resolve(parts![i]!));
      return;
    }
    this.stats.fallbacks++;
    await Promise.all(items.map((p) => this.run(p.input).then(p.resolve, p.reject)));
  }
}
