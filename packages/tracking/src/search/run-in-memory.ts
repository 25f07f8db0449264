/** Runs search over runs held in memory (the file store), with MLflow's file-store semantics. */
import type { Run } from '../entities/run.js';
import type { Comparison, EntityType, OrderByClause } from './ast.js';
import { fullRunOrder } from './default-order.js';
import { lastWithKey, present } from './field-values.js';
import { filterByComparisons, sortByClauses, type FieldValue } from './in-memory.js';

/** The input tag holding a dataset input's context (`training`, `eval`…). */
const DATASET_CONTEXT_TAG = 'mlflow.data.context';

/**
 * The runs matching every comparison (from {@link parseRunFilter}). Metrics compare against the
 * latest value; a run lacking the key never matches; datasets match when any input matches,
 * `context` being the input's `mlflow.data.context` tag.
 */
export function filterRuns(runs: readonly Run[], comparisons: readonly Comparison[]): Run[] {
  return filterByComparisons(runs, comparisons, readRunField);
}

/**
 * The runs in MLflow's order: by each clause (from {@link parseRunOrderBy}), then
 * `start_time DESC, run_id ASC`. Missing values last, NaN after numbers, in either direction.
 */
export function sortRuns(runs: readonly Run[], clauses: readonly OrderByClause[]): Run[] {
  return sortByClauses(runs, fullRunOrder(clauses), readRunField);
}

/** What a run holds under an (entity, canonical key). */
export function readRunField(run: Run, type: EntityType, key: string): readonly FieldValue[] {
  switch (type) {
    case 'metric':
      return present(lastWithKey(run.data.metrics, key)?.value);
    case 'param':
      return present(lastWithKey(run.data.params, key)?.value);
    case 'tag':
      return present(lastWithKey(run.data.tags, key)?.value);
    case 'attribute':
      return present(runAttribute(run, key));
    case 'dataset':
      return run.inputs.datasetInputs.flatMap((input) => {
        if (key === 'context') return input.tags.filter((t) => t.key === DATASET_CONTEXT_TAG).map((t) => t.value);
        if (key === 'name') return [input.dataset.name];
        if (key === 'digest') return [input.dataset.digest];
        return [];
      });
  }
}

function runAttribute(run: Run, key: string): FieldValue | undefined {
  const info = run.info;
  switch (key) {
    case 'run_id':
      return info.runId;
    case 'run_name':
      return info.runName;
    case 'status':
      return info.status;
    case 'user_id':
      return info.userId;
    case 'artifact_uri':
      return info.artifactUri;
    case 'start_time':
      return info.startTime;
    case 'end_time':
      return info.endTime ?? undefined;
    default:
      return undefined;
  }
}
