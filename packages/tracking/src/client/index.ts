/** The explicit tracking client (MLflow's `MlflowClient`), split by resource. */
export { TrackingClient } from './tracking-client.js';
export { ClientBase, tagList } from './client-base.js';
export type { TagsInput } from './client-base.js';
export { ExperimentsClient } from './experiments.js';
export type { SearchExperimentsOptions } from './experiments.js';
export { RunsClient } from './runs.js';
export type { CreateRunOptions, UpdateRunOptions, ClientLogMetricOptions } from './runs.js';
export { MetricsClient } from './metrics.js';
export { SearchClient } from './search.js';
export type { SearchRunsOptions } from './search.js';
export { ArtifactsClient } from './artifacts.js';
export { RegistryClient } from './registry.js';
export type {
  ModelVersionNumber,
  CreateRegisteredModelOptions,
  RegistrySearchOptions,
  CreateModelVersionOptions,
  TransitionModelVersionStageOptions,
  RegisterModelOptions,
} from './registry.js';
