/**
 * Registered-model endpoints of the model registry (ref §6.2): schema → store call → entity
 * JSON. The registry is read from `app.registryStore` inside each handler, so a backend
 * without one answers 501 NOT_IMPLEMENTED on every route, after the request was checked.
 */
import type { FastifyInstance } from 'fastify';
import { modelVersionToJSON, registeredModelToJSON } from '@lablog/tracking';
import * as S from '../schemas/registry.js';
import { responseMessage } from '../plugins/wire.js';

function keyValues(list: readonly { key: string; value?: string }[] | undefined): { key: string; value: string }[] {
  return (list ?? []).map((t) => ({ key: t.key, value: t.value ?? '' }));
}

/** Registers the `registered-models/*` routes on an API prefix. */
export async function registeredModelRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: S.CreateRegisteredModel }>('/registered-models/create', { schema: { body: S.createRegisteredModel } }, async (req) => {
    const b = req.body;
    const model = await app.registryStore.createRegisteredModel(b.name, keyValues(b.tags), b.description);
    return { registered_model: registeredModelToJSON(model) };
  });

  app.get<{ Querystring: S.RegisteredModelName }>('/registered-models/get', { schema: { querystring: S.registeredModelName } }, async (req) => {
    return { registered_model: registeredModelToJSON(await app.registryStore.getRegisteredModel(req.query.name)) };
  });

  app.post<{ Body: S.RenameRegisteredModel }>('/registered-models/rename', { schema: { body: S.renameRegisteredModel } }, async (req) => {
    const model = await app.registryStore.renameRegisteredModel(req.body.name, req.body.new_name);
    return { registered_model: registeredModelToJSON(model) };
  });

  app.patch<{ Body: S.UpdateRegisteredModel }>('/registered-models/update', { schema: { body: S.updateRegisteredModel } }, async (req) => {
    const model = await app.registryStore.updateRegisteredModel(req.body.name, req.body.description ?? '');
    return { registered_model: registeredModelToJSON(model) };
  });

  app.delete<{ Body: S.RegisteredModelName }>('/registered-models/delete', { schema: { body: S.registeredModelName } }, async (req) => {
    await app.registryStore.deleteRegisteredModel(req.body.name);
    return {};
  });

  app.get<{ Querystring: S.SearchRegistry }>(
    '/registered-models/search',
    { schema: { querystring: S.searchRegisteredModels } },
    async (req) => {
      const q = req.query;
      const page = await app.registryStore.searchRegisteredModels({
        filter: q.filter,
        maxResults: q.max_results,
        orderBy: q.order_by,
        pageToken: q.page_token,
      });
      return responseMessage({ registered_models: page.items.map(registeredModelToJSON), next_page_token: page.nextPageToken });
    },
  );

  const latestVersions = async (m: S.GetLatestVersions): Promise<Record<string, unknown>> => {
    const versions = await app.registryStore.getLatestVersions(m.name, m.stages);
    return responseMessage({ model_versions: versions.map(modelVersionToJSON) });
  };
  app.post<{ Body: S.GetLatestVersions }>('/registered-models/get-latest-versions', { schema: { body: S.getLatestVersions } }, (req) =>
    latestVersions(req.body),
  );
  app.get<{ Querystring: S.GetLatestVersions }>(
    '/registered-models/get-latest-versions',
    { schema: { querystring: S.getLatestVersions } },
    (req) => latestVersions(req.query),
  );

  app.post<{ Body: S.SetRegisteredModelTag }>('/registered-models/set-tag', { schema: { body: S.setRegisteredModelTag } }, async (req) => {
    await app.registryStore.setRegisteredModelTag(req.body.name, { key: req.body.key, value: req.body.value ?? '' });
    return {};
  });

  app.delete<{ Body: S.DeleteRegisteredModelTag }>(
    '/registered-models/delete-tag',
    { schema: { body: S.deleteRegisteredModelTag } },
    async (req) => {
      await app.registryStore.deleteRegisteredModelTag(req.body.name, req.body.key);
      return {};
    },
  );

  app.post<{ Body: S.SetAlias }>('/registered-models/alias', { schema: { body: S.setAlias } }, async (req) => {
    await app.registryStore.setRegisteredModelAlias(req.body.name, req.body.alias, req.body.version);
    return {};
  });

  app.delete<{ Body: S.AliasRef }>('/registered-models/alias', { schema: { body: S.aliasRef } }, async (req) => {
    await app.registryStore.deleteRegisteredModelAlias(req.body.name, req.body.alias);
    return {};
  });

  app.get<{ Querystring: S.AliasRef }>('/registered-models/alias', { schema: { querystring: S.aliasRef } }, async (req) => {
    return { model_version: modelVersionToJSON(await app.registryStore.getModelVersionByAlias(req.query.name, req.query.alias)) };
  });
}
