/**
 * The model registry through the fluent API (MLflow's `mlflow.register_model`,
 * `mlflow.search_registered_models`, `mlflow.search_model_versions`), on the client of the
 * tracking URI in effect. Everything else of the registry is on {@link TrackingClient}, as
 * MLflow keeps it on `MlflowClient`.
 */
import type { RegisteredModel } from '../entities/registered-model.js';
import type { ModelVersion } from '../entities/model-version.js';
import type { RegisterModelOptions, RegistrySearchOptions } from '../client/registry.js';
import { currentClient } from './state.js';

/**
 * Registers the model at `modelUri` (`runs:/<run_id>/<path>`, `models:/…`, or a path inside
 * the artifact root) as a new version of `name`, creating the registered model if needed.
 * See `TrackingClient.registerModel` for the checks and errors.
 *
 * ```ts
 * const run = await startRun();
 * // … save the model under the run's artifacts at `model/` …
 * const v = await registerModel(`runs:/${run.info.runId}/model`, 'mnist-cnn');
 * ```
 */
export async function registerModel(modelUri: string, name: string, options: RegisterModelOptions = {}): Promise<ModelVersion> {
  return currentClient().registerModel(modelUri, name, options);
}

/**
 * Every registered model matching `filter` (`name`, `tags.<k>`; `=`, `!=`, `LIKE`, `ILIKE`),
 * in `orderBy` order (default `name ASC`), up to `maxResults` (default: all).
 */
export async function searchRegisteredModels(options: Pick<RegistrySearchOptions, 'filter' | 'orderBy' | 'maxResults'> = {}): Promise<RegisteredModel[]> {
  return currentClient().searchRegisteredModels(options);
}

/**
 * Every model version matching `filter` (`name`, `run_id`, `source_path`, `version_number`,
 * `tags.<k>`), in `orderBy` order, up to `maxResults` (default: all).
 */
export async function searchModelVersions(options: Pick<RegistrySearchOptions, 'filter' | 'orderBy' | 'maxResults'> = {}): Promise<ModelVersion[]> {
  return currentClient().searchModelVersions(options);
}
