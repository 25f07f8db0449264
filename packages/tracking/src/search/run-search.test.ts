import { describe, expect, it } from 'vitest';
import { parseRunFilter, parseRunOrderBy } from './run-search.js';
import { expectSearchError } from './__tests__/fixtures.js';

describe('parseRunFilter: accepted filters', () => {
  it('gives no comparisons for an absent, empty or blank filter', () => {
    expect(parseRunFilter(undefined)).toEqual([]);
    expect(parseRunFilter('')).toEqual([]);
    expect(parseRunFilter('  \n\t ')).toEqual([]);
  });

  it('parses the reference examples (ref §3.2)', () => {
    expect(parseRunFilter("metrics.rmse < 1 and params.model = 'lr'")).toEqual([
      { type: 'metric', key: 'rmse', comparator: '<', value: 1 },
      { type: 'param', key: 'model', comparator: '=', value: 'lr' },
    ]);
    expect(parseRunFilter("tags.`mlflow.source.type` = 'LOCAL'")).toEqual([
      { type: 'tag', key: 'mlflow.source.type', comparator: '=', value: 'LOCAL' },
    ]);
    expect(parseRunFilter("run_name LIKE 'exp-%'")).toEqual([
      { type: 'attribute', key: 'run_name', comparator: 'LIKE', value: 'exp-%' },
    ]);
    expect(parseRunFilter("attributes.status = 'FINISHED' AND start_time > 1700000000000")).toEqual([
      { type: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' },
      { type: 'attribute', key: 'start_time', comparator: '>', value: 1700000000000 },
    ]);
  });

  it('joins with AND in any case and reads comparators without spaces', () => {
    expect(parseRunFilter("metrics.a>1 AnD metrics.b<=2 and params.c!='x'")).toEqual([
      { type: 'metric', key: 'a', comparator: '>', value: 1 },
      { type: 'metric', key: 'b', comparator: '<=', value: 2 },
      { type: 'param', key: 'c', comparator: '!=', value: 'x' },
    ]);
  });

  it.each([
    ['metric', 'metric'],
    ['metrics', 'metric'],
    ['param', 'param'],
    ['params', 'param'],
    ['parameter', 'param'],
    ['parameters', 'param'],
    ['tag', 'tag'],
    ['tags', 'tag'],
  ] as const)('accepts the entity prefix %s', (prefix, type) => {
    const value = type === 'metric' ? '1' : "'1'";
    expect(parseRunFilter(`${prefix}.k = ${value}`)[0]).toMatchObject({ type, key: 'k' });
  });

  it.each(['attribute', 'attributes', 'attr', 'run'])('accepts the attribute prefix %s', (prefix) => {
    expect(parseRunFilter(`${prefix}.status = 'RUNNING'`)).toEqual([
      { type: 'attribute', key: 'status', comparator: '=', value: 'RUNNING' },
    ]);
  });

  it.each(['dataset', 'datasets'])('accepts the dataset prefix %s and its three keys', (prefix) => {
    expect(parseRunFilter(`${prefix}.name = 'mnist' and ${prefix}.digest != 'ab12' and ${prefix}.context LIKE 'train%'`)).toEqual([
      { type: 'dataset', key: 'name', comparator: '=', value: 'mnist' },
      { type: 'dataset', key: 'digest', comparator: '!=', value: 'ab12' },
      { type: 'dataset', key: 'context', comparator: 'LIKE', value: 'train%' },
    ]);
  });

  it('resolves attribute aliases to canonical keys', () => {
    for (const alias of ['`run name`', '`Run name`', '"Run Name"', 'run_name', 'attributes.`Run name`']) {
      expect(parseRunFilter(`${alias} = 'x'`)[0]!.key).toBe('run_name');
    }
    for (const alias of ['created', 'Created', 'start_time', 'attr.created']) {
      expect(parseRunFilter(`${alias} >= 5`)[0]).toEqual({ type: 'attribute', key: 'start_time', comparator: '>=', value: 5 });
    }
  });

  it('accepts every string attribute and end_time', () => {
    for (const key of ['run_id', 'run_name', 'status', 'user_id', 'artifact_uri']) {
      expect(parseRunFilter(`${key} ILIKE 'a%'`)[0]).toEqual({ type: 'attribute', key, comparator: 'ILIKE', value: 'a%' });
    }
    expect(parseRunFilter('end_time < 10')[0]).toEqual({ type: 'attribute', key: 'end_time', comparator: '<', value: 10 });
  });

  it('splits at the first dot only and reads quoted keys and entities', () => {
    expect(parseRunFilter("tags.mlflow.source.type = 'x'")[0]!.key).toBe('mlflow.source.type');
    expect(parseRunFilter('metrics.`f1 score` > 0.5')[0]!.key).toBe('f1 score');
    expect(parseRunFilter('tags."user-name" = \'bob\'')[0]!.key).toBe('user-name');
    expect(parseRunFilter("tags.'quoted key' = 'v'")[0]!.key).toBe('quoted key');
    expect(parseRunFilter('`metrics`.x = 1')[0]).toMatchObject({ type: 'metric', key: 'x' });
    expect(parseRunFilter('"params".x = \'1\'')[0]).toMatchObject({ type: 'param', key: 'x' });
    expect(parseRunFilter('metrics.`a``b` = 1')[0]!.key).toBe('a`b');
    expect(parseRunFilter('metrics.0_loss = 1')[0]!.key).toBe('0_loss');
  });

  it('accepts single- and double-quoted string values, with escaped quotes', () => {
    expect(parseRunFilter('params.a = "x y"')[0]!.value).toBe('x y');
    expect(parseRunFilter("params.a = 'it''s'")[0]!.value).toBe("it's");
    expect(parseRunFilter("params.a = ''")[0]!.value).toBe('');
  });

  it('reads numbers: negative, float, exponent', () => {
    const values = parseRunFilter('metrics.a = -3 and metrics.b > 0.25 and metrics.c < 1e-3 and metrics.d >= -2.5E2 and metrics.e != .5').map(
      (c) => c.value,
    );
    expect(values).toEqual([-3, 0.25, 0.001, -250, 0.5]);
  });

  it('accepts every metric comparator', () => {
    for (const op of ['=', '!=', '>', '>=', '<', '<=']) {
      expect(parseRunFilter(`metrics.m ${op} 1`)[0]!.comparator).toBe(op);
    }
  });

  it('accepts LIKE, ILIKE, IN and NOT IN in any case', () => {
    expect(parseRunFilter("params.p like 'a%' and tags.t iLiKe 'B_'").map((c) => c.comparator)).toEqual(['LIKE', 'ILIKE']);
    expect(parseRunFilter("run_id in ('abc') and run_id not in ('def')").map((c) => c.comparator)).toEqual(['IN', 'NOT IN']);
  });

  it('reads IN lists, drops run ids with uppercase letters, keeps dataset values as written', () => {
    expect(parseRunFilter("attributes.run_id IN ('a1b2', 'C3d4', \"e5f6\",)")).toEqual([
      { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['a1b2', 'e5f6'] },
    ]);
    expect(parseRunFilter("run_id NOT IN ('ABC')")[0]!.value).toEqual([]);
    expect(parseRunFilter("datasets.name IN ('MNIST', 'cifar')")[0]!.value).toEqual(['MNIST', 'cifar']);
    expect(parseRunFilter("datasets.context NOT IN ('eval')")[0]).toEqual({
      type: 'dataset',
      key: 'context',
      comparator: 'NOT IN',
      value: ['eval'],
    });
  });

  it('does not take a keyword after a dot for a keyword', () => {
    expect(parseRunFilter("params.in = 'x' and tags.and = 'y'").map((c) => c.key)).toEqual(['in', 'and']);
  });
});

describe('parseRunFilter: syntax errors name the position', () => {
  it('rejects a lone word as MLflow does ("Invalid clause(s)")', () => {
    expectSearchError(() => parseRunFilter('badfilter'), 9, "Invalid clause(s) in filter string: 'badfilter'.");
  });

  it('rejects OR', () => {
    expectSearchError(() => parseRunFilter("metrics.a > 1 OR params.b = 'x'"), 14, /Invalid clause\(s\) in filter string: 'OR'.*OR is not supported/);
    expectSearchError(() => parseRunFilter('metrics.a > 1 or metrics.b > 1'), 14, 'OR');
  });

  it('rejects parentheses for grouping', () => {
    expectSearchError(() => parseRunFilter('(metrics.a > 1)'), 0, /Invalid clause\(s\).*Parentheses are not supported/);
    expectSearchError(() => parseRunFilter("metrics.a > 1 AND (params.b = 'x')"), 18, 'Parentheses');
    expectSearchError(() => parseRunFilter('metrics.a > 1)'), 13, 'Parentheses');
  });

  it('rejects NOT except in NOT IN', () => {
    expectSearchError(() => parseRunFilter('NOT metrics.a > 1'), 0, /Invalid clause\(s\).*NOT is only supported as part of NOT IN/);
    expectSearchError(() => parseRunFilter("params.a NOT LIKE 'x'"), 9, 'NOT IN');
  });

  it('rejects an unterminated quote', () => {
    expectSearchError(() => parseRunFilter("params.a = 'abc"), 11, /Invalid clause\(s\).*Unterminated/);
    expectSearchError(() => parseRunFilter("tags.`abc = 'x'"), 5, 'Unterminated');
  });

  it('rejects trailing junk and a dangling AND', () => {
    expectSearchError(() => parseRunFilter('metrics.a > 1 metrics.b'), 14, "Expected AND or the end of the filter at position 14, found 'metrics'");
    expectSearchError(() => parseRunFilter('metrics.a > 1 AND'), 17, 'Expected an identifier');
    expectSearchError(() => parseRunFilter("params.a = 'x';"), 14, "Unexpected character ';'");
  });

  it('rejects a missing comparator or value', () => {
    expectSearchError(() => parseRunFilter("metrics.a 'x'"), 10, 'Expected a comparator');
    expectSearchError(() => parseRunFilter('metrics.a >'), 11, 'Expected a value');
    expectSearchError(() => parseRunFilter('metrics.a > >'), 12, 'Expected a value');
  });

  it('rejects an identifier that is not one', () => {
    expectSearchError(() => parseRunFilter("'metrics.a' > 1"), 0, 'Expected an identifier');
    expectSearchError(() => parseRunFilter('AND metrics.a > 1'), 0, 'Expected an identifier');
    expectSearchError(() => parseRunFilter('metrics. > 1'), 8, 'Expected a key');
    expectSearchError(() => parseRunFilter('tags.a. = 1'), 7, 'Expected the rest of the key');
  });

  it('rejects ill-formed lists', () => {
    expectSearchError(() => parseRunFilter('run_id IN ()'), 11, 'non-empty list');
    expectSearchError(() => parseRunFilter("run_id IN ('a' 'b')"), 15, "Expected ',' or ')'");
    expectSearchError(() => parseRunFilter("run_id IN ('a', 1)"), 16, 'quoted string value in the list');
    expectSearchError(() => parseRunFilter("run_id IN ('a'"), 14, "Expected ',' or ')'");
  });
});

describe('parseRunFilter: checks per entity name the position', () => {
  it('rejects an unknown entity with MLflow message', () => {
    expectSearchError(
      () => parseRunFilter("metrics.a > 1 and foo.bar = 'x'"),
      18,
      "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
    );
    expectSearchError(() => parseRunFilter("METRICS.a > 1"), 0, "Invalid entity type 'METRICS'");
  });

  it('rejects an unknown attribute or dataset key', () => {
    expectSearchError(() => parseRunFilter("attributes.bogus = 'x'"), 0, "Invalid attribute key 'bogus' specified");
    expectSearchError(() => parseRunFilter("lifecycle_stage = 'active'"), 0, "Invalid attribute key 'lifecycle_stage'");
    expectSearchError(() => parseRunFilter("datasets.source = 'x'"), 0, "Invalid dataset key 'source' specified");
  });

  it('rejects an unquoted string value', () => {
    expectSearchError(() => parseRunFilter('params.model = lr'), 15, "Expected a quoted string value for parameter (e.g. 'my-value'). Got value lr");
    expectSearchError(() => parseRunFilter('tags.t = 1'), 9, 'Expected a quoted string value for tag');
    expectSearchError(() => parseRunFilter('status = FINISHED'), 9, 'Expected a quoted string value for attributes');
    expectSearchError(() => parseRunFilter('datasets.name = mnist'), 16, 'Expected a quoted string value for dataset attributes');
    expectSearchError(() => parseRunFilter('params.a = params.b'), 11, 'Got value params.b');
    expectSearchError(() => parseRunFilter('params.a = `x`'), 11, 'Expected a quoted string value');
  });

  it('rejects a non-numeric value for numeric keys', () => {
    expectSearchError(() => parseRunFilter("metrics.a > '1'"), 12, "Expected numeric value type for metric. Found '1'");
    expectSearchError(() => parseRunFilter("start_time > 'yesterday'"), 13, 'Expected numeric value type for numeric attribute: start_time');
    expectSearchError(() => parseRunFilter("created > 'x'"), 10, 'numeric attribute: start_time');
  });

  it('rejects a comparator the entity does not take', () => {
    expectSearchError(() => parseRunFilter("metrics.a LIKE '1'"), 10, "Invalid comparator 'LIKE' not one of ['=', '!=', '>', '>=', '<', '<=']");
    expectSearchError(() => parseRunFilter("params.a > 'x'"), 9, "Invalid comparator '>'");
    expectSearchError(() => parseRunFilter("tags.a IN ('x')"), 7, "Invalid comparator 'IN'");
    expectSearchError(() => parseRunFilter("status IN ('x')"), 7, "Invalid comparator 'IN'");
    expectSearchError(() => parseRunFilter("start_time LIKE '1%'"), 11, "Invalid comparator 'LIKE'");
    expectSearchError(() => parseRunFilter('metrics.a == 1'), 10, "Invalid comparator '=='");
    expectSearchError(() => parseRunFilter('metrics.a <> 1'), 10, "Invalid comparator '<>'");
  });

  it('requires a list for IN and a single value otherwise', () => {
    expectSearchError(() => parseRunFilter("run_id IN 'abc'"), 10, 'Expected a list of quoted string values for IN');
    expectSearchError(() => parseRunFilter("run_id = ('abc')"), 9, 'Expected a quoted string value for attributes');
  });
});

describe('parseRunOrderBy', () => {
  it('gives no clauses for an absent or empty list', () => {
    expect(parseRunOrderBy(undefined)).toEqual([]);
    expect(parseRunOrderBy([])).toEqual([]);
  });

  it('parses entities, directions in any case, quoting and aliases', () => {
    expect(
      parseRunOrderBy(['metrics.rmse DESC', 'params.`learning rate` asc', 'tags."a b"', 'created Desc', '`Run name`', 'attr.end_time']),
    ).toEqual([
      { type: 'metric', key: 'rmse', ascending: false },
      { type: 'param', key: 'learning rate', ascending: true },
      { type: 'tag', key: 'a b', ascending: true },
      { type: 'attribute', key: 'start_time', ascending: false },
      { type: 'attribute', key: 'run_name', ascending: true },
      { type: 'attribute', key: 'end_time', ascending: true },
    ]);
  });

  it('rejects an unknown entity with MLflow message (ref §18)', () => {
    expectSearchError(
      () => parseRunOrderBy(['foo.bar']),
      0,
      "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
    );
  });

  it('rejects trailing junk, a bad direction, an empty clause', () => {
    expectSearchError(() => parseRunOrderBy(['metrics.x DESC junk']), 15, "Invalid order_by clause 'metrics.x DESC junk'. Could not be parsed.");
    expectSearchError(() => parseRunOrderBy(['metrics.x > 1']), 10, 'Invalid order_by clause');
    expectSearchError(() => parseRunOrderBy(['metrics.x UP']), 10, "Invalid ordering key in order_by clause 'metrics.x UP'");
    expectSearchError(() => parseRunOrderBy(['']), 0, "Invalid order_by clause ''");
    expectSearchError(() => parseRunOrderBy(["'metrics.x'"]), 0, 'Invalid order_by clause');
  });

  it('rejects datasets and unknown attributes', () => {
    expectSearchError(() => parseRunOrderBy(['datasets.name']), 0, "Invalid order_by entity type 'dataset'");
    expectSearchError(() => parseRunOrderBy(['start_time', 'bogus DESC']), 0, "Invalid attribute key 'bogus' specified");
  });
});
