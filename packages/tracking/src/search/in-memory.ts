/**
 * Filtering and sorting of entities held in memory (the file store), for any entity, given a
 * reader that says what an entity holds under an (entity type, key).
 */
import type { Comparison, EntityType, OrderByClause } from './ast.js';
import { likeToRegExp } from './like.js';

/** One value an entity holds under a key; bigint for integer ids compared as numbers. */
export type FieldValue = string | number | bigint;

/**
 * What `item` holds under (`type`, `key`): none when it lacks the key, one value usually, several
 * when the entity has many (a run's dataset inputs). Keys are the AST's canonical keys.
 */
export type FieldReader<T> = (item: T, type: EntityType, key: string) => readonly FieldValue[];

/**
 * The items matching every comparison (ref §3.1): a comparison matches when one of the values
 * read matches it, so an item lacking the key never matches, even for `!=` or `NOT IN`.
 */
export function filterByComparisons<T>(items: readonly T[], comparisons: readonly Comparison[], read: FieldReader<T>): T[] {
  const tests = comparisons.map((c) => ({ c, matches: valueMatcher(c) }));
  return items.filter((item) => tests.every(({ c, matches }) => read(item, c.type, c.key).some(matches)));
}

/** A test of one value against a comparison (LIKE patterns compiled once). */
export function valueMatcher(c: Comparison): (v: FieldValue) => boolean {
  const target = c.value;
  switch (c.comparator) {
    case 'LIKE':
    case 'ILIKE': {
      const re = likeToRegExp(String(target), c.comparator === 'ILIKE');
      return (v) => typeof v === 'string' && re.test(v);
    }
    case 'IN':
    case 'NOT IN': {
      const set = new Set<FieldValue>(Array.isArray(target) ? target : [String(target)]);
      const wanted = c.comparator === 'IN';
      return (v) => set.has(v) === wanted;
    }
    case '=':
      return (v) => v === target;
    case '!=':
      return (v) => v !== target;
    case '>':
      return (v) => typeof v !== 'string' && typeof target === 'number' && v > target;
    case '>=':
      return (v) => typeof v !== 'string' && typeof target === 'number' && v >= target;
    case '<':
      return (v) => typeof v !== 'string' && typeof target === 'number' && v < target;
    case '<=':
      return (v) => typeof v !== 'string' && typeof target === 'number' && v <= target;
  }
}

/**
 * The items sorted by the clauses, lexicographically and stably. Per clause, an item lacking the
 * key sorts last and NaN after every number but before missing values, in either direction
 * (MLflow's `_get_value_for_sort`).
 */
export function sortByClauses<T>(items: readonly T[], clauses: readonly OrderByClause[], read: FieldReader<T>): T[] {
  const keyed = items.map((item, index) => ({ item, index, keys: clauses.map((c) => read(item, c.type, c.key)[0]) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < clauses.length; i++) {
      const order = compareForSort(a.keys[i], b.keys[i], clauses[i]!.ascending);
      if (order !== 0) return order;
    }
    return a.index - b.index;
  });
  return keyed.map((k) => k.item);
}

/** 0 for a value, 1 for NaN, 2 for a missing value: ranks that never flip with the direction. */
function rank(v: FieldValue | undefined): number {
  if (v === undefined) return 2;
  return typeof v === 'number' && Number.isNaN(v) ? 1 : 0;
}

/** Compares two sort values for one clause. */
export function compareForSort(a: FieldValue | undefined, b: FieldValue | undefined, ascending: boolean): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra !== 0) return 0;
  const order = compareValues(a!, b!);
  return ascending ? order : -order;
}

/** Numbers (and bigints) before strings; strings by UTF-16 code units. */
function compareValues(a: FieldValue, b: FieldValue): number {
  const aString = typeof a === 'string';
  const bString = typeof b === 'string';
  if (aString !== bString) return aString ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
