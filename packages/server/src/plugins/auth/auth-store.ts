/**
 * Where users and their grants live: a small synchronous interface (lookups happen on every
 * request), implemented over SQLite by {@link SqliteAuthStore}. Rows mirror MLflow's auth
 * tables (`users`, `experiment_permissions`, `registered_model_permissions`).
 */
import type { PermissionName } from './permissions.js';

/** A user row; `passwordHash` never leaves the server. */
export interface AuthUser {
  readonly id: number;
  readonly username: string;
  readonly passwordHash: string;
  readonly isAdmin: boolean;
}

/** A user's grant on one experiment. */
export interface ExperimentPermission {
  readonly experimentId: string;
  readonly userId: number;
  readonly permission: PermissionName;
}

/** A user's grant on one registered model (keyed by name, as MLflow's). */
export interface RegisteredModelPermission {
  readonly name: string;
  readonly userId: number;
  readonly permission: PermissionName;
}

/**
 * Users and grants. Methods throw LablogError with MLflow's codes: RESOURCE_ALREADY_EXISTS for
 * a duplicate, RESOURCE_DOES_NOT_EXIST for a missing user or grant.
 */
export interface AuthStore {
  createUser(username: string, passwordHash: string, isAdmin: boolean): AuthUser;
  /** The user, or null (no exception: authentication must not branch on errors). */
  findUser(username: string): AuthUser | null;
  /** @throws RESOURCE_DOES_NOT_EXIST */
  getUser(username: string): AuthUser;
  updatePasswordHash(username: string, passwordHash: string): void;
  updateAdmin(username: string, isAdmin: boolean): void;
  /** Deletes the user and every grant it holds. */
  deleteUser(username: string): void;

  /** The grant, or null. */
  findExperimentPermission(experimentId: string, userId: number): PermissionName | null;
  createExperimentPermission(experimentId: string, username: string, permission: PermissionName): ExperimentPermission;
  /** Creates or overwrites (used for the creator's MANAGE). */
  upsertExperimentPermission(experimentId: string, userId: number, permission: PermissionName): void;
  getExperimentPermission(experimentId: string, username: string): ExperimentPermission;
  updateExperimentPermission(experimentId: string, username: string, permission: PermissionName): void;
  deleteExperimentPermission(experimentId: string, username: string): void;
  listExperimentPermissions(userId: number): ExperimentPermission[];

  findRegisteredModelPermission(name: string, userId: number): PermissionName | null;
  createRegisteredModelPermission(name: string, username: string, permission: PermissionName): RegisteredModelPermission;
  upsertRegisteredModelPermission(name: string, userId: number, permission: PermissionName): void;
  getRegisteredModelPermission(name: string, username: string): RegisteredModelPermission;
  updateRegisteredModelPermission(name: string, username: string, permission: PermissionName): void;
  deleteRegisteredModelPermission(name: string, username: string): void;
  listRegisteredModelPermissions(userId: number): RegisteredModelPermission[];
  /** Moves every grant on `oldName` to `newName`, replacing stale grants on `newName`. */
  renameRegisteredModelPermissions(oldName: string, newName: string): void;
  /** Drops every grant on a deleted model, so a new model of that name starts clean. */
  deleteRegisteredModelPermissions(name: string): void;

  close(): void;
}
