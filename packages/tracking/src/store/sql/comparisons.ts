/**
 * SQL for single comparisons of the search AST, shared by the runs, experiments and registry
 * builders: string columns (=, !=, LIKE, ILIKE, IN, NOT IN) and numeric columns.
 */
import { invalidParameter } from '../../errors.js';
import type { Comparison } from '../../search/ast.js';
import type { SqlDialect, SqlParams } from './dialect.js';

/** `column <op> value` for a string-valued column. */
export function stringComparison(dialect: SqlDialect, params: SqlParams, column: string, c: Comparison): string {
  switch (c.comparator) {
    case '=':
    case '!=':
      return `${column} ${c.comparator} ${params.add(String(c.value))}`;
    case 'LIKE':
    case 'ILIKE': {
      const cs = c.comparator === 'LIKE';
      return dialect.like(column, params.add(dialect.likePattern(String(c.value), cs)), cs);
    }
    case 'IN':
    case 'NOT IN': {
      const list = Array.isArray(c.value) ? (c.value as readonly string[]) : [String(c.value)];
      return `${column} ${c.comparator} ${params.list(list)}`;
    }
    default:
      throw invalidParameter(`Invalid comparator '${c.comparator}' for ${c.type} '${c.key}'.`);
  }
}

/** `column <op> value` for a numeric column. */
export function numericComparison(params: SqlParams, column: string, c: Comparison): string {
  switch (c.comparator) {
    case '=':
    case '!=':
    case '>':
    case '>=':
    case '<':
    case '<=': {
      const v = typeof c.value === 'number' ? c.value : Number(c.value);
      if (typeof c.value !== 'number' && (typeof c.value !== 'string' || c.value.trim() === '' || Number.isNaN(v))) {
        throw invalidParameter(`Expected numeric value for ${c.type} '${c.key}', got '${String(c.value)}'.`);
      }
      return `${column} ${c.comparator} ${params.add(v)}`;
    }
    default:
      throw invalidParameter(`Invalid comparator '${c.comparator}' for numeric ${c.type} '${c.key}'.`);
  }
}

/** `dir` for ORDER BY. */
export function direction(ascending: boolean): 'ASC' | 'DESC' {
  return ascending ? 'ASC' : 'DESC';
}

/**
 * ORDER BY terms putting NULLs of `column` last in either direction (MLflow sorts missing values
 * last); `missing` is an extra test that sorts before the NULL test (e.g. "no such metric").
 */
export function nullsLast(column: string, ascending: boolean, missing?: string): string[] {
  const terms: string[] = [];
  if (missing) terms.push(`(${missing})`);
  terms.push(`(${column} IS NULL)`, `${column} ${direction(ascending)}`);
  return terms;
}
