/**
 * `loadModel(uri)`: any model URI (see {@link downloadModel}) → a {@link LoadedModel} whose
 * `predict` takes and returns framework-neutral tensors, whatever the flavor.
 */
import { invalidParameter } from '@lablog/tracking';
import type { LoadedModel } from './loaded-model.js';
import { readMlmodel } from './mlmodel.js';
import { downloadModel } from './model-uri.js';
import { loadOnnxFlavor } from './onnx/onnx-load.js';
import { ONNX_FLAVOR } from './onnx/onnx-save.js';
import { loadTfjsFlavor, TFJS_FLAVOR } from './tfjs/tfjs-flavor.js';

/** Flavors `loadModel` can load, in the order it prefers them. */
export const LOADABLE_FLAVORS: readonly string[] = [ONNX_FLAVOR, TFJS_FLAVOR];

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** Tracking URI for `runs:/` and `models:/` URIs (default: the current one). */
  trackingUri?: string;
  /** Execution providers for onnx models, overriding the flavor's (MLflow names). */
  providers?: readonly string[];
  /** The flavor to load (default: the first of {@link LOADABLE_FLAVORS} the model has). */
  flavor?: string;
}

/**
 * Loads a model: `runs:/<run_id>/<path>`, `models:/<name>/<version>`, `models:/<name>/<stage>`,
 * `models:/<name>/latest`, `models:/<name>@<alias>`, `file://…` or a local path. Remote models
 * are downloaded to a temporary directory, removed once the model is in memory.
 * @throws LablogError INVALID_PARAMETER_VALUE for a bad URI or a model without a loadable
 *   flavor; RESOURCE_DOES_NOT_EXIST when the run, version or files are missing.
 */
export async function loadModel(uri: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const local = await downloadModel(uri, options.trackingUri !== undefined ? { trackingUri: options.trackingUri } : {});
  try {
    const mlmodel = await readMlmodel(local.path);
    const flavors = Object.keys(mlmodel.flavors);
    const flavor = options.flavor ?? LOADABLE_FLAVORS.find((f) => flavors.includes(f));
    if (flavor === undefined || !flavors.includes(flavor) || !LOADABLE_FLAVORS.includes(flavor)) {
      throw invalidParameter(
        `Model at '${uri}' has no flavor lablog can load${options.flavor ? ` named '${options.flavor}'` : ''} (it has: ${flavors.join(', ') || 'none'}; lablog loads ${LOADABLE_FLAVORS.join(', ')}).`,
      );
    }
    if (flavor === ONNX_FLAVOR) return await loadOnnxFlavor(local.path, mlmodel, options.providers !== undefined ? { providers: options.providers } : {});
    return await loadTfjsFlavor(local.path, mlmodel);
  } finally {
    await local.cleanup();
  }
}
