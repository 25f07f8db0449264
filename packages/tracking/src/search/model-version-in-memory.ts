/** Model versions search over versions held in memory (the file store). */
import type { ModelVersion } from '../entities/model-version.js';
import type { Comparison, EntityType, OrderByClause } from './ast.js';
import { fullModelVersionOrder } from './default-order.js';
import { filterByComparisons, sortByClauses, type FieldValue } from './in-memory.js';
import { present, tagValue } from './field-values.js';

/**
 * The model versions matching every comparison (from {@link parseModelVersionFilter}):
 * `source_path` tests `source`, `version_number` the version as a number; a version without a
 * run id never matches a `run_id` comparison.
 */
export function filterModelVersions(versions: readonly ModelVersion[], comparisons: readonly Comparison[]): ModelVersion[] {
  return filterByComparisons(versions, comparisons, readModelVersionField);
}

/** The model versions in MLflow's order (see {@link fullModelVersionOrder}). */
export function sortModelVersions(versions: readonly ModelVersion[], clauses: readonly OrderByClause[]): ModelVersion[] {
  return sortByClauses(versions, fullModelVersionOrder(clauses), readModelVersionField);
}

/** What a model version holds under an (entity, key). */
export function readModelVersionField(v: ModelVersion, type: EntityType, key: string): readonly FieldValue[] {
  if (type === 'tag') return tagValue(v.tags, key);
  if (type !== 'attribute') return [];
  switch (key) {
    case 'name':
      return [v.name];
    case 'run_id':
      return present(v.runId);
    case 'source_path':
      return [v.source];
    case 'version_number':
      return [Number(v.version)];
    case 'creation_timestamp':
      return present(v.creationTimestamp);
    case 'last_updated_timestamp':
      return present(v.lastUpdatedTimestamp);
    default:
      return [];
  }
}
