import { describe, expect, it } from 'vitest';
import { parseExperimentFilter, parseExperimentOrderBy } from './experiment-search.js';
import { expectSearchError } from './__tests__/fixtures.js';

describe('parseExperimentFilter', () => {
  it('gives no comparisons for an empty filter', () => {
    expect(parseExperimentFilter(undefined)).toEqual([]);
    expect(parseExperimentFilter(' ')).toEqual([]);
  });

  it('accepts name with string comparators, times with numeric ones, tags', () => {
    expect(
      parseExperimentFilter(
        "name LIKE 'exp%' and attribute.name != 'x' and creation_time > 100 and last_update_time <= 2e3 and tags.team = 'ml' and tag.`a b` ILIKE 'Q%'",
      ),
    ).toEqual([
      { type: 'attribute', key: 'name', comparator: 'LIKE', value: 'exp%' },
      { type: 'attribute', key: 'name', comparator: '!=', value: 'x' },
      { type: 'attribute', key: 'creation_time', comparator: '>', value: 100 },
      { type: 'attribute', key: 'last_update_time', comparator: '<=', value: 2000 },
      { type: 'tag', key: 'team', comparator: '=', value: 'ml' },
      { type: 'tag', key: 'a b', comparator: 'ILIKE', value: 'Q%' },
    ]);
  });

  it('rejects any other prefix, with MLflow message', () => {
    expectSearchError(
      () => parseExperimentFilter('metrics.a > 1'),
      0,
      "Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')",
    );
    expectSearchError(() => parseExperimentFilter("attributes.name = 'x'"), 0, "Invalid entity type 'attributes'");
    expectSearchError(() => parseExperimentFilter("params.a = 'x'"), 0, 'Invalid entity type');
  });

  it('rejects unknown attributes, wrong comparators and value types', () => {
    expectSearchError(() => parseExperimentFilter("experiment_id = '1'"), 0, "Invalid attribute key 'experiment_id'");
    expectSearchError(() => parseExperimentFilter("name > 'a'"), 5, "Invalid comparator '>'");
    expectSearchError(() => parseExperimentFilter("creation_time LIKE '1%'"), 14, "Invalid comparator 'LIKE'");
    expectSearchError(() => parseExperimentFilter("creation_time > '1'"), 16, 'Expected numeric value type for numeric attribute: creation_time');
    expectSearchError(() => parseExperimentFilter('name = exp'), 7, 'Expected a quoted string value');
    expectSearchError(() => parseExperimentFilter("name = 'a' OR name = 'b'"), 11, 'OR');
  });
});

describe('parseExperimentOrderBy', () => {
  it('accepts name, experiment_id, creation_time, last_update_time', () => {
    expect(parseExperimentOrderBy(['name', 'experiment_id DESC', 'creation_time asc', 'attribute.last_update_time DESC'])).toEqual([
      { type: 'attribute', key: 'name', ascending: true },
      { type: 'attribute', key: 'experiment_id', ascending: false },
      { type: 'attribute', key: 'creation_time', ascending: true },
      { type: 'attribute', key: 'last_update_time', ascending: false },
    ]);
  });

  it('rejects tags and unknown keys', () => {
    expectSearchError(() => parseExperimentOrderBy(['tags.team']), 0, "Invalid order_by entity type 'tag'");
    expectSearchError(() => parseExperimentOrderBy(['artifact_location']), 0, "Invalid attribute key 'artifact_location'");
    expectSearchError(() => parseExperimentOrderBy(['name DESC,']), 9, 'Invalid order_by clause');
  });
});
