import { describe, expect, it } from 'vitest';
import type { ModelVersion } from '../entities/model-version.js';
import type { RegisteredModel } from '../entities/registered-model.js';
import { filterModelVersions, sortModelVersions } from './model-version-in-memory.js';
import { parseModelVersionFilter, parseModelVersionOrderBy } from './model-version-search.js';
import { filterRegisteredModels, sortRegisteredModels } from './registered-model-in-memory.js';
import { parseRegisteredModelFilter, parseRegisteredModelOrderBy } from './registered-model-search.js';
import { makeModel, makeVersion } from './__tests__/fixtures.js';

const names = (ms: RegisteredModel[]) => ms.map((m) => m.name);
const versions = (vs: ModelVersion[]) => vs.map((v) => `${v.name}/${v.version}`);

describe('registered models in memory', () => {
  const models = [
    makeModel('zeta', 1, 50, { 'mlflow.prompt.is_prompt': 'true' }),
    makeModel('alpha', 3, 20, { owner: 'ann' }),
    makeModel('Beta', 2, 20),
  ];

  it('filters on name and tags; a missing tag never matches', () => {
    const search = (f: string) => names(filterRegisteredModels(models, parseRegisteredModelFilter(f)));
    expect(search("name LIKE '%a'")).toEqual(['zeta', 'alpha', 'Beta']);
    expect(search("name ILIKE 'b%'")).toEqual(['Beta']);
    expect(search("name = 'alpha'")).toEqual(['alpha']);
    expect(search("tags.owner != 'bob'")).toEqual(['alpha']);
    expect(search("tags.`mlflow.prompt.is_prompt` != 'true'")).toEqual([]);
  });

  it('sorts by name ASC by default and as tie-breaker', () => {
    const order = (...o: string[]) => names(sortRegisteredModels(models, parseRegisteredModelOrderBy(o)));
    expect(order()).toEqual(['Beta', 'alpha', 'zeta']);
    expect(order('last_updated_timestamp')).toEqual(['Beta', 'alpha', 'zeta']);
    expect(order('last_updated_timestamp DESC')).toEqual(['zeta', 'Beta', 'alpha']);
    expect(order('creation_timestamp DESC')).toEqual(['alpha', 'Beta', 'zeta']);
    expect(order('name DESC')).toEqual(['zeta', 'alpha', 'Beta']);
  });
});

describe('model versions in memory', () => {
  const all = [
    makeVersion('m1', 1, { updated: 10, runId: 'aaa', source: 'runs:/aaa/model' }),
    makeVersion('m1', 2, { updated: 30, runId: 'bbb', source: 's3://bucket/m1', tags: { stage: 'prod' } }),
    makeVersion('m1', 10, { updated: 30, source: 'runs:/ccc/model' }),
    makeVersion('m0', 3, { updated: 30, runId: 'aaa', source: 'file:///m0' }),
  ];

  it('filters on name, run_id, source_path, version_number, tags', () => {
    const search = (f: string) => versions(filterModelVersions(all, parseModelVersionFilter(f)));
    expect(search("name = 'm1'")).toEqual(['m1/1', 'm1/2', 'm1/10']);
    expect(search("run_id = 'aaa'")).toEqual(['m1/1', 'm0/3']);
    expect(search("run_id != 'aaa'")).toEqual(['m1/2']);
    expect(search("run_id IN ('bbb', 'zzz')")).toEqual(['m1/2']);
    expect(search("source_path LIKE 'runs:/%'")).toEqual(['m1/1', 'm1/10']);
    expect(search('version_number >= 3')).toEqual(['m1/10', 'm0/3']);
    expect(search('version_number = 10')).toEqual(['m1/10']);
    expect(search("tags.stage = 'prod'")).toEqual(['m1/2']);
  });

  it('sorts by last_updated_timestamp DESC, name ASC, version DESC by default', () => {
    expect(versions(sortModelVersions(all, []))).toEqual(['m0/3', 'm1/10', 'm1/2', 'm1/1']);
  });

  it('sorts version numbers as numbers and adds the tie-breakers', () => {
    const order = (...o: string[]) => versions(sortModelVersions(all, parseModelVersionOrderBy(o)));
    expect(order('version_number')).toEqual(['m1/1', 'm1/2', 'm0/3', 'm1/10']);
    expect(order('last_updated_timestamp')).toEqual(['m1/1', 'm0/3', 'm1/10', 'm1/2']);
    expect(order('name DESC')).toEqual(['m1/10', 'm1/2', 'm1/1', 'm0/3']);
  });
});
