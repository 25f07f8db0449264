/**
 * Request messages of the basic-auth user and permission endpoints (MLflow's
 * `mlflow/server/auth/routes.py`; JSON bodies, query strings on GET). Credentials and
 * permission names are checked in the routes, with MLflow's messages.
 */
import { w, type Infer } from './wire-schema.js';

/** POST users/create; PATCH users/update-password. */
export const userCredentials = w.message({ username: w.string(), password: w.string() }, ['username']);
/** GET users/get; DELETE users/delete. */
export const username = w.message({ username: w.string() }, ['username']);
/** PATCH users/update-admin. */
export const updateAdmin = w.message({ username: w.string(), is_admin: w.bool() }, ['username', 'is_admin']);
/** experiments/permissions/{create,update}. */
export const experimentPermission = w.message(
  { experiment_id: w.experimentId(), username: w.string(), permission: w.string() },
  ['experiment_id', 'username', 'permission'],
);
/** experiments/permissions/{get,delete}. */
export const experimentPermissionRef = w.message({ experiment_id: w.experimentId(), username: w.string() }, ['experiment_id', 'username']);
/** registered-models/permissions/{create,update}. */
export const registeredModelPermission = w.message(
  { name: w.string(), username: w.string(), permission: w.string() },
  ['name', 'username', 'permission'],
);
/** registered-models/permissions/{get,delete}. */
export const registeredModelPermissionRef = w.message({ name: w.string(), username: w.string() }, ['name', 'username']);

export type UserCredentials = Infer<typeof userCredentials>;
export type Username = Infer<typeof username>;
export type UpdateAdmin = Infer<typeof updateAdmin>;
export type ExperimentPermissionMessage = Infer<typeof experimentPermission>;
export type ExperimentPermissionRef = Infer<typeof experimentPermissionRef>;
export type RegisteredModelPermissionMessage = Infer<typeof registeredModelPermission>;
export type RegisteredModelPermissionRef = Infer<typeof registeredModelPermissionRef>;
