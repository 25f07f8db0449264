/** Experiments search over experiments held in memory (the file store). */
import type { Experiment } from '../entities/experiment.js';
import type { Comparison, EntityType, OrderByClause } from './ast.js';
import { fullExperimentOrder } from './default-order.js';
import { filterByComparisons, sortByClauses, type FieldValue } from './in-memory.js';
import { present, tagValue } from './field-values.js';

/** The experiments matching every comparison (from {@link parseExperimentFilter}). */
export function filterExperiments(experiments: readonly Experiment[], comparisons: readonly Comparison[]): Experiment[] {
  return filterByComparisons(experiments, comparisons, readExperimentField);
}

/**
 * The experiments in MLflow's order (see {@link fullExperimentOrder}). Experiment ids made of
 * digits compare as integers (as in MLflow's SQL stores), others as strings after them.
 */
export function sortExperiments(experiments: readonly Experiment[], clauses: readonly OrderByClause[]): Experiment[] {
  return sortByClauses(experiments, fullExperimentOrder(clauses), readExperimentField);
}

/** What an experiment holds under an (entity, key). */
export function readExperimentField(e: Experiment, type: EntityType, key: string): readonly FieldValue[] {
  if (type === 'tag') return tagValue(e.tags, key);
  if (type !== 'attribute') return [];
  switch (key) {
    case 'name':
      return [e.name];
    case 'experiment_id':
      return [/^\d+$/.test(e.experimentId) ? BigInt(e.experimentId) : e.experimentId];
    case 'creation_time':
      return present(e.creationTime);
    case 'last_update_time':
      return present(e.lastUpdateTime);
    default:
      return [];
  }
}
