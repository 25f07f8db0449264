import { pythonJsonDumps } from './python-json.js';

/** Where a dataset came from, as MLflow's `DatasetSource`: a type and its JSON description. */
export interface DatasetSource {
  /** e.g. `code`, `local`, `s3`, `http`. */
  readonly sourceType: string;
  /** JSON text of the source's `to_dict()`, e.g. `{"uri": "s3://b/k"}`. */
  readonly source: string;
}

/**
 * MLflow's `CodeDatasetSource`: data built in code, described by context tags
 * (`mlflow.source.name`, …). JSON text is `{"tags": {…}}`, as Python writes it.
 */
export function codeDatasetSource(tags: Readonly<Record<string, string>> = {}): DatasetSource {
  return { sourceType: 'code', source: pythonJsonDumps({ tags }) };
}
