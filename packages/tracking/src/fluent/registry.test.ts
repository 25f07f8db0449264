import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { activeRun, endRun, logMetric, setTrackingUri, startRun, withRun } from '../fluent.js';
import { registerModel, searchModelVersions, searchRegisteredModels } from './registry.js';
import { resetFluentState } from './state.js';
import { TrackingClient } from '../client/tracking-client.js';
import { closeAllStores, registerStoreScheme } from '../store/store-registry.js';
import { closeAllLoggers } from '../logging/config.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../__tests__/tracking-fixtures.js';
import { expectError } from '../store/__tests__/contract/helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

afterEach(async () => {
  while (activeRun()) await endRun().catch(() => undefined);
  await closeAllLoggers();
  resetFluentState();
  await closeAllStores();
  setTrackingUri(undefined);
  await cleanup();
});

for (const kind of ['sqlite', 'file'] as const) {
  describe(`fluent registry on ${kind}`, () => {
    beforeEach(async () => {
      ({ dir, cleanup } = await tempDir('lablog-fluent-registry-'));
      setTrackingUri(kind === 'sqlite' ? `sqlite:///${join(dir, 'lablog.db')}` : pathToFileURL(join(dir, 'mlruns')).href);
    });

    it('registers the active run\'s model and searches models and versions', async () => {
      const run = await startRun();
      const v1 = await registerModel(`runs:/${run.runId}/model`, 'fluent-model', { tags: { source: 'fluent' } });
      expect(v1).toMatchObject({ name: 'fluent-model', version: '1', runId: run.runId, tags: [{ key: 'source', value: 'fluent' }] });
      await endRun();
      const runId2 = await withRun(async (r) => {
        logMetric('loss', 0.1);
        await registerModel(`runs:/${r.runId}/model`, 'fluent-model');
        await registerModel(`runs:/${r.runId}/model`, 'other-model');
        return r.runId;
      });

      expect((await searchRegisteredModels()).map((m) => m.name)).toEqual(['fluent-model', 'other-model']);
      expect((await searchRegisteredModels({ filter: "name LIKE 'fluent%'" })).map((m) => m.name)).toEqual(['fluent-model']);
      expect((await searchRegisteredModels({ orderBy: ['name DESC'], maxResults: 1 })).map((m) => m.name)).toEqual(['other-model']);
      const versions = await searchModelVersions({ filter: "name = 'fluent-model'", orderBy: ['version_number DESC'] });
      expect(versions.map((v) => [v.version, v.runId])).toEqual([['2', runId2], ['1', run.runId]]);
      expect(await searchModelVersions({ filter: `run_id = '${runId2}'` })).toHaveLength(2);
      expect(await searchModelVersions({ maxResults: 2 })).toHaveLength(2);

      // The same registry through an explicit client.
      const client = new TrackingClient();
      expect((await client.getRegisteredModel('fluent-model')).latestVersions.map((v) => v.version)).toEqual(['2']);
    });

    it('refuses bad URIs with the client\'s errors', async () => {
      await expectError(registerModel('runs:/not a run/model', 'm'), 'INVALID_PARAMETER_VALUE');
      await expectError(registerModel('runs:/0123456789abcdef/model', 'm'), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(registerModel(join(dir, 'elsewhere'), 'm'), 'INVALID_PARAMETER_VALUE');
      await expectError(registerModel('models:/m/bogus', 'm'), 'INVALID_PARAMETER_VALUE');
      expect(await searchRegisteredModels()).toEqual([]);
      expect(await searchModelVersions()).toEqual([]);
    });
  });
}

describe('fluent registry without a registry', () => {
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('lablog-fluent-noreg-'));
    registerStoreScheme('lablog-noreg', () => ({
      tracking: new SqliteStore({ path: join(dir, 'noreg.db'), defaultArtifactRoot: pathToFileURL(join(dir, 'artifacts')).href }),
      registry: null,
    }));
    setTrackingUri(`lablog-noreg://${dir}`);
  });

  it('answers NOT_IMPLEMENTED', async () => {
    await expectError(registerModel('runs:/abc/model', 'm'), 'NOT_IMPLEMENTED');
    await expectError(searchRegisteredModels(), 'NOT_IMPLEMENTED');
    await expectError(searchModelVersions(), 'NOT_IMPLEMENTED');
  });
});
