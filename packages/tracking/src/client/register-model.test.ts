import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TrackingClient } from './tracking-client.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { FileStore } from '../store/file/file-store.js';
import { fileUriToPath } from '../artifacts/file-uri.js';
import { parseModelUri, resolveModelVersion } from '../model-uri.js';
import { tempFileStore, tempSqliteStore } from '../__tests__/tracking-fixtures.js';
import { expectError } from '../store/__tests__/contract/helpers.js';

for (const kind of ['sqlite', 'file'] as const) {
  describe(`registerModel and resolveModelVersion on ${kind}`, () => {
    let store: SqliteStore | FileStore;
    let dir: string;
    let cleanup: () => Promise<void>;
    let client: TrackingClient;

    beforeEach(async () => {
      const t = kind === 'sqlite' ? await tempSqliteStore() : await tempFileStore();
      ({ store, dir, cleanup } = t);
      client = new TrackingClient({ tracking: store, registry: store });
    });
    afterEach(() => cleanup());

    /** The local directory of a fresh run's artifacts. */
    const runArtifacts = async (): Promise<{ runId: string; uri: string; path: string }> => {
      const run = await client.createRun('0');
      return { runId: run.info.runId, uri: run.info.artifactUri, path: fileUriToPath(run.info.artifactUri) };
    };

    it('registers runs:/ URIs, creating the model once and numbering versions', async () => {
      const a = await runArtifacts();
      const v1 = await client.registerModel(`runs:/${a.runId}/model`, 'reg', { tags: { k: 'v' } });
      expect(v1).toMatchObject({ name: 'reg', version: '1', source: `runs:/${a.runId}/model`, runId: a.runId, status: 'READY', tags: [{ key: 'k', value: 'v' }] });
      expect(await client.getModelVersionDownloadUri('reg', 1)).toBe(`${a.uri}/model`);
      expect((await client.getRegisteredModel('reg')).tags).toEqual([]);

      const b = await runArtifacts();
      const v2 = await client.registerModel(`runs:/${b.runId}/nested/model/`, 'reg');
      expect(v2).toMatchObject({ version: '2', source: `runs:/${b.runId}/nested/model/`, runId: b.runId });
      expect(await client.getModelVersionDownloadUri('reg', 2)).toBe(`${b.uri}/nested/model`);
      const v3 = await client.registerModel(`runs:/${b.runId}`, 'reg', { awaitRegistration: 0 });
      expect(await client.getModelVersionDownloadUri('reg', v3.version)).toBe(b.uri);
      expect((await client.searchRegisteredModels()).map((m) => m.name)).toEqual(['reg']);
    });

    it('refuses bad runs:/ URIs and unknown runs without creating anything', async () => {
      for (const uri of ['runs:/', 'runs://abc/model', 'runs:/bad id/model', 'runs:/abc/../x', 'runs:/abc//m']) {
        await expectError(client.registerModel(uri, 'never'), 'INVALID_PARAMETER_VALUE', 'Not a proper runs:/ URI');
      }
      const missing = await expectError(client.registerModel('runs:/0123456789abcdef0123456789abcdef/model', 'never'), 'RESOURCE_DOES_NOT_EXIST');
      expect(missing.httpStatus).toBe(404);
      await expectError(client.registerModel('', 'never'), 'INVALID_PARAMETER_VALUE');
      await expectError(client.getRegisteredModel('never'), 'RESOURCE_DOES_NOT_EXIST');
      // An invalid model name is refused by the store after the URI passed.
      const a = await runArtifacts();
      await expectError(client.registerModel(`runs:/${a.runId}/model`, 'bad/name'), 'INVALID_PARAMETER_VALUE');
    });

    it('resolves models:/ URIs to the source version\'s download URI', async () => {
      const a = await runArtifacts();
      await client.registerModel(`runs:/${a.runId}/model`, 'src');
      await client.setRegisteredModelAlias('src', 'champion', 1);
      for (const uri of ['models:/src/1', 'models:/src@champion', 'models:/src/latest', 'models:/src/none']) {
        const v = await client.registerModel(uri, 'copy');
        expect(v).toMatchObject({ name: 'copy', source: uri, runId: a.runId });
        expect(await client.getModelVersionDownloadUri('copy', v.version)).toBe(`${a.uri}/model`);
      }
      await expectError(client.registerModel('models:/src/7', 'copy'), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(client.registerModel('models:/src/Production', 'copy'), 'RESOURCE_DOES_NOT_EXIST', "No versions of model with name 'src' and stage 'Production' found");
      await expectError(client.registerModel('models:/src@nope', 'copy'), 'INVALID_PARAMETER_VALUE', 'Registered model alias nope not found.');
      await expectError(client.registerModel('models:/unknown/1', 'copy'), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(client.registerModel('models:/m-0123abc', 'copy'), 'INVALID_PARAMETER_VALUE', 'LoggedModel');
      await expectError(client.registerModel('models:/src/bogus', 'copy'), 'INVALID_PARAMETER_VALUE', 'Not a proper models:/ URI');
      expect((await client.searchModelVersions({ filter: "name = 'copy'" })).length).toBe(4);
    });

    it('accepts local paths only inside the artifact root', async () => {
      const a = await runArtifacts();
      const inside = join(a.path, 'model');
      await mkdir(inside, { recursive: true });
      const byPath = await client.registerModel(inside, 'local');
      expect(byPath).toMatchObject({ source: inside });
      expect(byPath.runId ?? '').toBe('');
      expect(await client.getModelVersionDownloadUri('local', 1)).toBe(inside);
      const byUri = pathToFileURL(join(a.path, 'not-yet-written')).href;
      expect((await client.registerModel(byUri, 'local')).source).toBe(byUri);

      const outside = join(dir, 'outside', 'model');
      await mkdir(outside, { recursive: true });
      const escapes = [
        outside,
        pathToFileURL(outside).href,
        `${a.path}/../../../../outside/model`,
        '/etc/passwd',
        'file:///etc',
        'file://otherhost/share/model',
        'relative/model',
      ];
      for (const uri of escapes) {
        await expectError(client.registerModel(uri, 'escaped'), 'INVALID_PARAMETER_VALUE');
      }
      // A symlink inside the root that points outside it does not let a path escape.
      await symlink(join(dir, 'outside'), join(a.path, 'link'));
      await expectError(client.registerModel(join(a.path, 'link', 'model'), 'escaped'), 'INVALID_PARAMETER_VALUE', 'artifact root');
      await expectError(client.registerModel(join(a.path, 'link', 'not-there'), 'escaped'), 'INVALID_PARAMETER_VALUE');
      await expectError(client.getRegisteredModel('escaped'), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('accepts remote URIs unless they hold .. segments or NUL bytes', async () => {
      expect((await client.registerModel('s3://bucket/models/m', 'remote')).source).toBe('s3://bucket/models/m');
      expect(await client.getModelVersionDownloadUri('remote', 1)).toBe('s3://bucket/models/m');
      for (const uri of ['s3://bucket/../secret', 'https://host/a/%2e%2e/b', 'mlflow-artifacts:/x/%252e%252e/y', 's3://b/m\0']) {
        await expectError(client.registerModel(uri, 'remote'), 'INVALID_PARAMETER_VALUE', 'Invalid model version source');
      }
    });

    it('resolveModelVersion reads versions, latest, stages and aliases', async () => {
      await client.createRegisteredModel('m');
      for (let i = 0; i < 4; i++) {
        const a = await runArtifacts();
        await client.createModelVersion('m', `runs:/${a.runId}/model`, { runId: a.runId });
      }
      await client.transitionModelVersionStage('m', 1, 'Production');
      await client.transitionModelVersionStage('m', 2, 'Production');
      await client.transitionModelVersionStage('m', 3, 'Staging');
      await client.transitionModelVersionStage('m', 4, 'Archived');
      await client.setRegisteredModelAlias('m', 'champion', 1);

      const versionOf = async (uri: string): Promise<string> => (await resolveModelVersion(client, uri)).version;
      expect(await versionOf('models:/m/3')).toBe('3');
      expect(await versionOf('models:/m/latest')).toBe('4'); // highest across stages, Archived included
      expect(await versionOf('models:/m/production')).toBe('2');
      expect(await versionOf('models:/m/Staging')).toBe('3');
      expect(await versionOf('models:/m/ARCHIVED')).toBe('4');
      expect(await versionOf('models:/m@champion')).toBe('1');
      expect(await versionOf('models:/m@Latest')).toBe('4');
      expect((await resolveModelVersion(client, parseModelUri('models:/m/2'))).currentStage).toBe('Production');
      // The store works as a resolver too.
      expect((await resolveModelVersion(store, 'models:/m@champion')).version).toBe('1');

      await client.deleteModelVersion('m', 4);
      expect(await versionOf('models:/m/latest')).toBe('3');
      await expectError(resolveModelVersion(client, 'models:/m/Archived'), 'RESOURCE_DOES_NOT_EXIST', "No versions of model with name 'm' and stage 'Archived' found");
      await expectError(resolveModelVersion(client, 'models:/m/None'), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(resolveModelVersion(client, 'models:/m/4'), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(resolveModelVersion(client, 'models:/m@nope'), 'INVALID_PARAMETER_VALUE', 'Registered model alias nope not found.');
      await expectError(resolveModelVersion(client, 'models:/nope/1'), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(resolveModelVersion(client, 'models:/nope/latest'), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(resolveModelVersion(client, 'models:/m-abc'), 'INVALID_PARAMETER_VALUE', 'LoggedModel');
      await expectError(resolveModelVersion(client, 'runs:/abc/model'), 'INVALID_PARAMETER_VALUE');
      await expectError(resolveModelVersion(client, 'models:/m/1/2'), 'INVALID_PARAMETER_VALUE', 'Not a proper models:/ URI');

      await client.createRegisteredModel('empty');
      await expectError(resolveModelVersion(client, 'models:/empty/latest'), 'RESOURCE_DOES_NOT_EXIST', "No versions of model with name 'empty' found");
    });
  });
}
