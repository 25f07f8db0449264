import type { Comparator, Comparison, EntityType } from './ast.js';
import type { RawComparison } from './filter-syntax.js';
import type { RawIdentifier } from './identifier.js';
import type { EntityRule, KeyRule, SearchSchema } from './search-schema.js';
import { pythonList, searchError } from './search-errors.js';

/**
 * Checks a comparison as written against what a search accepts and turns it into the AST:
 * entity resolved, key canonical, value a number, a string or a list. Throws
 * INVALID_PARAMETER_VALUE in MLflow's wording, naming the position.
 */
export function checkComparison(raw: RawComparison, schema: SearchSchema): Comparison {
  const type = resolveEntity(raw.identifier, schema);
  const entity = schema.filter[type];
  if (entity === undefined) throw searchError(schema.invalidEntityMessage(raw.identifier.entity ?? type), raw.identifier.position);
  const { key, rule } = resolveKey(raw.identifier, entity);
  const comparator = rule.comparators.find((c) => c === raw.comparator);
  if (comparator === undefined) {
    throw searchError(`Invalid comparator '${raw.comparator}' not one of ${pythonList(rule.comparators)}`, raw.comparatorPosition);
  }
  return { type, key, comparator, value: checkValue(raw, type, key, comparator, rule, entity) };
}

/** The entity an identifier names (an attribute when bare); throws for an unknown prefix. */
export function resolveEntity(identifier: RawIdentifier, schema: SearchSchema): EntityType {
  if (identifier.entity === undefined) return 'attribute';
  const type = schema.prefixes.get(identifier.entity);
  if (type === undefined) throw searchError(schema.invalidEntityMessage(identifier.entity), identifier.position);
  return type;
}

function resolveKey(identifier: RawIdentifier, entity: EntityRule): { key: string; rule: KeyRule } {
  if (identifier.key === '') throw searchError(`Expected a non-empty key in '${identifier.text}'`, identifier.position);
  const rule = entity.keys ? entity.keys.get(identifier.key) : entity.anyKey;
  if (rule === undefined) {
    const valid = pythonList([...(entity.keys?.keys() ?? [])]);
    throw searchError(`Invalid ${entity.keyLabel} key '${identifier.key}' specified. Valid keys are ${valid}`, identifier.position);
  }
  return { key: rule.canonical ?? identifier.key, rule };
}

function checkValue(
  raw: RawComparison,
  type: EntityType,
  key: string,
  comparator: Comparator,
  rule: KeyRule,
  entity: EntityRule,
): Comparison['value'] {
  const v = raw.value;
  if (rule.valueType === 'number') {
    if (v.kind === 'number') return v.value;
    const what = type === 'metric' ? 'metric' : `numeric attribute: ${key}`;
    throw searchError(`Expected numeric value type for ${what}. Found ${v.text}`, v.position);
  }
  if (comparator === 'IN' || comparator === 'NOT IN') {
    if (v.kind !== 'list') {
      throw searchError(`Expected a list of quoted string values for ${comparator} (e.g. ('a', 'b')). Got value ${v.text}`, v.position);
    }
    return rule.dropUppercaseListItems ? v.items.filter((item) => !/[\p{Lu}\p{Lt}]/u.test(item)) : v.items;
  }
  if (v.kind !== 'string') {
    throw searchError(`Expected a quoted string value for ${entity.valueLabel} (e.g. 'my-value'). Got value ${v.text}`, v.position);
  }
  return v.value;
}
