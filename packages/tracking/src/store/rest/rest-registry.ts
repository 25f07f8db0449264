/**
 * The model registry over MLflow's REST API (ref §6.2), one function per endpoint, as MLflow's
 * `RestStore` for the registry (mlflow/store/model_registry/rest_store.py): DELETE requests
 * carry JSON bodies, searches are GETs with the message in the query string.
 */
import type { ModelVersion, ModelVersionJSON } from '../../entities/model-version.js';
import { modelVersionFromJSON } from '../../entities/model-version.js';
import type { RegisteredModel, RegisteredModelJSON } from '../../entities/registered-model.js';
import { registeredModelFromJSON } from '../../entities/registered-model.js';
import type { ModelVersionTag, RegisteredModelTag } from '../../entities/tag.js';
import type { PagedList } from '../../entities/paged-list.js';
import { SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT, SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT } from '../../validation.js';
import type { CreateModelVersionArgs, SearchRegistryArgs } from '../registry-store.js';
import type { HttpClient } from './http-client.js';
import { responseField } from './rest-errors.js';

const RM = '/api/2.0/mlflow/registered-models';
const MV = '/api/2.0/mlflow/model-versions';

const SAFE = { idempotent: true } as const;
const ONCE = { idempotent: false } as const;

function tagsJSON(tags: readonly { key: string; value: string }[] | undefined): { key: string; value: string }[] | undefined {
  return tags && tags.length > 0 ? tags.map((t) => ({ key: t.key, value: t.value })) : undefined;
}

function model(json: Record<string, unknown>, endpoint: string): RegisteredModel {
  return registeredModelFromJSON(responseField<RegisteredModelJSON>(json, 'registered_model', endpoint));
}

function version(json: Record<string, unknown>, endpoint: string): ModelVersion {
  return modelVersionFromJSON(responseField<ModelVersionJSON>(json, 'model_version', endpoint));
}

function token(json: Record<string, unknown>): string | undefined {
  const t = json.next_page_token;
  return typeof t === 'string' && t !== '' ? t : undefined;
}

function searchMessage(args: SearchRegistryArgs, defaultMax: number): Record<string, unknown> {
  return {
    filter: args.filter || undefined,
    max_results: args.maxResults ?? defaultMax,
    order_by: args.orderBy && args.orderBy.length > 0 ? [...args.orderBy] : undefined,
    page_token: args.pageToken || undefined,
  };
}

/** POST registered-models/create. */
export async function createRegisteredModel(http: HttpClient, name: string, tags?: readonly RegisteredModelTag[], description?: string): Promise<RegisteredModel> {
  const json = await http.json('POST', `${RM}/create`, { name, tags: tagsJSON(tags), description }, ONCE);
  return model(json, 'registered-models/create');
}

/** GET registered-models/get. */
export async function getRegisteredModel(http: HttpClient, name: string): Promise<RegisteredModel> {
  return model(await http.json('GET', `${RM}/get`, { name }, SAFE), 'registered-models/get');
}

/** POST registered-models/rename. */
export async function renameRegisteredModel(http: HttpClient, name: string, newName: string): Promise<RegisteredModel> {
  return model(await http.json('POST', `${RM}/rename`, { name, new_name: newName }, ONCE), 'registered-models/rename');
}

/** PATCH registered-models/update. */
export async function updateRegisteredModel(http: HttpClient, name: string, description: string): Promise<RegisteredModel> {
  return model(await http.json('PATCH', `${RM}/update`, { name, description }, SAFE), 'registered-models/update');
}

/** DELETE registered-models/delete (JSON body). */
export async function deleteRegisteredModel(http: HttpClient, name: string): Promise<void> {
  await http.json('DELETE', `${RM}/delete`, { name }, ONCE);
}

/** GET registered-models/search; `max_results` defaults to MLflow's client default (100). */
export async function searchRegisteredModels(http: HttpClient, args: SearchRegistryArgs): Promise<PagedList<RegisteredModel>> {
  const json = await http.json('GET', `${RM}/search`, searchMessage(args, SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT), SAFE);
  const items = ((json.registered_models as RegisteredModelJSON[] | undefined) ?? []).map(registeredModelFromJSON);
  const next = token(json);
  return next === undefined ? { items } : { items, nextPageToken: next };
}

/** POST registered-models/get-latest-versions. */
export async function getLatestVersions(http: HttpClient, name: string, stages?: readonly string[]): Promise<ModelVersion[]> {
  const message = { name, stages: stages && stages.length > 0 ? [...stages] : undefined };
  const json = await http.json('POST', `${RM}/get-latest-versions`, message, SAFE);
  return ((json.model_versions as ModelVersionJSON[] | undefined) ?? []).map(modelVersionFromJSON);
}

/** POST registered-models/set-tag. */
export async function setRegisteredModelTag(http: HttpClient, name: string, tag: RegisteredModelTag): Promise<void> {
  await http.json('POST', `${RM}/set-tag`, { name, key: tag.key, value: tag.value }, SAFE);
}

/** DELETE registered-models/delete-tag. */
export async function deleteRegisteredModelTag(http: HttpClient, name: string, key: string): Promise<void> {
  await http.json('DELETE', `${RM}/delete-tag`, { name, key }, ONCE);
}

/**
 * POST model-versions/create. `storageLocation` has no field on the wire (MLflow's server
 * resolves `runs:/` and `models:/` sources itself), so it is not sent.
 */
export async function createModelVersion(http: HttpClient, args: CreateModelVersionArgs): Promise<ModelVersion> {
  const message = {
    name: args.name,
    source: args.source,
    run_id: args.runId || undefined,
    tags: tagsJSON(args.tags),
    run_link: args.runLink || undefined,
    description: args.description || undefined,
  };
  return version(await http.json('POST', `${MV}/create`, message, ONCE), 'model-versions/create');
}

/** GET model-versions/get. */
export async function getModelVersion(http: HttpClient, name: string, v: string): Promise<ModelVersion> {
  return version(await http.json('GET', `${MV}/get`, { name, version: v }, SAFE), 'model-versions/get');
}

/** PATCH model-versions/update. */
export async function updateModelVersion(http: HttpClient, name: string, v: string, description: string): Promise<ModelVersion> {
  return version(await http.json('PATCH', `${MV}/update`, { name, version: v, description }, SAFE), 'model-versions/update');
}

/** DELETE model-versions/delete. */
export async function deleteModelVersion(http: HttpClient, name: string, v: string): Promise<void> {
  await http.json('DELETE', `${MV}/delete`, { name, version: v }, ONCE);
}

/** GET model-versions/search; `max_results` defaults to MLflow's client default (10 000). */
export async function searchModelVersions(http: HttpClient, args: SearchRegistryArgs): Promise<PagedList<ModelVersion>> {
  const json = await http.json('GET', `${MV}/search`, searchMessage(args, SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT), SAFE);
  const items = ((json.model_versions as ModelVersionJSON[] | undefined) ?? []).map(modelVersionFromJSON);
  const next = token(json);
  return next === undefined ? { items } : { items, nextPageToken: next };
}

/** POST model-versions/transition-stage. */
export async function transitionModelVersionStage(http: HttpClient, name: string, v: string, stage: string, archiveExistingVersions: boolean): Promise<ModelVersion> {
  const message = { name, version: v, stage, archive_existing_versions: archiveExistingVersions };
  return version(await http.json('POST', `${MV}/transition-stage`, message, SAFE), 'model-versions/transition-stage');
}

/** GET model-versions/get-download-uri. */
export async function getModelVersionDownloadUri(http: HttpClient, name: string, v: string): Promise<string> {
  const json = await http.json('GET', `${MV}/get-download-uri`, { name, version: v }, SAFE);
  return String(responseField(json, 'artifact_uri', 'model-versions/get-download-uri'));
}

/** POST model-versions/set-tag. */
export async function setModelVersionTag(http: HttpClient, name: string, v: string, tag: ModelVersionTag): Promise<void> {
  await http.json('POST', `${MV}/set-tag`, { name, version: v, key: tag.key, value: tag.value }, SAFE);
}

/** DELETE model-versions/delete-tag. */
export async function deleteModelVersionTag(http: HttpClient, name: string, v: string, key: string): Promise<void> {
  await http.json('DELETE', `${MV}/delete-tag`, { name, version: v, key }, ONCE);
}

/** POST registered-models/alias. */
export async function setRegisteredModelAlias(http: HttpClient, name: string, alias: string, v: string): Promise<void> {
  await http.json('POST', `${RM}/alias`, { name, alias, version: v }, SAFE);
}

/** DELETE registered-models/alias (JSON body). */
export async function deleteRegisteredModelAlias(http: HttpClient, name: string, alias: string): Promise<void> {
  await http.json('DELETE', `${RM}/alias`, { name, alias }, ONCE);
}

/** GET registered-models/alias. */
export async function getModelVersionByAlias(http: HttpClient, name: string, alias: string): Promise<ModelVersion> {
  return version(await http.json('GET', `${RM}/alias`, { name, alias }, SAFE), 'registered-models/alias');
}
