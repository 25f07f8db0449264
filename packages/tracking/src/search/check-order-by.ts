import type { OrderByClause } from './ast.js';
import { resolveEntity } from './check-comparison.js';
import type { RawOrderBy } from './order-by-syntax.js';
import type { SearchSchema } from './search-schema.js';
import { pythonList, searchError } from './search-errors.js';

/**
 * Checks an order_by clause as written against what a search may sort by and turns it into the
 * AST (attribute aliases resolved). Throws INVALID_PARAMETER_VALUE in MLflow's wording, naming
 * the position in the clause.
 */
export function checkOrderBy(raw: RawOrderBy, schema: SearchSchema): OrderByClause {
  const { identifier, ascending } = raw;
  const type = resolveEntity(identifier, schema);
  if (!schema.orderByEntities.includes(type)) {
    throw searchError(`Invalid order_by entity type '${type}'`, identifier.position);
  }
  if (identifier.key === '') throw searchError(`Expected a non-empty key in '${identifier.text}'`, identifier.position);
  if (type !== 'attribute') return { type, key: identifier.key, ascending };
  const key = schema.orderByAttributes.get(identifier.key);
  if (key === undefined) {
    const valid = pythonList([...schema.orderByAttributes.keys()]);
    throw searchError(`Invalid attribute key '${identifier.key}' specified. Valid keys are ${valid}`, identifier.position);
  }
  return { type, key, ascending };
}
