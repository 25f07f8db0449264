import type { Dataset, DatasetInput } from '../entities/dataset.js';
import type { InputTag } from '../entities/tag.js';
import { MLFLOW_DATASET_CONTEXT } from '../tags.js';

/**
 * The run↔dataset edge `mlflow.log_input(dataset, context, tags)` sends: the user's tags in
 * order, then `mlflow.data.context` = `context` when there is one. `context` defaults to the
 * dataset's own `context` (set by `datasetFromArrowTable`); an explicit one replaces any
 * `mlflow.data.context` among `tags`. The dataset is copied without its `context` field.
 */
export function datasetInput(
  dataset: Dataset & { readonly context?: string },
  context?: string,
  tags: Readonly<Record<string, string>> | readonly InputTag[] = [],
): DatasetInput {
  const ctx = context ?? dataset.context;
  const userTags: InputTag[] = Array.isArray(tags)
    ? (tags as readonly InputTag[]).map((t) => ({ key: t.key, value: t.value }))
    : Object.entries(tags as Readonly<Record<string, string>>).map(([key, value]) => ({ key, value }));
  const out = ctx === undefined ? userTags : userTags.filter((t) => t.key !== MLFLOW_DATASET_CONTEXT);
  if (ctx !== undefined) out.push({ key: MLFLOW_DATASET_CONTEXT, value: ctx });

  const { context: _dropped, ...rest } = dataset;
  const plain: Dataset = rest;
  return { dataset: plain, tags: out };
}
