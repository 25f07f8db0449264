import { afterEach, describe, expect, it } from 'vitest';
import type { ScoringApp as FastifyInstance } from './app.js';
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { ModelSignature } from '@lablog/flavors';
import { buildScoringApp } from './app.js';
import { LABLOG_VERSION } from '../version.js';
import { REQUIRED_INPUT_FORMAT, SCORING_PROTOCOL_CHANGE_INFO } from './errors.js';
import { AFFINE_SIGNATURE, affineModel, tableModel } from './__tests__/models.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function post(a: FastifyInstance, payload: unknown, contentType = 'application/json', headers: Record<string, string> = {}) {
  return a.inject({
    method: 'POST',
    url: '/invocations',
    headers: { 'content-type': contentType, ...headers },
    payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
  });
}

const NAMED_SIGNATURE: ModelSignature = {
  inputs: { kind: 'tensor', specs: [{ kind: 'tensor', name: 'x', dtype: 'float32', shape: [-1, 2] }] },
  outputs: { kind: 'tensor', specs: [{ kind: 'tensor', name: 'y', dtype: 'float32', shape: [-1, 2] }] },
  params: null,
};

describe('routes', () => {
  it('/ping and /health answer "\\n" once the model is loaded, 404 before', async () => {
    let resolve!: (m: ReturnType<typeof affineModel>) => void;
    app = buildScoringApp({ model: new Promise((r) => (resolve = r)) });
    expect((await app.inject({ method: 'GET', url: '/ping' })).statusCode).toBe(404);
    expect((await post(app, { inputs: [[1, 2, 3, 4]] })).statusCode).toBe(503);
    resolve(affineModel());
    await new Promise((r) => setImmediate(r));
    for (const url of ['/ping', '/health']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('\n');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    }
  });

  it('/version is the lablog version', async () => {
    app = buildScoringApp({ model: affineModel() });
    const res = await app.inject({ method: 'GET', url: '/version' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(LABLOG_VERSION);
  });

  it('unknown routes are 404 ENDPOINT_NOT_FOUND', async () => {
    app = buildScoringApp({ model: affineModel() });
    const res = await app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error_code).toBe('ENDPOINT_NOT_FOUND');
  });
});

describe('payload forms', () => {
  it('inputs as a nested list → nested list predictions', async () => {
    app = buildScoringApp({ model: affineModel() });
    const res = await post(app, { inputs: [[1, 2, 3, 4], [0, 0.5, -1, 10]] });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ predictions: [[3, 5, 7, 9], [1, 2, -1, 21]] });
  });

  it('inputs as a dict of tensors (named signature) → dict of lists', async () => {
    app = buildScoringApp({ model: affineModel({ signature: NAMED_SIGNATURE }) });
    const res = await post(app, { inputs: { x: [[1, 2]] } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ predictions: { y: [[3, 5]] } });
    // A bare list feeds the only named input, as MLflow does.
    expect((await post(app, { inputs: [[0, 1]] })).json()).toEqual({ predictions: { y: [[1, 3]] } });
  });

  it('instances: rows, and a list of {name: value} objects made columnar', async () => {
    app = buildScoringApp({ model: affineModel() });
    expect((await post(app, { instances: [[1, 1, 1, 1]] })).json()).toEqual({ predictions: [[3, 3, 3, 3]] });
    await app.close();
    app = buildScoringApp({ model: affineModel({ signature: NAMED_SIGNATURE }) });
    const res = await post(app, { instances: [{ x: [1, 2] }, { x: [3, 4] }] });
    expect(res.json()).toEqual({ predictions: { y: [[3, 5], [7, 9]] } });
  });

  it('numbers as strings, nulls as NaN → null, float64 precision cast to float32', async () => {
    app = buildScoringApp({ model: affineModel() });
    const res = await post(app, { inputs: [['1', null, 0.1, 'inf']] });
    expect(res.statusCode).toBe(200);
    const [[a, b, c, d]] = res.json().predictions;
    expect([a, b, d]).toEqual([3, null, null]);
    expect(c).toBeCloseTo(1.2, 6);
  });

  it('params reach predict', async () => {
    const model = affineModel();
    app = buildScoringApp({ model });
    const res = await post(app, { inputs: [[1, 1, 1, 1]], params: { scale: 10 } });
    expect(res.json()).toEqual({ predictions: [[30, 30, 30, 30]] });
    expect(model.log.params.at(-1)).toEqual({ scale: 10 });
  });

  it('dataframe_split and dataframe_records to a column model, typed from ColSpecs', async () => {
    const model = tableModel();
    app = buildScoringApp({ model });
    const split = await post(app, { dataframe_split: { columns: ['a', 'b', 'c'], data: [[1.5, 2, 'xy'], [0, 10, '']], index: [7, 8] } });
    expect(split.statusCode).toBe(200);
    expect(split.json()).toEqual({ predictions: [5.5, 10] });
    const records = await post(app, { dataframe_records: [{ a: 1, b: 1 }, { b: 2, a: 0.25 }] });
    expect(records.json()).toEqual({ predictions: [2, 2.25] });
    expect(model.seen.at(-1)!['b']!.dtype).toBe('int64');
  });

  it('inputs as a dict of columns for a column model', async () => {
    app = buildScoringApp({ model: tableModel() });
    const res = await post(app, { inputs: { a: [1, 2], b: [3, 4], c: ['abc', 'd'] } });
    expect(res.json()).toEqual({ predictions: [7, 7] });
  });

  it('dataframe_split to a tensor model: the rows form the tensor', async () => {
    app = buildScoringApp({ model: affineModel() });
    const res = await post(app, { dataframe_split: { columns: ['p', 'q', 'r', 's'], data: [[1, 2, 3, 4]] } });
    expect(res.json()).toEqual({ predictions: [[3, 5, 7, 9]] });
  });

  it('named outputs for a frame input come back as records', async () => {
    const sig: ModelSignature = { ...NAMED_SIGNATURE, inputs: { kind: 'tensor', specs: [{ kind: 'tensor', name: 'x', dtype: 'float32', shape: [-1] }] } };
    app = buildScoringApp({ model: affineModel({ signature: sig }) });
    const res = await post(app, { dataframe_records: [{ x: 1 }, { x: 2 }] });
    expect(res.json()).toEqual({ predictions: [{ y: 3 }, { y: 5 }] });
  });

  it('text/csv with a header row, typed from the signature', async () => {
    app = buildScoringApp({ model: tableModel() });
    const csv = 'a,b,c\r\n1.5,2,"x,y"\n0,10,"say ""hi"""\n';
    const res = await post(app, csv, 'text/csv; charset=utf-8');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ predictions: [6.5, 18] });
  });

  it('text/csv to a tensor model', async () => {
    app = buildScoringApp({ model: affineModel() });
    const res = await post(app, 'f0,f1,f2,f3\n1,2,3,4\n', 'text/csv');
    expect(res.json()).toEqual({ predictions: [[3, 5, 7, 9]] });
  });

  it('no signature: numbers inferred as float32', async () => {
    app = buildScoringApp({ model: affineModel({ signature: null }) });
    expect((await post(app, { inputs: [[1, 2], [3, 4]] })).json()).toEqual({ predictions: [[3, 5], [7, 9]] });
    expect((await post(app, 'v\n1\n2\n', 'text/csv')).json()).toEqual({ predictions: [3, 5] });
  });

  it('Arrow IPC in; JSON or Arrow IPC out', async () => {
    app = buildScoringApp({ model: tableModel() });
    const table = tableFromArrays({ a: Float64Array.from([1, 2]), b: BigInt64Array.from([3n, 4n]), c: ['x', 'yz'] });
    const ipc = Buffer.from(tableToIPC(table, 'stream'));
    const json = await post(app, ipc, 'application/vnd.apache.arrow.stream');
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual({ predictions: [5, 8] });
    const arrow = await post(app, ipc, 'application/vnd.apache.arrow.stream', { accept: 'application/vnd.apache.arrow.stream' });
    expect(arrow.statusCode).toBe(200);
    expect(arrow.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    const out = tableFromIPC(arrow.rawPayload);
    expect(out.schema.fields.map((f) => f.name)).toEqual(['out']);
    expect(Array.from(out.getChild('out')!.toArray() as Float64Array)).toEqual([5, 8]);
  });

  it('Arrow reply of a 2-D output is a FixedSizeList column', async () => {
    app = buildScoringApp({ model: affineModel() });
    const res = await post(app, { inputs: [[1, 2, 3, 4], [5, 6, 7, 8]] }, 'application/json', { accept: 'application/vnd.apache.arrow.stream' });
    const out = tableFromIPC(res.rawPayload);
    const col = out.getChild('y')!;
    expect(col.length).toBe(2);
    expect(Array.from(col.get(1)!.toArray() as Float32Array)).toEqual([11, 13, 15, 17]);
  });
});

describe('content types (415, text/plain)', () => {
  it.each([
    ['application/json; charset=latin-1', 'The scoring server only supports UTF-8'],
    ['text/csv; charset=UTF-16', 'The scoring server only supports UTF-8'],
    ['application/json; format=pandas-split', `Unrecognized content type parameters: format. ${SCORING_PROTOCOL_CHANGE_INFO}`],
    [
      'text/plain',
      "This predictor only supports the following content types: Types: ['text/csv', 'application/json', 'application/vnd.apache.arrow.stream']. Got 'text/plain'.",
    ],
  ])('%s', async (contentType, message) => {
    app = buildScoringApp({ model: affineModel() });
    const res = await post(app, '{"inputs": [[1,2,3,4]]}', contentType);
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toBe(message);
  });

  it('charset=utf-8 (any case, quoted) is accepted', async () => {
    app = buildScoringApp({ model: affineModel() });
    expect((await post(app, { inputs: [[1, 2, 3, 4]] }, 'application/json; charset="UTF-8"')).statusCode).toBe(200);
  });

  it('a missing Content-Type is a 415', async () => {
    app = buildScoringApp({ model: affineModel() });
    const res = await app.inject({ method: 'POST', url: '/invocations', payload: Buffer.from('{"inputs": [[1,2,3,4]]}') });
    expect(res.statusCode).toBe(415);
  });
});

describe('payload errors (400, MLflow error JSON)', () => {
  const cases: [string, unknown, string, string | RegExp][] = [
    ['two input keys', { inputs: [[1]], instances: [[1]] }, 'BAD_REQUEST', `${REQUIRED_INPUT_FORMAT}. Received dictionary with input fields: ['inputs', 'instances']. ${SCORING_PROTOCOL_CHANGE_INFO}`],
    ['no input key', { data: [[1]] }, 'BAD_REQUEST', `${REQUIRED_INPUT_FORMAT}. Received dictionary with input fields: ['data']. ${SCORING_PROTOCOL_CHANGE_INFO}`],
    ['a list', [[1, 2, 3, 4]], 'INVALID_PARAMETER_VALUE', `Invalid input. ${REQUIRED_INPUT_FORMAT}. Received a list.`],
    ['a JSON string', '"hello"', 'INVALID_PARAMETER_VALUE', `Invalid input. ${REQUIRED_INPUT_FORMAT}. Received unexpected input type '<class 'str'>'.`],
    ['malformed JSON', '{"inputs": [[1, 2', 'INVALID_PARAMETER_VALUE', /^Invalid input\. Ensure that input is a valid JSON formatted string\. Error: '/],
    ['wrong shape', { inputs: [[1, 2, 3]] }, 'INVALID_PARAMETER_VALUE', /Shape of input 'inputs' \(1, 3\) does not match expected shape \(-1, 4\)\./],
    ['ragged list', { inputs: [[1, 2, 3, 4], [1]] }, 'BAD_REQUEST', /^Failed to parse data as TF serving input\..*inhomogeneous/],
    ['uncastable value', { inputs: [[1, 2, 3, 'x']] }, 'INVALID_PARAMETER_VALUE', /Incompatible input types for input 'inputs': cannot convert "x" to float32/],
    ['params not an object', { inputs: [[1, 2, 3, 4]], params: [1] }, 'BAD_REQUEST', /^Invalid 'params'/],
    ['signature_name', { inputs: [[1, 2, 3, 4]], signature_name: 'serving_default' }, 'BAD_REQUEST', /"signature_name" is currently not supported/],
    ['dict for an unnamed tensor signature', { inputs: { x: [[1, 2, 3, 4]] } }, 'BAD_REQUEST', /un-named tensor-based model signature/],
  ];
  it.each(cases)('%s', async (_name, payload, code, message) => {
    app = buildScoringApp({ model: affineModel() });
    const res = await post(app, payload);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(body.error_code).toBe(code);
    if (typeof message === 'string') expect(body.message).toBe(message);
    else expect(body.message).toMatch(message);
  });

  it('hostile nesting is a 400, not a stack overflow', async () => {
    app = buildScoringApp({ model: affineModel({ signature: null }) });
    const deep = '{"inputs": ' + '['.repeat(100_000) + '1' + ']'.repeat(100_000) + '}';
    const res = await post(app, deep);
    expect(res.statusCode).toBe(400);
    const wide = await post(app, '{"inputs": [[' + Array(1000).fill(1).join(',') + ']' + ',[]'.repeat(1000) + ']}');
    expect(wide.statusCode).toBe(400);
  });

  it('missing column', async () => {
    app = buildScoringApp({ model: tableModel() });
    const res = await post(app, { dataframe_split: { columns: ['a', 'z'], data: [[1, 2]] } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: "Failed to predict data. Error: Failed to enforce schema of data. Error: Model is missing inputs ['b']. Note that there were extra inputs: ['z'].",
    });
  });

  it('missing named tensor input', async () => {
    app = buildScoringApp({ model: affineModel({ signature: NAMED_SIGNATURE }) });
    const res = await post(app, { inputs: { w: [[1, 2]] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/Model is missing inputs \['x'\]/);
  });

  it('malformed CSV and CSV rows wider than the header', async () => {
    app = buildScoringApp({ model: tableModel() });
    for (const csv of ['a,b\n"1,2\n', 'a,b\n1,2,3\n', '']) {
      const res = await post(app, csv, 'text/csv');
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/^Failed to parse input as a Pandas DataFrame/);
    }
  });

  it('malformed dataframe_split', async () => {
    app = buildScoringApp({ model: tableModel() });
    const res = await post(app, { dataframe_split: { columns: ['a', 'b'], data: [[1]] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('BAD_REQUEST');
  });

  it('a broken Arrow body', async () => {
    app = buildScoringApp({ model: tableModel() });
    const res = await post(app, Buffer.from('not arrow at all'), 'application/vnd.apache.arrow.stream');
    expect(res.statusCode).toBe(400);
  });

  it('a model error that is a LablogError keeps its 4xx code, prefixed', async () => {
    app = buildScoringApp({ model: affineModel({ poison: 666 }) });
    const res = await post(app, { inputs: [[666, 0, 0, 0]] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Failed to predict data. Error: value 666 is not allowed' });
  });

  it('an unexpected model error is a 500 with the message hidden', async () => {
    app = buildScoringApp({ model: affineModel({ crash: 13 }) });
    const res = await post(app, { inputs: [[13, 0, 0, 0]] });
    expect(res.statusCode).toBe(500);
    expect(res.json().error_code).toBe('INTERNAL_ERROR');
    expect(res.body).not.toContain('secret');
    expect(res.json().message).toMatch(/^Encountered an unexpected error while evaluating the model/);
  });

  it('a request past the timeout is a 504 "Request processing time exceeded limit"', async () => {
    app = buildScoringApp({ model: affineModel({ delayMs: 200 }), requestTimeoutMs: 20 });
    const res = await post(app, { inputs: [[1, 2, 3, 4]] });
    expect(res.statusCode).toBe(504);
    expect(res.body).toBe('Request processing time exceeded limit');
  });

  it('a body over the limit is a 413', async () => {
    app = buildScoringApp({ model: affineModel(), bodyLimit: 100 });
    const res = await post(app, { inputs: Array.from({ length: 50 }, () => [1, 2, 3, 4]) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error_code).toBe('BAD_REQUEST');
  });
});

describe('signature object is the default one', () => {
  it('AFFINE_SIGNATURE takes [-1, 4]', () => {
    expect(AFFINE_SIGNATURE.inputs.kind).toBe('tensor');
  });
});
