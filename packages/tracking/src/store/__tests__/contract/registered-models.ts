/**
 * Registry contract: registered models (ref §6.1, §6.2, §3.4).
 */
import { describe, expect, it } from 'vitest';
import type { RegistryContext } from './registry-context.js';
import { modelWithVersions } from './registry-context.js';
import { collectPages, expectError, tagOf, uniqueName } from './helpers.js';
import type { SearchRegistryArgs } from '../../registry-store.js';
import type { RegisteredModel } from '../../../entities/registered-model.js';

/** CRUD, rename, tags and search of registered models. */
export function addRegisteredModelTests(ctx: () => RegistryContext): void {
  describe('registered models', () => {
    it('creates a model and reads it back', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      const before = Date.now();
      const created = await store.createRegisteredModel(name, [{ key: 'k', value: 'v' }], 'desc');
      expect(created).toMatchObject({ name, description: 'desc' });
      expect(created.tags).toEqual([{ key: 'k', value: 'v' }]);
      expect(created.latestVersions).toEqual([]);
      expect(created.aliases).toEqual([]);
      expect(created.creationTimestamp).toBeGreaterThanOrEqual(before - 1000);
      expect(created.lastUpdatedTimestamp).toBeGreaterThanOrEqual(created.creationTimestamp);
      const got = await store.getRegisteredModel(name);
      expect(got).toMatchObject({ name, description: 'desc', creationTimestamp: created.creationTimestamp });
      expect(got.tags).toEqual([{ key: 'k', value: 'v' }]);
    });

    it('rejects a duplicate name with RESOURCE_ALREADY_EXISTS', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await store.createRegisteredModel(name);
      await expectError(store.createRegisteredModel(name), 'RESOURCE_ALREADY_EXISTS', 'already exists');
    });

    it('rejects invalid names with INVALID_PARAMETER_VALUE', async () => {
      const { store } = ctx();
      for (const bad of ['', 'a/b', 'a%b']) {
        await expectError(store.createRegisteredModel(bad), 'INVALID_PARAMETER_VALUE');
      }
    });

    it('answers RESOURCE_DOES_NOT_EXIST for an unknown model', async () => {
      const { store } = ctx();
      const ghost = uniqueName('ghost');
      await expectError(store.getRegisteredModel(ghost), 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${ghost} not found`);
      await expectError(store.updateRegisteredModel(ghost, 'd'), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.renameRegisteredModel(ghost, uniqueName('x')), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.deleteRegisteredModel(ghost), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.setRegisteredModelTag(ghost, { key: 'k', value: 'v' }), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.getLatestVersions(ghost), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.createModelVersion({ name: ghost, source: 's3://b/m' }), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('updates the description', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      const created = await store.createRegisteredModel(name, [], 'old');
      const updated = await store.updateRegisteredModel(name, 'new');
      expect(updated.description).toBe('new');
      expect(updated.lastUpdatedTimestamp).toBeGreaterThanOrEqual(created.lastUpdatedTimestamp);
      expect((await store.getRegisteredModel(name)).description).toBe('new');
    });

    it('renames a model; its versions, tags and aliases move with it', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      const versions = await modelWithVersions(store, name, 2);
      await store.setRegisteredModelTag(name, { key: 'k', value: 'v' });
      await store.setRegisteredModelAlias(name, 'champion', '2');
      const newName = uniqueName('renamed');
      const renamed = await store.renameRegisteredModel(name, newName);
      expect(renamed.name).toBe(newName);
      await expectError(store.getRegisteredModel(name), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.getModelVersion(name, '1'), 'RESOURCE_DOES_NOT_EXIST');
      const v1 = await store.getModelVersion(newName, '1');
      expect(v1).toMatchObject({ name: newName, version: '1', source: versions[0]!.source });
      expect((await store.getModelVersion(newName, '2')).name).toBe(newName);
      const got = await store.getRegisteredModel(newName);
      expect(tagOf(got.tags, 'k')).toBe('v');
      expect(got.aliases).toEqual([{ alias: 'champion', version: '2' }]);
      expect((await store.getModelVersionByAlias(newName, 'champion')).version).toBe('2');
      const v3 = await store.createModelVersion({ name: newName, source: versions[0]!.source });
      expect(v3.version).toBe('3');
    });

    it('refuses to rename onto an existing name or an invalid one', async () => {
      const { store } = ctx();
      const a = uniqueName('model');
      const b = uniqueName('model');
      await store.createRegisteredModel(a);
      await store.createRegisteredModel(b);
      await expectError(store.renameRegisteredModel(a, b), 'RESOURCE_ALREADY_EXISTS');
      await expectError(store.renameRegisteredModel(a, ''), 'INVALID_PARAMETER_VALUE');
      expect((await store.getRegisteredModel(a)).name).toBe(a);
    });

    it('deletes a model with its versions', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 2);
      await store.deleteRegisteredModel(name);
      await expectError(store.getRegisteredModel(name), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.getModelVersion(name, '1'), 'RESOURCE_DOES_NOT_EXIST');
      expect((await store.searchModelVersions({ filter: `name = '${name}'` })).items).toEqual([]);
      expect((await store.searchRegisteredModels({ filter: `name = '${name}'` })).items).toEqual([]);
    });

    it('sets, overwrites and deletes model tags', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await store.createRegisteredModel(name, [{ key: 'a', value: '1' }]);
      await store.setRegisteredModelTag(name, { key: 'b', value: '2' });
      await store.setRegisteredModelTag(name, { key: 'a', value: '3' });
      let tags = (await store.getRegisteredModel(name)).tags;
      expect([...tags].sort((x, y) => x.key.localeCompare(y.key))).toEqual([{ key: 'a', value: '3' }, { key: 'b', value: '2' }]);
      await store.deleteRegisteredModelTag(name, 'a');
      tags = (await store.getRegisteredModel(name)).tags;
      expect(tags).toEqual([{ key: 'b', value: '2' }]);
      await expectError(store.setRegisteredModelTag(name, { key: 'bad key!', value: 'v' }), 'INVALID_PARAMETER_VALUE');
    });
  });

  describe('searchRegisteredModels', () => {
    async function names(args: SearchRegistryArgs): Promise<string[]> {
      return (await ctx().store.searchRegisteredModels(args)).items.map((m) => m.name);
    }

    it('filters by name (=, !=, LIKE case-sensitive, ILIKE) and tags; orders by name ASC by default', async () => {
      const { store } = ctx();
      const p = uniqueName('srm');
      await store.createRegisteredModel(`${p}-b`, [{ key: 'team', value: 'red' }]);
      await store.createRegisteredModel(`${p}-a`);
      await store.createRegisteredModel(`${p}-C`, [{ key: 'team', value: 'blue' }]);
      expect(await names({ filter: `name LIKE '${p}-%'` })).toEqual([`${p}-C`, `${p}-a`, `${p}-b`]);
      expect(await names({ filter: `name = '${p}-a'` })).toEqual([`${p}-a`]);
      expect(await names({ filter: `name LIKE '${p}-%' AND name != '${p}-a'` })).toEqual([`${p}-C`, `${p}-b`]);
      expect(await names({ filter: `name LIKE '${p}-c'` })).toEqual([]);
      expect(await names({ filter: `name ILIKE '${p}-c'` })).toEqual([`${p}-C`]);
      expect(await names({ filter: `name LIKE '${p}-%' AND tags.team = 'red'` })).toEqual([`${p}-b`]);
      expect(await names({ filter: `tags.team ILIKE 'BL%' AND name LIKE '${p}%'` })).toEqual([`${p}-C`]);
      expect(await names({ filter: `name LIKE '${p}-%'`, orderBy: ['name DESC'] })).toEqual([`${p}-b`, `${p}-a`, `${p}-C`]);
    });

    it('pages with tokens; max_results at most 1000', async () => {
      const { store } = ctx();
      const p = uniqueName('pg');
      for (let i = 0; i < 5; i++) await store.createRegisteredModel(`${p}-${i}`);
      const { items } = await collectPages<RegisteredModel>((pageToken) => {
        const a: SearchRegistryArgs = { filter: `name LIKE '${p}-%'`, maxResults: 2 };
        if (pageToken !== undefined) a.pageToken = pageToken;
        return store.searchRegisteredModels(a);
      }, 2);
      expect(items.map((m) => m.name)).toEqual([0, 1, 2, 3, 4].map((i) => `${p}-${i}`));
      await expectError(store.searchRegisteredModels({ maxResults: 1001 }), 'INVALID_PARAMETER_VALUE');
      await expectError(store.searchRegisteredModels({ maxResults: 10, pageToken: 'garbage!' }), 'INVALID_PARAMETER_VALUE');
      await expectError(store.searchRegisteredModels({ filter: 'badfilter' }), 'INVALID_PARAMETER_VALUE');
    });
  });
}
