/**
 * Model-version endpoints of the model registry (ref §6.2): schema → store call → entity JSON.
 * `model-versions/create` runs `source` through {@link resolveModelVersionSource} and stores
 * the location it resolves to, so a version can only ever point inside an artifact root.
 */
import type { FastifyInstance } from 'fastify';
import { invalidParameter, modelVersionToJSON } from '@lablog/tracking';
import * as S from '../schemas/registry.js';
import { responseMessage } from '../plugins/wire.js';
import { resolveModelVersionSource, type SourceContext } from '../model-version-source.js';

/** Options of the registry route groups that touch artifact locations. */
export interface RegistryRouteOptions {
  /**
   * The server's artifact roots: a model version `source` outside the run's artifact root must
   * lie inside one of these. Empty: only `runs:/`, `models:/` and run-relative sources pass.
   */
  artifactRoots?: readonly string[];
}

/** The {@link SourceContext} of an app: its stores, and the artifact roots it was given. */
export function sourceContext(app: FastifyInstance, artifactRoots: readonly string[] = []): SourceContext {
  return {
    artifactRoots,
    runArtifactUri: async (runId) => (await app.trackingStore.getRun(runId)).info.artifactUri,
    get registry() {
      return app.registryStore;
    },
  };
}

function keyValues(list: readonly { key: string; value?: string }[] | undefined): { key: string; value: string }[] {
  return (list ?? []).map((t) => ({ key: t.key, value: t.value ?? '' }));
}

/** Registers the `model-versions/*` routes on an API prefix. */
export async function modelVersionRoutes(app: FastifyInstance, options: RegistryRouteOptions): Promise<void> {
  const ctx = sourceContext(app, options.artifactRoots);

  app.post<{ Body: S.CreateModelVersion }>('/model-versions/create', { schema: { body: S.createModelVersion } }, async (req) => {
    const b = req.body;
    const registry = app.registryStore;
    if (b.model_id) throw invalidParameter('model_id (MLflow 3 LoggedModels) is not supported by this server.');
    // The model must exist before the source is resolved (404 first, as MLflow's store answers).
    await registry.getRegisteredModel(b.name);
    const storageLocation = await resolveModelVersionSource(b.source, b.run_id, ctx);
    const version = await registry.createModelVersion({
      name: b.name,
      source: b.source,
      storageLocation,
      tags: keyValues(b.tags),
      ...(b.run_id ? { runId: b.run_id } : {}),
      ...(b.run_link !== undefined ? { runLink: b.run_link } : {}),
      ...(b.description !== undefined ? { description: b.description } : {}),
    });
    return { model_version: modelVersionToJSON(version) };
  });

  app.get<{ Querystring: S.ModelVersionRef }>('/model-versions/get', { schema: { querystring: S.modelVersionRef } }, async (req) => {
    return { model_version: modelVersionToJSON(await app.registryStore.getModelVersion(req.query.name, req.query.version)) };
  });

  app.patch<{ Body: S.UpdateModelVersion }>('/model-versions/update', { schema: { body: S.updateModelVersion } }, async (req) => {
    const b = req.body;
    return { model_version: modelVersionToJSON(await app.registryStore.updateModelVersion(b.name, b.version, b.description ?? '')) };
  });

  app.delete<{ Body: S.ModelVersionRef }>('/model-versions/delete', { schema: { body: S.modelVersionRef } }, async (req) => {
    await app.registryStore.deleteModelVersion(req.body.name, req.body.version);
    return {};
  });

  app.get<{ Querystring: S.SearchRegistry }>('/model-versions/search', { schema: { querystring: S.searchModelVersions } }, async (req) => {
    const q = req.query;
    const page = await app.registryStore.searchModelVersions({
      filter: q.filter,
      maxResults: q.max_results,
      orderBy: q.order_by,
      pageToken: q.page_token,
    });
    return responseMessage({ model_versions: page.items.map(modelVersionToJSON), next_page_token: page.nextPageToken });
  });

  app.post<{ Body: S.TransitionStage }>('/model-versions/transition-stage', { schema: { body: S.transitionStage } }, async (req) => {
    const b = req.body;
    const version = await app.registryStore.transitionModelVersionStage(b.name, b.version, b.stage, b.archive_existing_versions ?? false);
    return { model_version: modelVersionToJSON(version) };
  });

  app.get<{ Querystring: S.ModelVersionRef }>(
    '/model-versions/get-download-uri',
    { schema: { querystring: S.modelVersionRef } },
    async (req) => {
      return { artifact_uri: await app.registryStore.getModelVersionDownloadUri(req.query.name, req.query.version) };
    },
  );

  app.post<{ Body: S.SetModelVersionTag }>('/model-versions/set-tag', { schema: { body: S.setModelVersionTag } }, async (req) => {
    const b = req.body;
    await app.registryStore.setModelVersionTag(b.name, b.version, { key: b.key, value: b.value ?? '' });
    return {};
  });

  app.delete<{ Body: S.DeleteModelVersionTag }>('/model-versions/delete-tag', { schema: { body: S.deleteModelVersionTag } }, async (req) => {
    const b = req.body;
    await app.registryStore.deleteModelVersionTag(b.name, b.version, b.key);
    return {};
  });
}
