import type { Table } from 'apache-arrow';
import type { Dataset } from '../entities/dataset.js';
import { colSpecsFromArrowSchema } from './arrow-colspec.js';
import { computeArrowTableDigest } from './arrow-table-digest.js';
import { codeDatasetSource, type DatasetSource } from './dataset-source.js';
import { pythonJsonDumps } from './python-json.js';

/** MLflow's name for a dataset logged without one. */
export const DEFAULT_DATASET_NAME = 'dataset';

/** Options of {@link datasetFromArrowTable}. */
export interface DatasetFromArrowTableOptions {
  /** Defaults to {@link DEFAULT_DATASET_NAME}. */
  readonly name?: string;
  /** Defaults to a code source with no tags: `{sourceType: "code", source: '{"tags": {}}'}`. */
  readonly source?: DatasetSource;
  /** A digest to use instead of the computed one. */
  readonly digest?: string;
  /** How the dataset is used (`training`, `eval`…); carried for {@link datasetInput}. */
  readonly context?: string;
}

/** A dataset built from a table, remembering the context it was built for. */
export interface ArrowTableDataset extends Dataset {
  /** The `context` option, if given; {@link datasetInput} turns it into the `mlflow.data.context` tag. */
  readonly context?: string;
}

/**
 * Describes an Arrow table as MLflow describes a pandas DataFrame passed to
 * `mlflow.data.from_pandas`:
 * - `digest`: {@link computeArrowTableDigest} (8 hex characters);
 * - `schema`: `{"mlflow_colspec": [{"type": …, "name": …, "required": …}, …]}` with types from
 *   {@link colSpecTypeOf} and `required` = the field is not nullable; left out when a column has
 *   no ColSpec type, as MLflow does when inference fails. Note that `tableFromArrays` marks
 *   columns built from plain JS arrays nullable, so they come out `"required": false`;
 * - `profile`: `{"num_rows": N, "num_elements": N × columns}`.
 *
 * JSON texts are written as Python's `json.dumps` writes them.
 */
export function datasetFromArrowTable(table: Table, opts: DatasetFromArrowTableOptions = {}): ArrowTableDataset {
  const source = opts.source ?? codeDatasetSource();
  const colSpecs = colSpecsFromArrowSchema(table.schema);
  const numColumns = table.schema.fields.length;
  const dataset: { -readonly [K in keyof ArrowTableDataset]: ArrowTableDataset[K] } = {
    name: opts.name ?? DEFAULT_DATASET_NAME,
    digest: opts.digest ?? computeArrowTableDigest(table),
    sourceType: source.sourceType,
    source: source.source,
    profile: pythonJsonDumps({ num_rows: table.numRows, num_elements: table.numRows * numColumns }),
  };
  if (colSpecs !== null) {
    dataset.schema = pythonJsonDumps({
      mlflow_colspec: colSpecs.map((s) => ({ type: s.type, name: s.name, required: s.required })),
    });
  }
  if (opts.context !== undefined) dataset.context = opts.context;
  return dataset;
}
