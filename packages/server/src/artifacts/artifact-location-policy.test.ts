import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAppFixture, type AppFixture } from '../__tests__/app-fixture.js';
import { ArtifactLocationPolicy } from './artifact-location-policy.js';
import type { ArtifactStore } from './artifact-store.js';

// Module scope: the refused locations below are built from these paths when tests are collected.
const base = mkdtempSync(join(tmpdir(), 'lablog-policy-'));
const dest = join(base, 'mlartifacts');
let f: AppFixture;

beforeAll(() => {
  mkdirSync(dest);
  mkdirSync(join(base, 'outside'));
  symlinkSync(join(base, 'outside'), join(dest, 'escape'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));
beforeEach(async () => {
  f = await createAppFixture({ artifacts: { destination: dest } });
});
afterEach(async () => {
  await f.close();
});

const create = (name: string, artifact_location: string) => f.post('experiments/create', { name, artifact_location });

describe('experiments/create artifact_location policy (security.md §2.4)', () => {
  it('accepts mlflow-artifacts:, the destination and the default root, and the store default', async () => {
    const ok = [
      'mlflow-artifacts:/team-a',
      'mlflow-artifacts://tracking.host:5000/team-b',
      'mlflow-artifacts:/',
      pathToFileURL(join(dest, 'exp')).href,
      join(dest, 'plain-path'),
      `${f.artifactRoot}/custom`,
    ];
    for (const [i, location] of ok.entries()) {
      const res = await create(`ok-${i}`, location);
      expect(res.statusCode, location).toBe(200);
    }
    expect((await f.post('experiments/create', { name: 'default' })).statusCode).toBe(200);
  });

  it.each([
    'file:///etc',
    'file:///etc/passwd',
    '/etc',
    '/tmp/elsewhere',
    'file:///tmp',
    '//proc/self/root',
    'file://proc/self/root',
    `${pathToFileURL(dest).href}/../outside`,
    `${pathToFileURL(dest).href}/%2E%2E/outside`,
    `${pathToFileURL(dest).href}/%252E%252E/outside`,
    `${pathToFileURL(dest).href}/escape/x`,
    'mlflow-artifacts:/../../etc',
    'mlflow-artifacts:/a/..%2F..%2Fetc',
    'mlflow-artifacts:/a%00b',
    'http:///?/../../../../../../etc/',
    'http://host#/../../etc/',
    'http:///#/../../etc/',
    'http://host/;..%2F..%2Fetc',
    'https://attacker.example/bucket',
    's3://some-other-bucket/x',
    'ftp://host/x',
    'runs:/abc/model',
    'gs://bucket/x',
  ])('refuses %s with 400 INVALID_PARAMETER_VALUE', async (location) => {
    const res = await create('bad', location);
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await f.get('experiments/get-by-name', 'experiment_name=bad')).statusCode).toBe(404);
  });
});

describe('ArtifactLocationPolicy (unit)', () => {
  const s3Dest = { rootUri: 's3://ml-bucket/artifacts', localDir: null, s3: { bucket: 'ml-bucket', prefix: 'artifacts' } } as unknown as ArtifactStore;

  it('s3 locations must lie under the destination bucket and prefix', async () => {
    const policy = new ArtifactLocationPolicy({ destination: s3Dest });
    await expect(policy.check('s3://ml-bucket/artifacts')).resolves.toBeUndefined();
    await expect(policy.check('s3://ml-bucket/artifacts/exp-1')).resolves.toBeUndefined();
    for (const bad of ['s3://ml-bucket/artifacts-other/x', 's3://ml-bucket/x', 's3://other/artifacts/x', 's3://ml-bucket/artifacts/../x', 'file:///tmp/x']) {
      await expect(policy.check(bad), bad).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    }
  });

  it('an s3 default artifact root counts as a root; without any root only mlflow-artifacts: passes', async () => {
    const policy = new ArtifactLocationPolicy({ defaultArtifactRoot: 's3://team/' });
    await expect(policy.check('s3://team/anything/below')).resolves.toBeUndefined();
    const bare = new ArtifactLocationPolicy();
    await expect(bare.check('mlflow-artifacts:/x')).resolves.toBeUndefined();
    await expect(bare.check('file:///srv/x')).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    await expect(bare.check('x'.repeat(5000))).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
  });
});
