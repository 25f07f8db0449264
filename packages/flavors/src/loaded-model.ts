import type { ModelInput, ModelOutput, InferenceParams } from './tensor.js';
import type { ModelSignature } from './signature.js';

/**
 * A model loaded by `loadModel(uri)`, whatever its flavor: the parsed MLmodel, its signature,
 * and `predict`. The scoring server and `lablog models predict` depend on this interface only.
 */
export interface LoadedModel {
  /** The flavor that loaded it, e.g. `onnx` or `tfjs`. */
  readonly flavor: string;
  /** The MLmodel file's content, as parsed (unknown keys kept). */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The signature from MLmodel, or null when the model was logged without one. */
  readonly signature: ModelSignature | null;
  /**
   * Runs the model. Inputs are checked against the signature first (missing input, wrong dtype
   * or shape → a LablogError INVALID_PARAMETER_VALUE naming the input; safe casts such as
   * float64 → float32 are applied as MLflow does).
   */
  predict(input: ModelInput, params?: InferenceParams): Promise<ModelOutput>;
  /** Frees native resources (sessions, tensors). */
  dispose(): Promise<void>;
}
