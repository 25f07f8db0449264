import { describe, expect, it } from 'vitest';
import type { Comparison, OrderByClause } from './ast.js';
import { compareForSort, filterByComparisons, sortByClauses, valueMatcher, type FieldReader } from './in-memory.js';

const c = (comparator: Comparison['comparator'], value: Comparison['value']): Comparison => ({ type: 'attribute', key: 'k', comparator, value });

describe('valueMatcher', () => {
  it('compares numbers with each numeric comparator, NaN matching only !=', () => {
    const at = (v: number) => ['=', '!=', '>', '>=', '<', '<='].map((op) => valueMatcher(c(op as Comparison['comparator'], 2))(v));
    expect(at(1)).toEqual([false, true, false, false, true, true]);
    expect(at(2)).toEqual([true, false, false, true, false, true]);
    expect(at(3)).toEqual([false, true, true, true, false, false]);
    expect(at(Number.NaN)).toEqual([false, true, false, false, false, false]);
  });

  it('compares strings exactly for = and !=, never with order comparators', () => {
    expect(valueMatcher(c('=', 'a'))('a')).toBe(true);
    expect(valueMatcher(c('=', 'a'))('A')).toBe(false);
    expect(valueMatcher(c('!=', 'a'))('A')).toBe(true);
    expect(valueMatcher(c('>', 1))('2')).toBe(false);
  });

  it('tests membership for IN and NOT IN', () => {
    expect(valueMatcher(c('IN', ['a', 'b']))('b')).toBe(true);
    expect(valueMatcher(c('IN', ['a', 'b']))('c')).toBe(false);
    expect(valueMatcher(c('NOT IN', ['a', 'b']))('c')).toBe(true);
    expect(valueMatcher(c('NOT IN', ['a', 'b']))('a')).toBe(false);
    expect(valueMatcher(c('IN', []))('a')).toBe(false);
  });

  it('applies LIKE to strings only', () => {
    expect(valueMatcher(c('LIKE', '1%'))('12')).toBe(true);
    expect(valueMatcher(c('LIKE', '1%'))(12)).toBe(false);
    expect(valueMatcher(c('ILIKE', 'a%'))('ABC')).toBe(true);
  });
});

type Item = { id: string; v?: number | string };
const read: FieldReader<Item> = (item) => (item.v === undefined ? [] : [item.v]);
const ids = (items: Item[]) => items.map((i) => i.id);

describe('filterByComparisons', () => {
  it('never matches an item lacking the key, even for != and NOT IN', () => {
    const items: Item[] = [{ id: 'a', v: 'x' }, { id: 'b' }, { id: 'c', v: 'y' }];
    expect(ids(filterByComparisons(items, [c('!=', 'x')], read))).toEqual(['c']);
    expect(ids(filterByComparisons(items, [c('NOT IN', ['x'])], read))).toEqual(['c']);
  });

  it('requires every comparison and keeps the input order', () => {
    const items: Item[] = [{ id: 'a', v: 5 }, { id: 'b', v: 1 }, { id: 'c', v: 3 }];
    expect(ids(filterByComparisons(items, [c('>', 1), c('<=', 5)], read))).toEqual(['a', 'c']);
    expect(ids(filterByComparisons(items, [], read))).toEqual(['a', 'b', 'c']);
  });
});

describe('sortByClauses', () => {
  const asc: OrderByClause = { type: 'attribute', key: 'k', ascending: true };
  const desc: OrderByClause = { ...asc, ascending: false };
  const items: Item[] = [
    { id: 'none1' },
    { id: 'nan1', v: Number.NaN },
    { id: 'two', v: 2 },
    { id: 'none2' },
    { id: 'one', v: 1 },
    { id: 'nan2', v: Number.NaN },
    { id: 'three', v: 3 },
  ];

  it('puts NaN after numbers and missing values last, keeping input order among them, ascending', () => {
    expect(ids(sortByClauses(items, [asc], read))).toEqual(['one', 'two', 'three', 'nan1', 'nan2', 'none1', 'none2']);
  });

  it('does the same descending', () => {
    expect(ids(sortByClauses(items, [desc], read))).toEqual(['three', 'two', 'one', 'nan1', 'nan2', 'none1', 'none2']);
  });

  it('is stable for equal keys', () => {
    const same: Item[] = ['d', 'a', 'c', 'b'].map((id) => ({ id, v: 1 }));
    expect(ids(sortByClauses(same, [desc], read))).toEqual(['d', 'a', 'c', 'b']);
  });

  it('does not change its input', () => {
    const copy = [...items];
    sortByClauses(items, [asc], read);
    expect(items).toEqual(copy);
  });
});

describe('compareForSort', () => {
  it('orders numbers and bigints before strings, strings by code unit', () => {
    expect(compareForSort(10n, 9n, true)).toBeGreaterThan(0);
    expect(compareForSort(123456789012345678n, 123456789012345679n, true)).toBeLessThan(0);
    expect(compareForSort(1n, 'a', true)).toBeLessThan(0);
    expect(compareForSort('B', 'a', true)).toBeLessThan(0);
    expect(compareForSort('b', 'a', false)).toBeLessThan(0);
    expect(compareForSort(undefined, 'a', false)).toBeGreaterThan(0);
  });
});
