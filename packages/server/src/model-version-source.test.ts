import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LablogError, resourceDoesNotExist, type ModelVersion } from '@lablog/tracking';
import { resolveModelVersionSource, type SourceContext } from './model-version-source.js';

let dir: string;
let serverRoot: string; // absolute path of the server's artifact root
let runRoot: string; // absolute path of run1's artifact root (outside the server root)
let ctx: SourceContext;
const RUN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

function version(name: string, v: string, source: string, extra: Partial<ModelVersion> = {}): ModelVersion {
  return { name, version: v, creationTimestamp: 0, lastUpdatedTimestamp: 0, currentStage: 'None', source, status: 'READY', tags: [], aliases: [], ...extra };
}

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'lablog-source-')));
  serverRoot = join(dir, 'artifacts');
  runRoot = join(dir, 'elsewhere', RUN, 'artifacts');
  mkdirSync(join(serverRoot, '1', 'r', 'artifacts', 'model'), { recursive: true });
  mkdirSync(join(serverRoot, 'with space'), { recursive: true });
  mkdirSync(join(runRoot, 'model'), { recursive: true });
  writeFileSync(join(dir, 'secret.txt'), 'secret');
  symlinkSync('/etc', join(serverRoot, 'etc-link'));
  symlinkSync(dir, join(runRoot, 'up-link'));
  const versions = new Map<string, ModelVersion>([
    ['m/1', version('m', '1', `runs:/${RUN}/model`, { storageLocation: pathToFileURL(join(runRoot, 'model')).href, runId: RUN })],
    ['m/2', version('m', '2', `${serverRoot}/1/r/artifacts/model`, { currentStage: 'Production' })],
    ['evil/1', version('evil', '1', 'file:///etc')], // stored before validation existed
    ['loop/1', version('loop', '1', 'models:/loop/1')],
  ]);
  const get = (name: string, v: string): ModelVersion => {
    const mv = versions.get(`${name}/${v}`);
    if (!mv) throw resourceDoesNotExist(`Model Version (name=${name}, version=${v}) not found`);
    return mv;
  };
  ctx = {
    artifactRoots: [pathToFileURL(serverRoot).href, 's3://my-bucket/root', 'mlflow-artifacts:/'],
    runArtifactUri: async (runId) => {
      if (runId !== RUN) throw resourceDoesNotExist(`Run with id=${runId} not found`);
      return pathToFileURL(runRoot).href;
    },
    registry: {
      getModelVersion: async (name, v) => get(name, v),
      getLatestVersions: async (name, stages) =>
        [...versions.values()].filter((mv) => mv.name === name && (!stages || stages.includes(mv.currentStage))),
      getModelVersionByAlias: async (name, alias) => {
        if (name === 'm' && alias === 'champ') return get('m', '2');
        if (name === 'evil' && alias === 'x') return get('evil', '1');
        throw new LablogError(`Registered model alias ${alias} not found.`, 'INVALID_PARAMETER_VALUE');
      },
    },
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rejected(source: string, runId?: string, allowModelsUri = true): Promise<LablogError> {
  let err: unknown;
  try {
    await resolveModelVersionSource(source, runId, ctx, { allowModelsUri });
  } catch (e) {
    err = e;
  }
  expect(LablogError.is(err), `${source} must be refused`).toBe(true);
  return err as LablogError;
}

describe('resolveModelVersionSource: accepted forms', () => {
  it('runs:/<run_id>/<path> → the run artifact URI joined with the path', async () => {
    expect(await resolveModelVersionSource(`runs:/${RUN}/model`, undefined, ctx)).toBe(`${pathToFileURL(runRoot).href}/model`);
    expect(await resolveModelVersionSource(`runs:/${RUN}`, undefined, ctx)).toBe(pathToFileURL(runRoot).href);
    expect(await resolveModelVersionSource(`RUNS:/${RUN}/a/b/`, undefined, ctx)).toBe(`${pathToFileURL(runRoot).href}/a/b`);
  });

  it('a local path or file URI inside the run root (with run_id) or the server root', async () => {
    const inRun = pathToFileURL(join(runRoot, 'model')).href;
    expect(await resolveModelVersionSource(inRun, RUN, ctx)).toBe(inRun);
    expect(await resolveModelVersionSource(join(runRoot, 'model'), RUN, ctx)).toBe(inRun);
    const inServer = join(serverRoot, '1', 'r', 'artifacts', 'model');
    expect(await resolveModelVersionSource(inServer, undefined, ctx)).toBe(pathToFileURL(inServer).href);
    expect(await resolveModelVersionSource(`file://localhost${inServer}`, undefined, ctx)).toBe(pathToFileURL(inServer).href);
    // Not yet existing directories under the root are fine (checked on the deepest existing ancestor).
    expect(await resolveModelVersionSource(join(serverRoot, 'new', 'model'), undefined, ctx)).toBe(pathToFileURL(join(serverRoot, 'new', 'model')).href);
  });

  it('a percent-encoded space in a file URI is one decoding, as the file system sees it', async () => {
    const uri = pathToFileURL(join(serverRoot, 'with space')).href;
    expect(uri).toContain('%20');
    expect(await resolveModelVersionSource(uri, undefined, ctx)).toBe(uri);
  });

  it('remote URIs textually inside a root of the same scheme', async () => {
    expect(await resolveModelVersionSource('s3://my-bucket/root/1/r/artifacts/model', undefined, ctx)).toBe('s3://my-bucket/root/1/r/artifacts/model');
    expect(await resolveModelVersionSource('S3://my-bucket/root/m', undefined, ctx)).toBe('S3://my-bucket/root/m');
    expect(await resolveModelVersionSource('mlflow-artifacts:/1/r/artifacts/model', undefined, ctx)).toBe('mlflow-artifacts:/1/r/artifacts/model');
  });

  it('models:/ URIs resolve to the named version’s location', async () => {
    const v1 = pathToFileURL(join(runRoot, 'model')).href;
    const v2 = pathToFileURL(join(serverRoot, '1', 'r', 'artifacts', 'model')).href;
    expect(await resolveModelVersionSource('models:/m/1', undefined, ctx)).toBe(v1);
    expect(await resolveModelVersionSource('models:/m/production', undefined, ctx)).toBe(v2);
    expect(await resolveModelVersionSource('models:/m/Latest', undefined, ctx)).toBe(v2);
    expect(await resolveModelVersionSource('models:/m@champ', undefined, ctx)).toBe(v2);
  });
});

// security.md §2.3, each variant, plus neighbours.
const ATTACKS: readonly [string, string | undefined][] = [
  // CVE-2023-1177 / -1176: a local directory outside every root.
  ['file:///etc', undefined],
  ['file:///etc', RUN],
  ['file:///etc/', RUN],
  ['/etc', undefined],
  ['/etc/passwd', RUN],
  ['file:/etc', undefined],
  ['file:etc', undefined],
  ['FILE:///etc', undefined],
  ['File:///etc', RUN],
  ['file://localhost/etc', RUN],
  // CVE-2023-6977: `//proc/self/root` (host "proc" looked remote).
  ['//proc/self/root', undefined],
  ['//proc/self/root', RUN],
  ['file://proc/self/root', RUN],
  ['file:////proc/self/root', RUN],
  // CVE-2023-2356: relative paths, plain, percent-encoded, double-encoded.
  ['__ROOT__/../secret.txt', undefined],
  ['__ROOT__/..', undefined],
  ['file://__ROOT__/../secret.txt', undefined],
  ['file://__ROOT__/%2E%2E/secret.txt', undefined],
  ['file://__ROOT__/%2e%2e%2fsecret.txt', undefined],
  ['file://__ROOT__/%252E%252E/secret.txt', undefined],
  ['file://__ROOT__/%25252E%25252E/secret.txt', undefined],
  ['__ROOT__/./../secret.txt', undefined],
  ['s3://my-bucket/root/../other', undefined],
  ['s3://my-bucket/root/%2E%2E/other', undefined],
  ['mlflow-artifacts:/../../etc', undefined],
  ['mlflow-artifacts:/1/%252e%252e/%252e%252e/x', undefined],
  ['http://host/api/2.0/mlflow-artifacts/artifacts/../../etc', undefined],
  // CVE-2023-2780: `\..\`.
  ['__ROOT__\\..\\secret.txt', undefined],
  ['file://__ROOT__/..\\..\\etc', undefined],
  ['file://__ROOT__/%5C..%5Csecret.txt', undefined],
  // CVE-2024-3573: empty or `file` scheme misclassified.
  [':///etc', undefined],
  ['://etc', undefined],
  ['%66ile:///etc', undefined],
  ['%2Fetc', undefined],
  ['file', undefined],
  ['etc/passwd', undefined],
  ['artifacts/1/r/artifacts/model', undefined],
  ['C:/Windows/System32', undefined],
  ['C:\\Windows\\System32', undefined],
  // CVE-2024-1558: `%23` anchors checked on one form, stored in another.
  ['file://__ROOT__/x%23/../../secret.txt', undefined],
  ['file://__ROOT__/%23/%2E%2E/%2E%2E/secret.txt', undefined],
  ['http://host#/../../etc/', undefined],
  ['http:///?/../../../etc/', undefined],
  ['http://host/;..%2F..%2Fetc', undefined],
  ['s3://my-bucket/root/x%2523y', undefined],
  // CVE-2024-8859: traversal in a query / params part.
  ['dbfs:/databricks/mlflow?x=/../../etc', undefined],
  // NUL and control characters.
  ['__ROOT__/model\u0000.txt', undefined],
  ['file://__ROOT__/model%00.txt', undefined],
  ['s3://my-bucket/root/a%0Ab', undefined],
  // Remote fetches (SSRF, CVE-2023-6018/-6974/-6975) and other buckets.
  ['http://attacker/api/2.0/mlflow-artifacts/artifacts/', undefined],
  ['https://169.254.169.254/latest/meta-data/', undefined],
  ['ftp://attacker/a', undefined],
  ['s3://other-bucket/root/model', undefined],
  ['s3://my-bucket/rootother/model', undefined],
  ['s3://my-bucket/root//model', undefined],
  ['mlflow-artifacts://evil.host/1/model', undefined],
  ['gs://my-bucket/root/model', undefined],
  // Symlinks inside a root pointing out of it.
  ['__ROOT__/etc-link/passwd', undefined],
  ['__RUNROOT__/up-link/secret.txt', RUN],
  // Decoded too many times.
  [`file://__ROOT__/${'%25'.repeat(1)}${'25'.repeat(12)}2E`, undefined],
  // runs:/ with traversal or a bad run id.
  [`runs:/${RUN}/../../secret.txt`, undefined],
  [`runs:/${RUN}/%2E%2E/%2E%2E/secret.txt`, undefined],
  [`runs:/${RUN}/..%5C..%5Csecret.txt`, undefined],
  ['runs://host/model', undefined],
  ['runs:/../model', undefined],
  ['runs:/', undefined],
  ['runs:model', undefined],
  // models:/ that name a bad stored location, a loop, or malformed forms.
  ['models:/evil/1', undefined],
  ['models:/evil@x', undefined],
  ['models:/loop/1', undefined],
  ['models:/m-0123456789', undefined],
  ['models:/m/1/extra', undefined],
  ['models:/m/NotAStage', undefined],
  ['models:/m/%2E%2E', undefined],
  ['models://m/1', undefined],
];

describe('resolveModelVersionSource: attacks (security.md §2.3)', () => {
  it.each(ATTACKS)('refuses %j (run_id %s) with 400 INVALID_PARAMETER_VALUE', async (template, runId) => {
    const source = template.replaceAll('__ROOT__', serverRoot).replaceAll('__RUNROOT__', runRoot);
    const err = await rejected(source, runId);
    expect(err.errorCode).toBe('INVALID_PARAMETER_VALUE');
  });

  it('names why, and quotes a long source only in part', async () => {
    const err = await rejected('file:///etc');
    expect(err.message).toMatch(/^Invalid model version source: 'file:\/\/\/etc'\. It is not inside an artifact root of this server/);
    const long = await rejected(`/etc/${'x'.repeat(5000)}`);
    expect(long.message.length).toBeLessThan(1000);
  });

  it('an unknown run or version is a 404, and an empty source a missing value', async () => {
    expect((await rejected('runs:/0123456789abcdef/model')).errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await rejected('models:/m/99')).errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await rejected('file:///etc', 'ffffffffffffffff')).errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    const empty = await rejected('');
    expect(empty.message).toMatch(/Missing value for required parameter 'source'/);
  });

  it('re-checking a stored location refuses models:/ and anything outside the roots', async () => {
    expect((await rejected('models:/m/1', undefined, false)).errorCode).toBe('INVALID_PARAMETER_VALUE');
    await rejected('file:///etc', undefined, false);
  });
});
