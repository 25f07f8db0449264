import { describe, expect, it } from 'vitest';
import { parseRegisteredModelFilter, parseRegisteredModelOrderBy } from './registered-model-search.js';
import { expectSearchError } from './__tests__/fixtures.js';

describe('parseRegisteredModelFilter', () => {
  it('accepts name and tags with string comparators', () => {
    expect(parseRegisteredModelFilter("name LIKE 'm%' and tags.`mlflow.prompt.is_prompt` != 'true' and tag.k ILIKE 'V'")).toEqual([
      { type: 'attribute', key: 'name', comparator: 'LIKE', value: 'm%' },
      { type: 'tag', key: 'mlflow.prompt.is_prompt', comparator: '!=', value: 'true' },
      { type: 'tag', key: 'k', comparator: 'ILIKE', value: 'V' },
    ]);
    expect(parseRegisteredModelFilter("name = 'm1'")[0]).toEqual({ type: 'attribute', key: 'name', comparator: '=', value: 'm1' });
  });

  it('rejects other keys, prefixes, comparators, lists', () => {
    expectSearchError(() => parseRegisteredModelFilter('creation_timestamp > 1'), 0, "Invalid attribute key 'creation_timestamp'");
    expectSearchError(() => parseRegisteredModelFilter("metrics.a = 'x'"), 0, "Invalid entity type 'metrics'");
    expectSearchError(() => parseRegisteredModelFilter("name IN ('a')"), 5, "Invalid comparator 'IN'");
    expectSearchError(() => parseRegisteredModelFilter('tags.k = v'), 9, 'Expected a quoted string value for tag');
  });
});

describe('parseRegisteredModelOrderBy', () => {
  it('accepts name and the timestamps', () => {
    expect(parseRegisteredModelOrderBy(['last_updated_timestamp DESC', 'creation_timestamp', 'name ASC'])).toEqual([
      { type: 'attribute', key: 'last_updated_timestamp', ascending: false },
      { type: 'attribute', key: 'creation_timestamp', ascending: true },
      { type: 'attribute', key: 'name', ascending: true },
    ]);
  });

  it('rejects other keys and tags', () => {
    expectSearchError(() => parseRegisteredModelOrderBy(['description']), 0, "Invalid attribute key 'description'");
    expectSearchError(() => parseRegisteredModelOrderBy(['tags.k DESC']), 0, "Invalid order_by entity type 'tag'");
  });
});
