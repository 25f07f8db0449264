/**
 * Errors of the scoring server, with MLflow's wording (`mlflow/pyfunc/scoring_server`). Payload
 * errors are {@link LablogError}s (MLflow's error JSON, status from the code); content-type
 * errors are plain-text 415s, as MLflow answers them.
 */
import { LablogError } from '@lablog/tracking';

/** The four input keys of MLflow's JSON scoring payload, in the order messages list them. */
export const INPUT_KEYS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/** One of {@link INPUT_KEYS}. */
export type InputKey = (typeof INPUT_KEYS)[number];

/** MLflow's `REQUIRED_INPUT_FORMAT`. */
export const REQUIRED_INPUT_FORMAT = `The input must be a JSON dictionary with exactly one of the input fields {${INPUT_KEYS.map((k) => `'${k}'`).join(', ')}}`;

/** MLflow's `SCORING_PROTOCOL_CHANGE_INFO`, appended to errors an MLflow 1.x client would cause. */
export const SCORING_PROTOCOL_CHANGE_INFO =
  "IMPORTANT: The MLflow Model scoring protocol has changed in MLflow version 2.0. If you are seeing this error, you are likely using an outdated scoring request format. To resolve the error, either update your request format or adjust your MLflow Model's requirements file to specify an older version of MLflow (for example, change the 'mlflow' requirement specifier to 'mlflow==1.30.0'). If you are making a request using the MLflow client (e.g. via `mlflow.pyfunc.spark_udf()`), upgrade your MLflow client to a version >= 2.0 in order to use the new request format. For more information about the updated MLflow Model scoring protocol in MLflow 2.0, see https://mlflow.org/docs/latest/models.html#deploy-mlflow-models.";

/** Body of the 504 sent when a request runs past the timeout (MLflow's wording). */
export const REQUEST_TIMEOUT_MESSAGE = 'Request processing time exceeded limit';

/** Message of the 500 sent for an unexpected model failure; the cause is logged, never sent. */
export const UNEXPECTED_MODEL_ERROR =
  'Encountered an unexpected error while evaluating the model. Verify that the serialized input Dataframe is compatible with the model for inference.';

/** A 415 answer: MLflow sends these as text/plain, not error JSON. */
export class UnsupportedContentType extends Error {
  readonly statusCode = 415;
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedContentType';
  }
}

/** 400 BAD_REQUEST (MLflow raises most payload errors with this code). */
export function badRequest(message: string): LablogError {
  return new LablogError(message, 'BAD_REQUEST');
}

/** MLflow's `MlflowInvalidInputException`: 400 INVALID_PARAMETER_VALUE, message prefixed "Invalid input. ". */
export function invalidInput(message: string): LablogError {
  return new LablogError(`Invalid input. ${message}`, 'INVALID_PARAMETER_VALUE');
}

/**
 * A schema-enforcement failure found while converting the payload (wrong shape, missing input,
 * uncastable value): 400 INVALID_PARAMETER_VALUE, worded as MLflow's pyfunc `predict` wraps it.
 */
export function schemaError(detail: string): LablogError {
  return new LablogError(`Failed to predict data. Error: Failed to enforce schema of data. Error: ${detail}`, 'INVALID_PARAMETER_VALUE');
}

/** Python's `repr` of a list of strings, as MLflow's messages print them: `['a', 'b']`. */
export function pyList(xs: readonly string[]): string {
  return `[${xs.map((x) => `'${x.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;
}

/** Python's repr of a shape tuple: `(-1, 4)`, `(3,)`. */
export function pyShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}
