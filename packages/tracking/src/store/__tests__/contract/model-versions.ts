/**
 * Registry contract: model versions (ref §6.1, §6.2, §3.4).
 */
import { describe, expect, it } from 'vitest';
import type { RegistryContext } from './registry-context.js';
import { modelWithVersions } from './registry-context.js';
import { collectPages, expectError, newRun, tagOf, uniqueName } from './helpers.js';
import type { SearchRegistryArgs } from '../../registry-store.js';
import type { ModelVersion } from '../../../entities/model-version.js';

/** Creating, reading, updating, deleting and searching model versions. */
export function addModelVersionTests(ctx: () => RegistryContext): void {
  describe('model versions', () => {
    it('creates versions "1", "2", "3" with stage None and status READY', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await store.createRegisteredModel(name);
      const run = await newRun(store, '0');
      const v1 = await store.createModelVersion({
        name,
        source: `runs:/${run.info.runId}/model`,
        runId: run.info.runId,
        tags: [{ key: 'k', value: 'v' }],
        runLink: 'http://link',
        description: 'first',
      });
      expect(v1).toMatchObject({
        name,
        version: '1',
        currentStage: 'None',
        status: 'READY',
        source: `runs:/${run.info.runId}/model`,
        runId: run.info.runId,
        description: 'first',
        runLink: 'http://link',
      });
      expect(v1.tags).toEqual([{ key: 'k', value: 'v' }]);
      expect(v1.aliases).toEqual([]);
      const v2 = await store.createModelVersion({ name, source: `runs:/${run.info.runId}/m2` });
      const v3 = await store.createModelVersion({ name, source: `runs:/${run.info.runId}/m3` });
      expect([v2.version, v3.version]).toEqual(['2', '3']);
      const got = await store.getModelVersion(name, '1');
      expect(got).toMatchObject({ name, version: '1', source: v1.source, runId: run.info.runId, description: 'first', currentStage: 'None' });
      expect(got.tags).toEqual([{ key: 'k', value: 'v' }]);
    });

    it('never reuses a version number after deletion', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      const [first] = await modelWithVersions(store, name, 3);
      await store.deleteModelVersion(name, '3');
      expect((await store.createModelVersion({ name, source: first!.source })).version).toBe('4');
      await store.deleteModelVersion(name, '1');
      await store.deleteModelVersion(name, '4');
      expect((await store.createModelVersion({ name, source: first!.source })).version).toBe('5');
      const left = (await store.searchModelVersions({ filter: `name = '${name}'` })).items.map((v) => v.version).sort();
      expect(left).toEqual(['2', '5']);
    });

    it('answers RESOURCE_DOES_NOT_EXIST "Model Version (name=…, version=…) not found" for an unknown or deleted version', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 2);
      const msg = `Model Version (name=${name}, version=99) not found`;
      await expectError(store.getModelVersion(name, '99'), 'RESOURCE_DOES_NOT_EXIST', msg);
      await expectError(store.updateModelVersion(name, '99', 'd'), 'RESOURCE_DOES_NOT_EXIST', msg);
      await expectError(store.deleteModelVersion(name, '99'), 'RESOURCE_DOES_NOT_EXIST', msg);
      await expectError(store.transitionModelVersionStage(name, '99', 'Staging', false), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.getModelVersionDownloadUri(name, '99'), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.setModelVersionTag(name, '99', { key: 'k', value: 'v' }), 'RESOURCE_DOES_NOT_EXIST');
      await store.deleteModelVersion(name, '2');
      await expectError(store.getModelVersion(name, '2'), 'RESOURCE_DOES_NOT_EXIST', `Model Version (name=${name}, version=2) not found`);
      await expectError(store.deleteModelVersion(name, '2'), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.getModelVersion(uniqueName('ghost'), '1'), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('updates a version description', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 1);
      const updated = await store.updateModelVersion(name, '1', 'better');
      expect(updated).toMatchObject({ name, version: '1', description: 'better' });
      expect((await store.getModelVersion(name, '1')).description).toBe('better');
    });

    it('sets, overwrites and deletes version tags', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 2);
      await store.setModelVersionTag(name, '1', { key: 'a', value: '1' });
      await store.setModelVersionTag(name, '1', { key: 'a', value: '2' });
      await store.setModelVersionTag(name, '1', { key: 'b', value: '3' });
      let tags = (await store.getModelVersion(name, '1')).tags;
      expect(tagOf(tags, 'a')).toBe('2');
      expect(tags).toHaveLength(2);
      await store.deleteModelVersionTag(name, '1', 'a');
      tags = (await store.getModelVersion(name, '1')).tags;
      expect(tags).toEqual([{ key: 'b', value: '3' }]);
      expect((await store.getModelVersion(name, '2')).tags).toEqual([]);
    });

    it('reports the storage location as download URI when set, else the source', async () => {
      const { store, options } = ctx();
      const name = uniqueName('model');
      await store.createRegisteredModel(name);
      const run = await newRun(store, '0');
      if (options.storageLocation === 'server') {
        await store.createModelVersion({ name, source: `runs:/${run.info.runId}/model`, runId: run.info.runId });
        expect(await store.getModelVersionDownloadUri(name, '1')).toBe(`${run.info.artifactUri}/model`);
        return;
      }
      await store.createModelVersion({ name, source: `runs:/${run.info.runId}/model`, runId: run.info.runId, storageLocation: 's3://bucket/resolved/model' });
      await store.createModelVersion({ name, source: 's3://bucket/direct/model' });
      expect(await store.getModelVersionDownloadUri(name, '1')).toBe('s3://bucket/resolved/model');
      expect(await store.getModelVersionDownloadUri(name, '2')).toBe('s3://bucket/direct/model');
    });

    it('lists the latest version per stage on the registered model', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 3);
      await store.transitionModelVersionStage(name, '1', 'Production', false);
      const latest = (await store.getRegisteredModel(name)).latestVersions;
      const byStage = Object.fromEntries(latest.map((v) => [v.currentStage, v.version]));
      expect(byStage).toEqual({ Production: '1', None: '3' });
    });
  });

  describe('searchModelVersions', () => {
    async function versions(args: SearchRegistryArgs): Promise<string[]> {
      return (await ctx().store.searchModelVersions(args)).items.map((v) => `${v.name}/${v.version}`);
    }

    it('filters by name, run_id, source_path, version_number and tags; hides deleted versions', async () => {
      const { store } = ctx();
      const a = uniqueName('sma');
      const b = uniqueName('smb');
      const va = await modelWithVersions(store, a, 3);
      await modelWithVersions(store, b, 1);
      await store.setModelVersionTag(a, '2', { key: 'flavor', value: 'onnx' });
      await store.deleteModelVersion(a, '3');
      const sorted = (xs: string[]): string[] => [...xs].sort();
      expect(sorted(await versions({ filter: `name = '${a}'` }))).toEqual([`${a}/1`, `${a}/2`]);
      expect(await versions({ filter: `run_id = '${va[0]!.runId}'` })).toEqual([`${a}/1`]);
      expect(sorted(await versions({ filter: `run_id IN ('${va[0]!.runId}', '${va[1]!.runId}')` }))).toEqual([`${a}/1`, `${a}/2`]);
      expect(await versions({ filter: `source_path = '${va[1]!.source}'` })).toEqual([`${a}/2`]);
      expect(await versions({ filter: `name = '${a}' AND version_number > 1` })).toEqual([`${a}/2`]);
      expect(await versions({ filter: `name = '${a}' AND tags.flavor = 'onnx'` })).toEqual([`${a}/2`]);
      expect(sorted(await versions({ filter: `name LIKE '${a.slice(0, 4)}%'` }))).toEqual([`${a}/1`, `${a}/2`]);
      expect(await versions({ filter: `run_id = '${va[2]!.runId}'` })).toEqual([]);
    });

    it('orders by version_number and pages with tokens', async () => {
      const { store } = ctx();
      const name = uniqueName('smo');
      await modelWithVersions(store, name, 5);
      const filter = `name = '${name}'`;
      expect(await versions({ filter, orderBy: ['version_number ASC'] })).toEqual([1, 2, 3, 4, 5].map((v) => `${name}/${v}`));
      expect(await versions({ filter, orderBy: ['version_number DESC'] })).toEqual([5, 4, 3, 2, 1].map((v) => `${name}/${v}`));
      const { items } = await collectPages<ModelVersion>((pageToken) => {
        const a: SearchRegistryArgs = { filter, maxResults: 2, orderBy: ['version_number ASC'] };
        if (pageToken !== undefined) a.pageToken = pageToken;
        return store.searchModelVersions(a);
      }, 2);
      expect(items.map((v) => v.version)).toEqual(['1', '2', '3', '4', '5']);
      await expectError(store.searchModelVersions({ filter: 'badfilter' }), 'INVALID_PARAMETER_VALUE');
      await expectError(store.searchModelVersions({ maxResults: 200_001 }), 'INVALID_PARAMETER_VALUE');
    });
  });
}
