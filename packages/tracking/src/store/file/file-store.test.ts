/** File-store specifics beyond the store contract: where things land on disk, atomicity. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileStore } from './file-store.js';
import { LablogError } from '../../errors.js';
import { parsePyYaml } from './yaml-io.js';
import { TEMP_PREFIX } from './fs-io.js';

const T = 1_700_000_000_000;

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return LablogError.is(e) ? e.errorCode : `not a LablogError: ${String(e)}`;
  }
}

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)));
  }
  return out.sort();
}

async function readMeta(file: string): Promise<Record<string, unknown>> {
  return parsePyYaml(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
}

describe('FileStore on disk', () => {
  let dir: string;
  let root: string;
  let store: FileStore;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lablog-file-'));
    root = path.join(dir, 'mlruns');
    store = new FileStore({ root });
  });
  afterEach(async () => {
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('accepts a file: URI or a relative path as root; artifacts default to file://<root>/<id>', async () => {
    const viaUri = new FileStore({ root: pathToFileURL(root).href });
    expect(viaUri.root).toBe(root);
    expect(viaUri.defaultArtifactRoot).toBe(pathToFileURL(root).href);
    expect(new FileStore({ root: path.relative(process.cwd(), root) }).root).toBe(root);
    const id = await store.createExperiment('e');
    expect(id).toMatch(/^[1-9]\d{17}$/);
    expect((await store.getExperiment(id)).artifactLocation).toBe(`${pathToFileURL(root).href}/${id}`);
    expect((await store.getExperiment('0')).name).toBe('Default');
    expect((await fs.stat(path.join(root, '.trash'))).isDirectory()).toBe(true);
  });

  it("refuses to delete experiment '0' with INVALID_PARAMETER_VALUE", async () => {
    expect(await codeOf(store.deleteExperiment('0'))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('moves a deleted experiment to .trash whole, its runs marked deleted, and back on restore', async () => {
    const id = await store.createExperiment('e');
    const run = await store.createRun({ experimentId: id, userId: 'u', startTime: T, tags: [] });
    await store.deleteExperiment(id);
    await expect(fs.stat(path.join(root, id))).rejects.toThrow();
    const trashedRun = path.join(root, '.trash', id, run.info.runId, 'meta.yaml');
    expect(await readMeta(trashedRun)).toMatchObject({ lifecycle_stage: 'deleted', deleted_time: expect.any(Number) });
    expect(await readMeta(path.join(root, '.trash', id, 'meta.yaml'))).toMatchObject({ lifecycle_stage: 'deleted', tags: {} });
    expect((await store.getRun(run.info.runId)).info.lifecycleStage).toBe('deleted');
    await store.restoreExperiment(id);
    const meta = await readMeta(path.join(root, id, run.info.runId, 'meta.yaml'));
    expect(meta.lifecycle_stage).toBe('active');
    expect('deleted_time' in meta).toBe(false);
    expect((await store.getRun(run.info.runId)).info.lifecycleStage).toBe('active');
  });

  it('soft-deletes a run in place with deleted_time; writes to it are refused', async () => {
    const run = await store.createRun({ experimentId: '0', userId: 'u', startTime: T, tags: [] });
    const file = path.join(root, '0', run.info.runId, 'meta.yaml');
    expect(await readMeta(file)).toMatchObject({ deleted_time: null, status: 1, experiment_id: '0' });
    await store.deleteRun(run.info.runId);
    expect(await readMeta(file)).toMatchObject({ lifecycle_stage: 'deleted', deleted_time: expect.any(Number) });
    expect(await codeOf(store.logBatch(run.info.runId, { params: [{ key: 'a', value: '1' }] }))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('a rejected batch writes nothing: changed param, key path clashes', async () => {
    const run = await store.createRun({ experimentId: '0', userId: 'u', startTime: T, tags: [] });
    const runDir = path.join(root, '0', run.info.runId);
    await store.logBatch(run.info.runId, { params: [{ key: 'lr', value: '0.1' }, { key: 'a', value: 'x' }] });
    const before = await allFiles(runDir);
    const m = { key: 'loss', value: 1, timestamp: T, step: 0 };
    expect(await codeOf(store.logBatch(run.info.runId, { metrics: [m], params: [{ key: 'lr', value: '0.2' }], tags: [{ key: 't', value: 'v' }] }))).toBe(
      'INVALID_PARAMETER_VALUE',
    );
    expect(await codeOf(store.logBatch(run.info.runId, { metrics: [m], params: [{ key: 'a/b', value: 'y' }] }))).toBe('INVALID_PARAMETER_VALUE');
    expect(await codeOf(store.logBatch(run.info.runId, { metrics: [m, { ...m, key: 'loss/x' }] }))).toBe('INVALID_PARAMETER_VALUE');
    expect(await allFiles(runDir)).toEqual(before);
  });

  it('writes params and tags raw, without a newline, keys with / as directories; leaves no temp files', async () => {
    const run = await store.createRun({ experimentId: '0', userId: 'u', startTime: T, tags: [] });
    const runDir = path.join(root, '0', run.info.runId);
    await store.logBatch(run.info.runId, { params: [{ key: 'opt/lr', value: '0.1' }], tags: [{ key: 'x/y', value: 'v' }] });
    expect(await fs.readFile(path.join(runDir, 'params', 'opt', 'lr'), 'utf8')).toBe('0.1');
    expect(await fs.readFile(path.join(runDir, 'tags', 'x', 'y'), 'utf8')).toBe('v');
    await store.deleteTag(run.info.runId, 'x/y');
    await expect(fs.stat(path.join(runDir, 'tags', 'x'))).rejects.toThrow();
    expect((await allFiles(root)).filter((f) => path.basename(f).startsWith(TEMP_PREFIX))).toEqual([]);
  });

  it('serialises concurrent writes to one run: every metric line lands, none torn', async () => {
    const run = await store.createRun({ experimentId: '0', userId: 'u', startTime: T, tags: [] });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.logBatch(run.info.runId, { metrics: [{ key: 'm', value: i, timestamp: T + i, step: i }], tags: [{ key: 't', value: String(i) }] })),
    );
    const history = await store.getMetricHistory(run.info.runId, 'm');
    expect(history.items.map((p) => p.step).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('registry: renaming keeps tags, aliases and versions; every mutation bumps the model', async () => {
    await store.createRegisteredModel('m', [{ key: 'k', value: 'v' }]);
    const v1 = await store.createModelVersion({ name: 'm', source: 's3://b/1' });
    await store.setRegisteredModelAlias('m', 'champ', v1.version);
    const t0 = (await store.getRegisteredModel('m')).lastUpdatedTimestamp;
    await new Promise((r) => setTimeout(r, 5));
    await store.setModelVersionTag('m', '1', { key: 'vt', value: 'x' });
    expect((await store.getRegisteredModel('m')).lastUpdatedTimestamp).toBeGreaterThan(t0);
    const renamed = await store.renameRegisteredModel('m', 'm2');
    expect(renamed.aliases).toEqual([{ alias: 'champ', version: '1' }]);
    expect(renamed.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect((await store.getModelVersion('m2', '1')).tags).toEqual([{ key: 'vt', value: 'x' }]);
    expect(await readMeta(path.join(root, 'models', 'm2', 'version-1', 'meta.yaml'))).toMatchObject({ name: 'm2', version: 1, aliases: ['champ'] });
    expect(await codeOf(store.getRegisteredModel('m'))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(await codeOf(store.createRegisteredModel('..'))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('registry searches hide prompts unless the filter names the prompt tag (as the SQL stores)', async () => {
    await store.createRegisteredModel('model');
    await store.createRegisteredModel('prompt', [{ key: 'mlflow.prompt.is_prompt', value: 'true' }]);
    await store.createModelVersion({ name: 'prompt', source: 's3://b/p' });
    expect((await store.searchRegisteredModels({})).items.map((m) => m.name)).toEqual(['model']);
    expect((await store.searchModelVersions({})).items).toEqual([]);
    const named = await store.searchRegisteredModels({ filter: "tags.`mlflow.prompt.is_prompt` = 'true'" });
    expect(named.items.map((m) => m.name)).toEqual(['prompt']);
  });
});
