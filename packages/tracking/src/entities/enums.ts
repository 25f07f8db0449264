/**
 * MLflow's enums, as the string names the REST API uses on the wire, plus the
 * numbers MLflow's protos (and the file store's `meta.yaml`) use.
 */

/** The state of a run. */
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

/** Every run status, in proto number order. */
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

/** Proto numbers of {@link RunStatus} (RUNNING=1 … KILLED=5). */
export const RUN_STATUS_NUMBERS: Readonly<Record<RunStatus, number>> = {
  RUNNING: 1,
  SCHEDULED: 2,
  FINISHED: 3,
  FAILED: 4,
  KILLED: 5,
};

/** True for statuses a run never leaves on its own: FINISHED, FAILED, KILLED. */
export function isTerminated(status: RunStatus): boolean {
  return status === 'FINISHED' || status === 'FAILED' || status === 'KILLED';
}

/** Type guard for {@link RunStatus}. */
export function isRunStatus(x: unknown): x is RunStatus {
  return typeof x === 'string' && (RUN_STATUSES as readonly string[]).includes(x);
}

/** Reads a run status from its name or proto number; undefined when neither. */
export function runStatusFrom(x: unknown): RunStatus | undefined {
  if (isRunStatus(x)) return x;
  if (typeof x === 'number' || (typeof x === 'string' && /^\d+$/.test(x))) {
    return RUN_STATUSES[Number(x) - 1];
  }
  return undefined;
}

/** Which lifecycle stages a search returns. */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/** Every view type, in proto number order (ACTIVE_ONLY=1). */
export const VIEW_TYPES: readonly ViewType[] = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'];

/** Reads a view type from its name or proto number; undefined when neither. */
export function viewTypeFrom(x: unknown): ViewType | undefined {
  if (typeof x === 'string' && (VIEW_TYPES as readonly string[]).includes(x)) return x as ViewType;
  if (typeof x === 'number' || (typeof x === 'string' && /^\d+$/.test(x))) return VIEW_TYPES[Number(x) - 1];
  return undefined;
}

/** Where a run's code came from. */
export type SourceType = 'NOTEBOOK' | 'JOB' | 'PROJECT' | 'LOCAL' | 'UNKNOWN';

/** Proto numbers of {@link SourceType}. */
export const SOURCE_TYPE_NUMBERS: Readonly<Record<SourceType, number>> = {
  NOTEBOOK: 1,
  JOB: 2,
  PROJECT: 3,
  LOCAL: 4,
  UNKNOWN: 1000,
};

/** Soft-delete state of experiments and runs. */
export type LifecycleStage = 'active' | 'deleted';

/** Registry stages (deprecated by MLflow in favour of aliases, still supported). */
export type ModelStage = 'None' | 'Staging' | 'Production' | 'Archived';

/** Every model stage, canonical spelling. */
export const MODEL_STAGES: readonly ModelStage[] = ['None', 'Staging', 'Production', 'Archived'];

/** Canonicalises a stage name case-insensitively; undefined when it is not a stage. */
export function modelStageFrom(x: unknown): ModelStage | undefined {
  if (typeof x !== 'string') return undefined;
  const lower = x.toLowerCase();
  return MODEL_STAGES.find((s) => s.toLowerCase() === lower);
}

/** Registration state of a model version; lablog's stores always answer READY. */
export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';
