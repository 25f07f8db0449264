import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import type { LoadedModel } from '@lablog/flavors';
import { addModelsCommand, progressLine } from './models.js';
import { affineModel, tableModel } from '../../serving/__tests__/models.js';

const dir = mkdtempSync(join(tmpdir(), 'lablog-models-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], model: LoadedModel, tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const bar: string[] = [];
  const program = new Command('lablog').exitOverride();
  addModelsCommand(program, { out: (s) => out.push(s), err: (s) => err.push(s) }, { load: async () => model, stderr: { isTTY: tty, write: (s) => bar.push(s) } });
  await program.parseAsync(args, { from: 'user' });
  return { out: out.join(''), err: err.join(''), bar: bar.join('') };
}

describe('lablog models predict', () => {
  it('scores a JSON payload file to stdout', async () => {
    const input = join(dir, 'in.json');
    writeFileSync(input, JSON.stringify({ inputs: [[1, 2, 3, 4], [0, 0, 0, 0]] }));
    const { out } = await run(['models', 'predict', '-m', 'whatever', '-i', input], affineModel());
    expect(JSON.parse(out)).toEqual({ predictions: [[3, 5, 7, 9], [1, 1, 1, 1]] });
  });

  it('scores a CSV file to an output file', async () => {
    const input = join(dir, 'in.csv');
    const output = join(dir, 'out.json');
    writeFileSync(input, 'a,b,c\n1,2,x\n0.5,1,\n');
    await run(['models', 'predict', '-m', 'm', '-i', input, '-o', output], tableModel());
    expect(JSON.parse(readFileSync(output, 'utf8'))).toEqual({ predictions: [4, 1.5] });
  });

  it('scores an Arrow IPC file, in chunks, with a progress bar', async () => {
    const n = 2500;
    const input = join(dir, 'in.arrow');
    const a = Float64Array.from({ length: n }, (_, i) => i);
    const b = BigInt64Array.from({ length: n }, () => 1n);
    writeFileSync(input, tableToIPC(tableFromArrays({ a, b }), 'stream'));
    const model = tableModel();
    const { out, bar } = await run(['models', 'predict', '-m', 'm', '-i', input, '--chunk-rows', '1000', '--progress'], model);
    const { predictions } = JSON.parse(out) as { predictions: number[] };
    expect(predictions).toHaveLength(n);
    expect(predictions[0]).toBe(1);
    expect(predictions[n - 1]).toBe(n);
    expect(model.log.rows).toEqual([1000, 1000, 500]);
    expect(bar).toContain('100%  2500/2500 rows');
  });

  it('no bar when stderr is not a terminal and --progress is absent', async () => {
    const input = join(dir, 'rows.json');
    writeFileSync(input, JSON.stringify({ inputs: Array.from({ length: 30 }, () => [1, 1, 1, 1]) }));
    const model = affineModel();
    const { bar, out } = await run(['models', 'predict', '-m', 'm', '-i', input, '--chunk-rows', '7'], model);
    expect(bar).toBe('');
    expect(model.log.rows).toEqual([7, 7, 7, 7, 2]);
    expect(JSON.parse(out).predictions).toHaveLength(30);
  });

  it('a bad payload is a LablogError', async () => {
    const input = join(dir, 'bad.json');
    writeFileSync(input, '[1, 2]');
    await expect(run(['models', 'predict', '-m', 'm', '-i', input], affineModel())).rejects.toThrow(/Received a list/);
  });

  it('progressLine', () => {
    expect(progressLine(50, 100, 10)).toBe('[#####.....]  50%  50/100 rows');
  });
});
