/**
 * Request messages of the model registry endpoints (ref §6.2; `model_registry.proto`).
 *
 * `version` is a proto string; it is also accepted as a JSON integer (as `experiment_id` is),
 * since non-Python clients often send `"version": 1`. Names, aliases, tags and version numbers
 * are checked by the store with MLflow's messages (`validateRegisteredModelName`, …).
 */
import { w, type Field, type Infer } from './wire-schema.js';

/** A version number: a string, or a JSON integer turned into one. */
const version = (): Field<string> => w.experimentId();

const tag = w.message({ key: w.string(), value: w.string() }, ['key']);

/** Search: `filter`, `max_results`, `order_by` (repeated), `page_token`. */
const searchFields = { filter: w.string(), max_results: w.int64(), order_by: w.array(w.string()), page_token: w.string() };

// ---- registered models ---------------------------------------------------------------------

/** POST registered-models/create. */
export const createRegisteredModel = w.message(
  { name: w.string(), tags: w.array(tag), description: w.string(), deployment_job_id: w.string() },
  ['name'],
);
/** GET registered-models/get; DELETE registered-models/delete. */
export const registeredModelName = w.message({ name: w.string() }, ['name']);
/** POST registered-models/rename. */
export const renameRegisteredModel = w.message({ name: w.string(), new_name: w.string() }, ['name', 'new_name']);
/** PATCH registered-models/update. */
export const updateRegisteredModel = w.message({ name: w.string(), description: w.string(), deployment_job_id: w.string() }, ['name']);
/** GET registered-models/search. */
export const searchRegisteredModels = w.message(searchFields);
/** POST or GET registered-models/get-latest-versions. */
export const getLatestVersions = w.message({ name: w.string(), stages: w.array(w.string()) }, ['name']);
/** POST registered-models/set-tag. */
export const setRegisteredModelTag = w.message({ name: w.string(), key: w.string(), value: w.string() }, ['name', 'key']);
/** DELETE registered-models/delete-tag. */
export const deleteRegisteredModelTag = w.message({ name: w.string(), key: w.string() }, ['name', 'key']);
/** POST registered-models/alias. */
export const setAlias = w.message({ name: w.string(), alias: w.string(), version: version() }, ['name', 'alias', 'version']);
/** DELETE and GET registered-models/alias. */
export const aliasRef = w.message({ name: w.string(), alias: w.string() }, ['name', 'alias']);

// ---- model versions ------------------------------------------------------------------------

/** POST model-versions/create. `model_id` (MLflow 3 LoggedModels) is read but not supported. */
export const createModelVersion = w.message(
  {
    name: w.string(),
    source: w.string(),
    run_id: w.string(),
    tags: w.array(tag),
    run_link: w.string(),
    description: w.string(),
    model_id: w.string(),
  },
  ['name', 'source'],
);
/** GET model-versions/get, get-download-uri; DELETE model-versions/delete. */
export const modelVersionRef = w.message({ name: w.string(), version: version() }, ['name', 'version']);
/** PATCH model-versions/update. */
export const updateModelVersion = w.message({ name: w.string(), version: version(), description: w.string() }, ['name', 'version']);
/** GET model-versions/search. */
export const searchModelVersions = w.message(searchFields);
/** POST model-versions/transition-stage. */
export const transitionStage = w.message(
  { name: w.string(), version: version(), stage: w.string(), archive_existing_versions: w.bool() },
  ['name', 'version', 'stage'],
);
/** POST model-versions/set-tag. */
export const setModelVersionTag = w.message(
  { name: w.string(), version: version(), key: w.string(), value: w.string() },
  ['name', 'version', 'key'],
);
/** DELETE model-versions/delete-tag. */
export const deleteModelVersionTag = w.message({ name: w.string(), version: version(), key: w.string() }, ['name', 'version', 'key']);
/** GET /model-versions/get-artifact (outside /api; ref §4.2). `path` is checked by `validateArtifactPath`. */
export const getModelVersionArtifact = w.message({ name: w.string(), version: version(), path: w.string() }, ['name', 'version', 'path']);

export type CreateRegisteredModel = Infer<typeof createRegisteredModel>;
export type RegisteredModelName = Infer<typeof registeredModelName>;
export type RenameRegisteredModel = Infer<typeof renameRegisteredModel>;
export type UpdateRegisteredModel = Infer<typeof updateRegisteredModel>;
export type SearchRegistry = Infer<typeof searchRegisteredModels>;
export type GetLatestVersions = Infer<typeof getLatestVersions>;
export type SetRegisteredModelTag = Infer<typeof setRegisteredModelTag>;
export type DeleteRegisteredModelTag = Infer<typeof deleteRegisteredModelTag>;
export type SetAlias = Infer<typeof setAlias>;
export type AliasRef = Infer<typeof aliasRef>;
export type CreateModelVersion = Infer<typeof createModelVersion>;
export type ModelVersionRef = Infer<typeof modelVersionRef>;
export type UpdateModelVersion = Infer<typeof updateModelVersion>;
export type TransitionStage = Infer<typeof transitionStage>;
export type SetModelVersionTag = Infer<typeof setModelVersionTag>;
export type DeleteModelVersionTag = Infer<typeof deleteModelVersionTag>;
export type GetModelVersionArtifact = Infer<typeof getModelVersionArtifact>;
