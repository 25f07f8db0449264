/** Registered models search over models held in memory (the file store). */
import type { RegisteredModel } from '../entities/registered-model.js';
import type { Comparison, EntityType, OrderByClause } from './ast.js';
import { fullRegisteredModelOrder } from './default-order.js';
import { filterByComparisons, sortByClauses, type FieldValue } from './in-memory.js';
import { present, tagValue } from './field-values.js';

/** The registered models matching every comparison (from {@link parseRegisteredModelFilter}). */
export function filterRegisteredModels(models: readonly RegisteredModel[], comparisons: readonly Comparison[]): RegisteredModel[] {
  return filterByComparisons(models, comparisons, readRegisteredModelField);
}

/** The registered models in MLflow's order (see {@link fullRegisteredModelOrder}). */
export function sortRegisteredModels(models: readonly RegisteredModel[], clauses: readonly OrderByClause[]): RegisteredModel[] {
  return sortByClauses(models, fullRegisteredModelOrder(clauses), readRegisteredModelField);
}

/** What a registered model holds under an (entity, key). */
export function readRegisteredModelField(m: RegisteredModel, type: EntityType, key: string): readonly FieldValue[] {
  if (type === 'tag') return tagValue(m.tags, key);
  if (type !== 'attribute') return [];
  switch (key) {
    case 'name':
      return [m.name];
    case 'creation_timestamp':
      return present(m.creationTimestamp);
    case 'last_updated_timestamp':
      return present(m.lastUpdatedTimestamp);
    default:
      return [];
  }
}
