import type { LifecycleStage } from './enums.js';
import type { ExperimentTag } from './tag.js';

/** An experiment: a named group of runs sharing an artifact location. */
export interface Experiment {
  readonly experimentId: string;
  readonly name: string;
  readonly artifactLocation: string;
  readonly lifecycleStage: LifecycleStage;
  /** Milliseconds since the epoch. */
  readonly lastUpdateTime: number;
  /** Milliseconds since the epoch. */
  readonly creationTime: number;
  readonly tags: readonly ExperimentTag[];
}

/** MLflow's JSON for an experiment. */
export interface ExperimentJSON {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  last_update_time: number;
  creation_time: number;
  tags?: { key: string; value: string }[];
}

/** The id and name of the experiment every store creates first. */
export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';

/** Experiment → MLflow JSON (`tags` omitted when empty, as MLflow does). */
export function experimentToJSON(e: Experiment): ExperimentJSON {
  const out: ExperimentJSON = {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
  };
  if (e.tags.length > 0) out.tags = e.tags.map((t) => ({ key: t.key, value: t.value }));
  return out;
}

/** MLflow JSON → experiment. */
export function experimentFromJSON(j: ExperimentJSON): Experiment {
  return {
    experimentId: String(j.experiment_id),
    name: j.name,
    artifactLocation: j.artifact_location ?? '',
    lifecycleStage: j.lifecycle_stage ?? 'active',
    lastUpdateTime: Number(j.last_update_time ?? 0),
    creationTime: Number(j.creation_time ?? 0),
    tags: (j.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })),
  };
}

/** Type guard: looks like an {@link Experiment}. */
export function isExperiment(x: unknown): x is Experiment {
  return typeof x === 'object' && x !== null && 'experimentId' in x && 'artifactLocation' in x;
}
