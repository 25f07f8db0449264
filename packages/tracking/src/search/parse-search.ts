import type { Comparison, OrderByClause } from './ast.js';
import { checkComparison } from './check-comparison.js';
import { checkOrderBy } from './check-order-by.js';
import { parseFilterSyntax } from './filter-syntax.js';
import { parseOrderBySyntax } from './order-by-syntax.js';
import type { SearchSchema } from './search-schema.js';

/** Parses and checks a filter for one kind of search; empty or blank → no comparisons. */
export function parseFilterFor(schema: SearchSchema, filter: string | null | undefined): Comparison[] {
  if (filter === undefined || filter === null || filter.trim() === '') return [];
  return parseFilterSyntax(filter).map((raw) => checkComparison(raw, schema));
}

/** Parses and checks order_by clauses for one kind of search; absent → none. */
export function parseOrderByFor(schema: SearchSchema, orderBy: readonly string[] | null | undefined): OrderByClause[] {
  return (orderBy ?? []).map((clause) => checkOrderBy(parseOrderBySyntax(clause), schema));
}
