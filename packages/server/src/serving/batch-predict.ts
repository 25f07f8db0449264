/**
 * Batch scoring of one request body outside any server (`lablog models predict`): the body is
 * read as `/invocations` reads it, cut into chunks of rows so a large file never becomes one
 * huge tensor, each chunk converted and predicted in turn, and the outputs stacked back.
 */
import type { LoadedModel, ModelOutput } from '@lablog/flavors';
import { concatTensors } from './batcher.js';
import { toModelInput } from './convert.js';
import type { PayloadFormat } from './content-type.js';
import { parseArrowRequest, parseCsvRequest, parseJsonRequest, type Frame, type ParsedRequest, type Payload } from './payload.js';
import { predictionsJson, predictionsLayout } from './predictions.js';
import { isListLike, type ListLike } from './tensor-data.js';

/** Options of {@link batchPredict}. */
export interface BatchPredictOptions {
  /** Rows per `predict` call; default 10 000. */
  chunkRows?: number;
  /** Called after each chunk with rows done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Reads a body in one of the scoring formats. */
export async function parseBody(body: Uint8Array, format: PayloadFormat): Promise<ParsedRequest> {
  if (format === 'arrow') return parseArrowRequest(body);
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return format === 'csv' ? parseCsvRequest(text) : parseJsonRequest(text);
}

function sliceList(x: ListLike, start: number, end: number): ListLike {
  return Array.isArray(x) ? x.slice(start, end) : (x as unknown as { subarray(a: number, b: number): ListLike }).subarray(start, end);
}

/** Rows of a payload along its first axis, or null when it has none (a scalar, ragged dict). */
export function payloadRows(payload: Payload): number | null {
  if (payload.kind === 'frame') return payload.rows;
  if (payload.kind === 'tensor') return isListLike(payload.value) ? payload.value.length : null;
  const lengths = new Set(Object.values(payload.values).map((v) => (isListLike(v) ? v.length : -1)));
  return lengths.size === 1 && !lengths.has(-1) ? [...lengths][0]! : null;
}

/** Rows `[start, end)` of a payload (see {@link payloadRows}). */
export function slicePayload(payload: Payload, start: number, end: number): Payload {
  if (payload.kind === 'frame') {
    const frame: Frame = { ...payload, columns: payload.columns.map((c) => sliceList(c, start, end)), rows: end - start };
    return frame;
  }
  if (payload.kind === 'tensor') return { kind: 'tensor', value: sliceList(payload.value as ListLike, start, end) };
  return { kind: 'tensors', values: Object.fromEntries(Object.entries(payload.values).map(([k, v]) => [k, sliceList(v as ListLike, start, end)])) };
}

function rowAligned(output: ModelOutput, rows: number): boolean {
  return Object.values(output).every((t) => t.shape.length > 0 && t.shape[0] === rows);
}

/**
 * Predicts a parsed body chunk by chunk and returns the reply body `{"predictions": …}` as
 * MLflow's scoring server would write it for the whole body. When an output is not one row per
 * input row (a model that summarises its batch) the body is predicted in one call instead.
 */
export async function batchPredict(model: LoadedModel, parsed: ParsedRequest, options: BatchPredictOptions = {}): Promise<string> {
  const chunk = Math.max(1, options.chunkRows ?? 10_000);
  const total = payloadRows(parsed.payload);
  const isFrame = parsed.payload.kind === 'frame';
  const whole = async () => {
    const out = await model.predict(toModelInput(parsed.payload, model.signature), parsed.params);
    options.onProgress?.(total ?? 1, total ?? 1);
    return predictionsJson(out, predictionsLayout(out, model.signature, isFrame));
  };
  if (total === null || total <= chunk) return whole();
  const outputs: ModelOutput[] = [];
  for (let start = 0; start < total; start += chunk) {
    const end = Math.min(total, start + chunk);
    const out = await model.predict(toModelInput(slicePayload(parsed.payload, start, end), model.signature), parsed.params);
    if (!rowAligned(out, end - start)) return whole();
    outputs.push(out);
    options.onProgress?.(end, total);
  }
  const merged: ModelOutput = {};
  for (const name of Object.keys(outputs[0]!)) merged[name] = concatTensors(outputs.map((o) => o[name]!));
  return predictionsJson(merged, predictionsLayout(merged, model.signature, isFrame));
}
