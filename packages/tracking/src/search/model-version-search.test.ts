import { describe, expect, it } from 'vitest';
import { parseModelVersionFilter, parseModelVersionOrderBy } from './model-version-search.js';
import { expectSearchError } from './__tests__/fixtures.js';

describe('parseModelVersionFilter', () => {
  it('accepts name, run_id, source_path, version_number and tags', () => {
    expect(
      parseModelVersionFilter(
        "name = 'm1' and run_id = 'abc' and source_path LIKE 'runs:/%' and version_number >= 2 and tags.stage = 'prod'",
      ),
    ).toEqual([
      { type: 'attribute', key: 'name', comparator: '=', value: 'm1' },
      { type: 'attribute', key: 'run_id', comparator: '=', value: 'abc' },
      { type: 'attribute', key: 'source_path', comparator: 'LIKE', value: 'runs:/%' },
      { type: 'attribute', key: 'version_number', comparator: '>=', value: 2 },
      { type: 'tag', key: 'stage', comparator: '=', value: 'prod' },
    ]);
  });

  it('accepts run_id IN, dropping ids with uppercase letters, but not NOT IN', () => {
    expect(parseModelVersionFilter("run_id IN ('abc', 'DEF')")[0]).toEqual({
      type: 'attribute',
      key: 'run_id',
      comparator: 'IN',
      value: ['abc'],
    });
    expectSearchError(() => parseModelVersionFilter("run_id NOT IN ('abc')"), 7, "Invalid comparator 'NOT IN'");
    expectSearchError(() => parseModelVersionFilter("name IN ('abc')"), 5, "Invalid comparator 'IN'");
  });

  it('rejects a non-numeric version number and a numeric name', () => {
    expectSearchError(() => parseModelVersionFilter("version_number = '1'"), 17, 'Expected numeric value type for numeric attribute: version_number');
    expectSearchError(() => parseModelVersionFilter('name = 1'), 7, 'Expected a quoted string value for attributes');
    expectSearchError(() => parseModelVersionFilter("version = '1'"), 0, "Invalid attribute key 'version'");
  });
});

describe('parseModelVersionOrderBy', () => {
  it('accepts name, version_number and the timestamps', () => {
    expect(parseModelVersionOrderBy(['version_number DESC', 'name', 'creation_timestamp', 'last_updated_timestamp ASC'])).toEqual([
      { type: 'attribute', key: 'version_number', ascending: false },
      { type: 'attribute', key: 'name', ascending: true },
      { type: 'attribute', key: 'creation_timestamp', ascending: true },
      { type: 'attribute', key: 'last_updated_timestamp', ascending: true },
    ]);
  });

  it('rejects other keys', () => {
    expectSearchError(() => parseModelVersionOrderBy(['run_id']), 0, "Invalid attribute key 'run_id'");
  });
});
