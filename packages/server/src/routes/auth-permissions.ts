/**
 * MLflow's permission endpoints of the basic-auth app (`mlflow/server/auth/routes.py`):
 * `experiments/permissions/{create,get,update,delete}` and
 * `registered-models/permissions/{create,get,update,delete}`, registered by the auth plugin
 * under each MLflow prefix. The caller needs MANAGE on the resource (route-permission table).
 *
 * Responses: `{experiment_permission: {experiment_id, user_id, permission}}`,
 * `{registered_model_permission: {name, user_id, permission}}` for create and get; `{}` for
 * update and delete. Experiment ids are canonicalized through the tracking store (a grant on
 * `"012"` is a grant on experiment `12`), and the experiment or model must exist.
 */
import type { FastifyInstance } from 'fastify';
import { parsePermission } from '../plugins/auth/permissions.js';
import * as S from '../schemas/auth.js';

/** Registers the permission routes on an MLflow prefix (needs `app.auth`). */
export async function authPermissionRoutes(app: FastifyInstance): Promise<void> {
  const { store, resolver } = app.auth;
  const experimentId = (id: string) => resolver.canonicalExperimentId(id);
  const modelName = async (name: string) => (await app.registryStore.getRegisteredModel(name)).name;

  app.post<{ Body: S.ExperimentPermissionMessage }>(
    '/experiments/permissions/create',
    { schema: { body: S.experimentPermission } },
    async (req) => {
      const permission = parsePermission(req.body.permission);
      const p = store.createExperimentPermission(await experimentId(req.body.experiment_id), req.body.username, permission);
      return { experiment_permission: { experiment_id: p.experimentId, user_id: p.userId, permission: p.permission } };
    },
  );

  app.get<{ Querystring: S.ExperimentPermissionRef }>(
    '/experiments/permissions/get',
    { schema: { querystring: S.experimentPermissionRef } },
    async (req) => {
      const p = store.getExperimentPermission(await experimentId(req.query.experiment_id), req.query.username);
      return { experiment_permission: { experiment_id: p.experimentId, user_id: p.userId, permission: p.permission } };
    },
  );

  app.patch<{ Body: S.ExperimentPermissionMessage }>(
    '/experiments/permissions/update',
    { schema: { body: S.experimentPermission } },
    async (req) => {
      const permission = parsePermission(req.body.permission);
      store.updateExperimentPermission(await experimentId(req.body.experiment_id), req.body.username, permission);
      return {};
    },
  );

  app.delete<{ Body: S.ExperimentPermissionRef }>(
    '/experiments/permissions/delete',
    { schema: { body: S.experimentPermissionRef } },
    async (req) => {
      store.deleteExperimentPermission(await experimentId(req.body.experiment_id), req.body.username);
      return {};
    },
  );

  app.post<{ Body: S.RegisteredModelPermissionMessage }>(
    '/registered-models/permissions/create',
    { schema: { body: S.registeredModelPermission } },
    async (req) => {
      const permission = parsePermission(req.body.permission);
      const p = store.createRegisteredModelPermission(await modelName(req.body.name), req.body.username, permission);
      return { registered_model_permission: { name: p.name, user_id: p.userId, permission: p.permission } };
    },
  );

  app.get<{ Querystring: S.RegisteredModelPermissionRef }>(
    '/registered-models/permissions/get',
    { schema: { querystring: S.registeredModelPermissionRef } },
    async (req) => {
      const p = store.getRegisteredModelPermission(req.query.name, req.query.username);
      return { registered_model_permission: { name: p.name, user_id: p.userId, permission: p.permission } };
    },
  );

  app.patch<{ Body: S.RegisteredModelPermissionMessage }>(
    '/registered-models/permissions/update',
    { schema: { body: S.registeredModelPermission } },
    async (req) => {
      store.updateRegisteredModelPermission(req.body.name, req.body.username, parsePermission(req.body.permission));
      return {};
    },
  );

  app.delete<{ Body: S.RegisteredModelPermissionRef }>(
    '/registered-models/permissions/delete',
    { schema: { body: S.registeredModelPermissionRef } },
    async (req) => {
      store.deleteRegisteredModelPermission(req.body.name, req.body.username);
      return {};
    },
  );
}
