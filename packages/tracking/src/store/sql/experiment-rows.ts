/** Rows → {@link Experiment} entities for the SQL stores (same columns in both schemas). */
import type { Experiment } from '../../entities/experiment.js';
import type { ExperimentTag } from '../../entities/tag.js';
import type { LifecycleStage } from '../../entities/enums.js';

/** A row of `experiments`. */
export interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  creation_time: number;
  last_update_time: number;
}

/** The columns of {@link ExperimentRow}. */
export const EXPERIMENT_COLUMNS = 'experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time';

/** A row of `experiment_tags`. */
export interface ExperimentTagRow {
  experiment_id: number;
  key: string;
  value: string;
}

/** The experiments of `ids` with their tags, in that order (ids without a row skipped). */
export function assembleExperiments(ids: readonly number[], rows: readonly ExperimentRow[], tags: readonly ExperimentTagRow[]): Experiment[] {
  const byId = new Map<number, Experiment & { tags: ExperimentTag[] }>();
  for (const r of rows) {
    byId.set(r.experiment_id, {
      experimentId: String(r.experiment_id),
      name: r.name,
      artifactLocation: r.artifact_location,
      lifecycleStage: r.lifecycle_stage,
      lastUpdateTime: r.last_update_time,
      creationTime: r.creation_time,
      tags: [],
    });
  }
  for (const t of tags) byId.get(t.experiment_id)?.tags.push({ key: t.key, value: t.value });
  return ids.map((id) => byId.get(id)).filter((e): e is Experiment & { tags: ExperimentTag[] } => e !== undefined);
}
