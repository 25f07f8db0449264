/**
 * Python `json.dumps` output, shared with `@lablog/tracking` (which writes the
 * `mlflow.log-model.history` tag in the same format); see packages/tracking/src/py-json.ts.
 */
export { PyFloat, pyJsonDumps, pythonFloatRepr, pythonJsonString, type PyJsonValue } from '@lablog/tracking';
