import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingClient } from './tracking-client.js';
import type { RegistryStore } from '../store/registry-store.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { FileStore } from '../store/file/file-store.js';
import { tempFileStore, tempSqliteStore } from '../__tests__/tracking-fixtures.js';
import { expectError } from '../store/__tests__/contract/helpers.js';

/** Wraps a registry store, counting the calls of each method. */
function countingRegistry(inner: RegistryStore): { store: RegistryStore; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

for (const kind of ['sqlite', 'file'] as const) {
  describe(`TrackingClient registry on ${kind}`, () => {
    let store: SqliteStore | FileStore;
    let cleanup: () => Promise<void>;
    let client: TrackingClient;

    beforeEach(async () => {
      const t = kind === 'sqlite' ? await tempSqliteStore() : await tempFileStore();
      ({ store, cleanup } = t);
      client = new TrackingClient({ tracking: store, registry: store });
    });
    afterEach(() => cleanup());

    const newVersion = async (name: string): Promise<string> => {
      const run = await client.createRun('0');
      return (await client.createModelVersion(name, `runs:/${run.info.runId}/model`, { runId: run.info.runId })).version;
    };

    it('creates, reads, renames, updates, tags and deletes registered models', async () => {
      const created = await client.createRegisteredModel('m', { tags: { team: 'ml' }, description: 'first' });
      expect(created).toMatchObject({ name: 'm', description: 'first', tags: [{ key: 'team', value: 'ml' }], aliases: [], latestVersions: [] });
      await client.createRegisteredModel('listed', { tags: [{ key: 'a', value: '1' }] });
      expect((await client.getRegisteredModel('listed')).tags).toEqual([{ key: 'a', value: '1' }]);

      const dup = await expectError(client.createRegisteredModel('m'), 'RESOURCE_ALREADY_EXISTS', 'Registered Model (name=m) already exists.');
      expect(dup.httpStatus).toBe(400);

      await newVersion('m');
      const renamed = await client.renameRegisteredModel('m', 'm2');
      expect(renamed.name).toBe('m2');
      expect((await client.getModelVersion('m2', 1)).name).toBe('m2');
      await expectError(client.renameRegisteredModel('m2', 'listed'), 'RESOURCE_ALREADY_EXISTS');
      const missing = await expectError(client.getRegisteredModel('m'), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=m not found');
      expect(missing.httpStatus).toBe(404);

      expect((await client.updateRegisteredModel('m2', { description: 'second' })).description).toBe('second');
      await client.setRegisteredModelTag('m2', 'k', 'v');
      await client.setRegisteredModelTag('m2', 'n', 3);
      expect((await client.getRegisteredModel('m2')).tags).toEqual(
        expect.arrayContaining([{ key: 'k', value: 'v' }, { key: 'n', value: '3' }]),
      );
      await client.deleteRegisteredModelTag('m2', 'k');
      expect((await client.getRegisteredModel('m2')).tags.map((t) => t.key).sort()).toEqual(['n', 'team']);

      await client.deleteRegisteredModel('m2');
      await expectError(client.getRegisteredModel('m2'), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(client.getModelVersion('m2', '1'), 'RESOURCE_DOES_NOT_EXIST');
      for (const call of [
        () => client.renameRegisteredModel('nope', 'x'),
        () => client.updateRegisteredModel('nope', { description: 'd' }),
        () => client.deleteRegisteredModel('nope'),
        () => client.setRegisteredModelTag('nope', 'k', 'v'),
        () => client.getLatestVersions('nope'),
        () => client.createModelVersion('nope', 's3://b/m'),
      ]) {
        await expectError(call(), 'RESOURCE_DOES_NOT_EXIST');
      }
      await expectError(client.createRegisteredModel('a/b'), 'INVALID_PARAMETER_VALUE');
    });

    it('creates, reads, updates, tags and deletes model versions (numbers or strings)', async () => {
      await client.createRegisteredModel('m');
      const run = await client.createRun('0');
      const v1 = await client.createModelVersion('m', 's3://bucket/model', {
        runId: run.info.runId,
        tags: { stage: 'candidate' },
        runLink: 'http://ui/run',
        description: 'v1',
      });
      expect(v1).toMatchObject({
        name: 'm',
        version: '1',
        source: 's3://bucket/model',
        runId: run.info.runId,
        runLink: 'http://ui/run',
        description: 'v1',
        currentStage: 'None',
        status: 'READY',
        tags: [{ key: 'stage', value: 'candidate' }],
      });
      expect(await newVersion('m')).toBe('2');
      expect((await client.getModelVersion('m', 1)).version).toBe('1');
      expect((await client.getModelVersion('m', '2')).version).toBe('2');
      expect((await client.updateModelVersion('m', 1, { description: 'better' })).description).toBe('better');
      await client.setModelVersionTag('m', 1, 'acc', 0.9);
      expect((await client.getModelVersion('m', 1)).tags).toEqual(expect.arrayContaining([{ key: 'acc', value: '0.9' }]));
      await client.deleteModelVersionTag('m', '1', 'acc');
      expect((await client.getModelVersion('m', 1)).tags.map((t) => t.key)).toEqual(['stage']);
      expect(await client.getModelVersionDownloadUri('m', 1)).toBe('s3://bucket/model');

      await client.deleteModelVersion('m', 2);
      await expectError(client.getModelVersion('m', 2), 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=m, version=2) not found');
      expect(await newVersion('m')).toBe('3'); // never reused
      await expectError(client.getModelVersion('m', 99), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(client.getModelVersion('m', 'x'), ['INVALID_PARAMETER_VALUE', 'RESOURCE_DOES_NOT_EXIST']);
    });

    it('transitions stages, archives existing versions, and reads the latest versions', async () => {
      await client.createRegisteredModel('m');
      for (let i = 0; i < 4; i++) await newVersion('m');
      expect((await client.transitionModelVersionStage('m', 1, 'production')).currentStage).toBe('Production');
      await client.transitionModelVersionStage('m', '2', 'Staging');
      await client.transitionModelVersionStage('m', 3, 'Production', { archiveExistingVersions: true });
      expect((await client.getModelVersion('m', 1)).currentStage).toBe('Archived');
      const latest = Object.fromEntries((await client.getLatestVersions('m')).map((v) => [v.currentStage, v.version]));
      expect(latest).toEqual({ Production: '3', Staging: '2', None: '4', Archived: '1' });
      expect((await client.getLatestVersions('m', ['staging'])).map((v) => v.version)).toEqual(['2']);
      expect((await client.getRegisteredModel('m')).latestVersions).toHaveLength(4);
      await expectError(client.transitionModelVersionStage('m', 1, 'bogus'), 'INVALID_PARAMETER_VALUE', /Invalid Model Version stage/i);
      await expectError(client.getLatestVersions('m', ['bogus']), 'INVALID_PARAMETER_VALUE');
      await expectError(client.transitionModelVersionStage('m', 4, 'Archived', { archiveExistingVersions: true }), ['INVALID_PARAMETER_VALUE', 'INTERNAL_ERROR']);
      await expectError(client.transitionModelVersionStage('m', 9, 'Staging'), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('sets, moves, reads and deletes aliases; refuses bad alias names', async () => {
      await client.createRegisteredModel('m');
      await newVersion('m');
      await newVersion('m');
      await client.setRegisteredModelAlias('m', 'champion', 1);
      expect((await client.getModelVersionByAlias('m', 'champion')).version).toBe('1');
      await client.setRegisteredModelAlias('m', 'champion', '2');
      expect((await client.getModelVersionByAlias('m', 'champion')).aliases).toEqual(['champion']);
      expect((await client.getRegisteredModel('m')).aliases).toEqual([{ alias: 'champion', version: '2' }]);
      await client.deleteRegisteredModelAlias('m', 'champion');
      await expectError(client.getModelVersionByAlias('m', 'champion'), 'INVALID_PARAMETER_VALUE', 'Registered model alias champion not found.');
      for (const bad of ['latest', 'LATEST', 'v1', 'V12', 'a b', 'a/b', 'a.b', '', 'x'.repeat(256)]) {
        await expectError(client.setRegisteredModelAlias('m', bad, 1), 'INVALID_PARAMETER_VALUE');
      }
      await expectError(client.setRegisteredModelAlias('m', 'ok', 7), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(client.setRegisteredModelAlias('nope', 'ok', 1), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('pages through registered-model searches', async () => {
      const names = Array.from({ length: 7 }, (_, i) => `model-${i}`);
      for (const n of names) await client.createRegisteredModel(n, { tags: { parity: Number(n.slice(-1)) % 2 === 0 ? 'even' : 'odd' } });
      await client.createRegisteredModel('other');
      const counted = countingRegistry(store);
      const paging = new TrackingClient({ tracking: store, registry: counted.store });

      expect((await paging.searchRegisteredModels({ filter: "name LIKE 'model-%'", pageSize: 2 })).map((m) => m.name)).toEqual(names);
      expect(counted.calls.get('searchRegisteredModels')).toBe(4);
      counted.calls.clear();
      expect(await paging.searchRegisteredModels({ pageSize: 3, maxResults: 4 })).toHaveLength(4);
      expect(counted.calls.get('searchRegisteredModels')).toBe(2);
      expect((await paging.searchRegisteredModels()).map((m) => m.name)).toEqual([...names, 'other']);
      const desc = await paging.searchRegisteredModels({ orderBy: ['name DESC'], filter: "tags.parity = 'even'" });
      expect(desc.map((m) => m.name)).toEqual(['model-6', 'model-4', 'model-2', 'model-0']);

      const first = await paging.searchRegisteredModelsPage({ maxResults: 5 });
      expect(first.items).toHaveLength(5);
      expect(first.nextPageToken).toBeTruthy();
      const rest = await paging.searchRegisteredModelsPage({ maxResults: 5, pageToken: first.nextPageToken });
      expect(rest.items.map((m) => m.name)).toEqual(['model-5', 'model-6', 'other']);
      expect(rest.nextPageToken ?? '').toBe('');
      // Continuing an all-pages search from a token.
      expect((await paging.searchRegisteredModels({ pageToken: first.nextPageToken, pageSize: 1 })).map((m) => m.name)).toEqual(['model-5', 'model-6', 'other']);
      expect((await paging.searchRegisteredModelsPage()).items).toHaveLength(8);
      await expectError(paging.searchRegisteredModelsPage({ maxResults: 1001 }), 'INVALID_PARAMETER_VALUE');
      await expectError(paging.searchRegisteredModels({ filter: 'bogus = 1' }), 'INVALID_PARAMETER_VALUE');
    });

    it('pages through model-version searches', async () => {
      await client.createRegisteredModel('a');
      await client.createRegisteredModel('b');
      for (let i = 0; i < 5; i++) await newVersion('a');
      await newVersion('b');
      const counted = countingRegistry(store);
      const paging = new TrackingClient({ tracking: store, registry: counted.store });

      const all = await paging.searchModelVersions({ filter: "name = 'a'", orderBy: ['version_number ASC'], pageSize: 2 });
      expect(all.map((v) => v.version)).toEqual(['1', '2', '3', '4', '5']);
      expect(counted.calls.get('searchModelVersions')).toBe(3);
      expect(await paging.searchModelVersions({ maxResults: 3, pageSize: 2 })).toHaveLength(3);
      expect(await paging.searchModelVersions()).toHaveLength(6);
      expect((await paging.searchModelVersions({ filter: 'version_number >= 4' })).map((v) => `${v.name}/${v.version}`).sort()).toEqual(['a/4', 'a/5']);
      const runId = (await paging.getModelVersion('b', 1)).runId!;
      expect((await paging.searchModelVersions({ filter: `run_id = '${runId}'` })).map((v) => v.name)).toEqual(['b']);

      const first = await paging.searchModelVersionsPage({ maxResults: 4, orderBy: ['name ASC', 'version_number ASC'] });
      expect(first.items.map((v) => v.version)).toEqual(['1', '2', '3', '4']);
      const rest = await paging.searchModelVersionsPage({ maxResults: 4, orderBy: ['name ASC', 'version_number ASC'], pageToken: first.nextPageToken });
      expect(rest.items.map((v) => `${v.name}/${v.version}`)).toEqual(['a/5', 'b/1']);
      await expectError(paging.searchModelVersionsPage({ maxResults: 200_001 }), 'INVALID_PARAMETER_VALUE');
    });
  });
}

describe('TrackingClient without a registry', () => {
  it('answers every registry call with NOT_IMPLEMENTED and keeps the registry getter', async () => {
    const t = await tempSqliteStore();
    try {
      const client = new TrackingClient({ tracking: t.store, registry: null });
      expect(() => client.registry).toThrow(/has no model registry/);
      const calls: (() => Promise<unknown>)[] = [
        () => client.createRegisteredModel('m'),
        () => client.getRegisteredModel('m'),
        () => client.searchRegisteredModels(),
        () => client.searchModelVersionsPage(),
        () => client.getModelVersion('m', 1),
        () => client.setRegisteredModelAlias('m', 'a', 1),
        () => client.transitionModelVersionStage('m', 1, 'Staging'),
        () => client.registerModel('runs:/abc/model', 'm'),
      ];
      for (const call of calls) {
        const e = await expectError(call(), 'NOT_IMPLEMENTED');
        expect(e.httpStatus).toBe(501);
      }
    } finally {
      await t.cleanup();
    }
  });

  it('exposes the raw store through the registry getter when there is one', async () => {
    const t = await tempFileStore();
    try {
      const client = new TrackingClient({ tracking: t.store, registry: t.store });
      expect(client.registry).toBe(t.store);
      await client.registry.createRegisteredModel('raw');
      expect((await client.getRegisteredModel('raw')).name).toBe('raw');
    } finally {
      await t.cleanup();
    }
  });
});
