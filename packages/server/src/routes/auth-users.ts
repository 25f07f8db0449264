/**
 * MLflow's user endpoints of the basic-auth app (`mlflow/server/auth/routes.py`), registered by
 * the auth plugin under each MLflow prefix. Who may call each is in the route-permission
 * table: create, update-admin and delete are admin-only (CVE-2023-6014); get and
 * update-password are for the user named (or an admin). Empty usernames, empty and short
 * passwords are refused everywhere (CVE-2025-1474, CVE-2025-11200).
 *
 * A user is `{id, username, is_admin, experiment_permissions: [{experiment_id, user_id,
 * permission}], registered_model_permissions: [{name, user_id, permission}]}` (MLflow's
 * `User.to_json`); the password hash never leaves the server.
 */
import type { FastifyInstance } from 'fastify';
import type { AuthStore, AuthUser } from '../plugins/auth/auth-store.js';
import { hashPassword, validatePassword, validateUsername } from '../plugins/auth/passwords.js';
import * as S from '../schemas/auth.js';

/** A user as MLflow's JSON, with its grants. */
export function userToJSON(store: AuthStore, user: AuthUser): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    is_admin: user.isAdmin,
    experiment_permissions: store.listExperimentPermissions(user.id).map((p) => ({
      experiment_id: p.experimentId,
      user_id: p.userId,
      permission: p.permission,
    })),
    registered_model_permissions: store.listRegisteredModelPermissions(user.id).map((p) => ({
      name: p.name,
      user_id: p.userId,
      permission: p.permission,
    })),
  };
}

/** Registers `users/*` on an MLflow prefix (needs `app.auth`). */
export async function authUserRoutes(app: FastifyInstance): Promise<void> {
  const { store, authenticator } = app.auth;

  app.post<{ Body: S.UserCredentials }>('/users/create', { schema: { body: S.userCredentials } }, async (req) => {
    const username = validateUsername(req.body.username);
    const password = validatePassword(req.body.password);
    const user = store.createUser(username, await hashPassword(password, app.auth.scrypt), false);
    return { user: userToJSON(store, user) };
  });

  app.get<{ Querystring: S.Username }>('/users/get', { schema: { querystring: S.username } }, async (req) => {
    return { user: userToJSON(store, store.getUser(req.query.username)) };
  });

  app.patch<{ Body: S.UserCredentials }>('/users/update-password', { schema: { body: S.userCredentials } }, async (req) => {
    const password = validatePassword(req.body.password);
    store.getUser(req.body.username);
    store.updatePasswordHash(req.body.username, await hashPassword(password, app.auth.scrypt));
    authenticator.forget(req.body.username);
    return {};
  });

  app.patch<{ Body: S.UpdateAdmin }>('/users/update-admin', { schema: { body: S.updateAdmin } }, async (req) => {
    store.updateAdmin(req.body.username, req.body.is_admin);
    return {};
  });

  app.delete<{ Body: S.Username }>('/users/delete', { schema: { body: S.username } }, async (req) => {
    store.deleteUser(req.body.username);
    authenticator.forget(req.body.username);
    return {};
  });
}
