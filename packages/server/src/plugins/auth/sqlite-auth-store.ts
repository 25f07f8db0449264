/**
 * {@link AuthStore} over one SQLite file (better-sqlite3; default `<store dir>/basic_auth.db`).
 * The schema is created on open (`CREATE TABLE IF NOT EXISTS`, inside one immediate
 * transaction, so two servers starting on a fresh file do not race); WAL and a busy timeout as
 * the tracking store uses. Foreign keys cascade a user's grants when the user is deleted.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { LablogError, invalidParameter, resourceDoesNotExist } from '@lablog/tracking';
import type { AuthStore, AuthUser, ExperimentPermission, RegisteredModelPermission } from './auth-store.js';
import { isPermissionName, type PermissionName } from './permissions.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  is_admin INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS experiment_permissions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  experiment_id TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  permission TEXT NOT NULL,
  UNIQUE (experiment_id, user_id)
);
CREATE TABLE IF NOT EXISTS registered_model_permissions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  permission TEXT NOT NULL,
  UNIQUE (name, user_id)
);`;

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  is_admin: number;
}

/**
 * The SQLite file path of an auth database URI: `sqlite:///abs/path.db`, `sqlite:///:memory:`,
 * a `file:` URI, or a bare path. Other schemes (postgresql…) are refused.
 */
export function authDbPath(uri: string): string {
  if (uri.startsWith('sqlite://')) {
    const rest = uri.slice('sqlite://'.length);
    if (rest === '/:memory:') return ':memory:';
    if (!rest.startsWith('/')) throw invalidParameter(`Invalid auth database URI '${uri}': expected sqlite:///<path>.`);
    return decodeURIComponent(rest.startsWith('//') ? rest.slice(1) : rest);
  }
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(uri)) throw invalidParameter(`Unsupported auth database URI '${uri}': only SQLite is supported.`);
  return uri;
}

function toUser(row: UserRow): AuthUser {
  return { id: row.id, username: row.username, passwordHash: row.password_hash, isAdmin: row.is_admin === 1 };
}

function toPermission(value: string): PermissionName {
  // A row written by something else: treat an unknown level as no permission at all.
  return isPermissionName(value) ? value : 'NO_PERMISSIONS';
}

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** {@link AuthStore} on SQLite. */
export class SqliteAuthStore implements AuthStore {
  private readonly db: Database.Database;

  /** @param uri - see {@link authDbPath}; parent directories are created. */
  constructor(uri: string) {
    const path = authDbPath(uri);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { timeout: 20_000 });
    if (path !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.transaction(() => this.db.exec(SCHEMA)).immediate();
  }

  private userOrThrow(username: string): AuthUser {
    const user = this.findUser(username);
    if (!user) throw resourceDoesNotExist(`User with username=${username} not found`);
    return user;
  }

  createUser(username: string, passwordHash: string, isAdmin: boolean): AuthUser {
    try {
      const info = this.db.prepare('INSERT INTO users (username, password_hash, is_admin) VALUES (?, ?, ?)').run(username, passwordHash, isAdmin ? 1 : 0);
      return { id: Number(info.lastInsertRowid), username, passwordHash, isAdmin };
    } catch (e) {
      if (isUniqueViolation(e)) throw new LablogError(`User '${username}' already exists`, 'RESOURCE_ALREADY_EXISTS');
      throw e;
    }
  }
  findUser(username: string): AuthUser | null {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return row ? toUser(row) : null;
  }
  getUser(username: string): AuthUser {
    return this.userOrThrow(username);
  }
  updatePasswordHash(username: string, passwordHash: string): void {
    const user = this.userOrThrow(username);
    this.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, user.id);
  }
  updateAdmin(username: string, isAdmin: boolean): void {
    const user = this.userOrThrow(username);
    this.db.prepare('UPDATE users SET is_admin = ? WHERE id = ?').run(isAdmin ? 1 : 0, user.id);
  }
  deleteUser(username: string): void {
    const user = this.userOrThrow(username);
    this.db.prepare('DELETE FROM users WHERE id = ?').run(user.id);
  }

  // ---- experiments ---------------------------------------------------------------------------

  findExperimentPermission(experimentId: string, userId: number): PermissionName | null {
    const row = this.db.prepare('SELECT permission FROM experiment_permissions WHERE experiment_id = ? AND user_id = ?').get(experimentId, userId) as
      | { permission: string }
      | undefined;
    return row ? toPermission(row.permission) : null;
  }
  createExperimentPermission(experimentId: string, username: string, permission: PermissionName): ExperimentPermission {
    const user = this.userOrThrow(username);
    try {
      this.db.prepare('INSERT INTO experiment_permissions (experiment_id, user_id, permission) VALUES (?, ?, ?)').run(experimentId, user.id, permission);
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new LablogError(`Experiment permission (experiment_id=${experimentId}, username=${username}) already exists`, 'RESOURCE_ALREADY_EXISTS');
      }
      throw e;
    }
    return { experimentId, userId: user.id, permission };
  }
  upsertExperimentPermission(experimentId: string, userId: number, permission: PermissionName): void {
    this.db
      .prepare('INSERT INTO experiment_permissions (experiment_id, user_id, permission) VALUES (?, ?, ?) ON CONFLICT (experiment_id, user_id) DO UPDATE SET permission = excluded.permission')
      .run(experimentId, userId, permission);
  }
  getExperimentPermission(experimentId: string, username: string): ExperimentPermission {
    const user = this.userOrThrow(username);
    const permission = this.findExperimentPermission(experimentId, user.id);
    if (permission === null) {
      throw resourceDoesNotExist(`Experiment permission with experiment_id=${experimentId} and username=${username} not found`);
    }
    return { experimentId, userId: user.id, permission };
  }
  updateExperimentPermission(experimentId: string, username: string, permission: PermissionName): void {
    const current = this.getExperimentPermission(experimentId, username);
    this.db.prepare('UPDATE experiment_permissions SET permission = ? WHERE experiment_id = ? AND user_id = ?').run(permission, experimentId, current.userId);
  }
  deleteExperimentPermission(experimentId: string, username: string): void {
    const current = this.getExperimentPermission(experimentId, username);
    this.db.prepare('DELETE FROM experiment_permissions WHERE experiment_id = ? AND user_id = ?').run(experimentId, current.userId);
  }
  listExperimentPermissions(userId: number): ExperimentPermission[] {
    const rows = this.db.prepare('SELECT experiment_id, permission FROM experiment_permissions WHERE user_id = ? ORDER BY id').all(userId) as {
      experiment_id: string;
      permission: string;
    }[];
    return rows.map((r) => ({ experimentId: r.experiment_id, userId, permission: toPermission(r.permission) }));
  }

  // ---- registered models ---------------------------------------------------------------------

  findRegisteredModelPermission(name: string, userId: number): PermissionName | null {
    const row = this.db.prepare('SELECT permission FROM registered_model_permissions WHERE name = ? AND user_id = ?').get(name, userId) as
      | { permission: string }
      | undefined;
    return row ? toPermission(row.permission) : null;
  }
  createRegisteredModelPermission(name: string, username: string, permission: PermissionName): RegisteredModelPermission {
    const user = this.userOrThrow(username);
    try {
      this.db.prepare('INSERT INTO registered_model_permissions (name, user_id, permission) VALUES (?, ?, ?)').run(name, user.id, permission);
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new LablogError(`Registered model permission (name=${name}, username=${username}) already exists`, 'RESOURCE_ALREADY_EXISTS');
      }
      throw e;
    }
    return { name, userId: user.id, permission };
  }
  upsertRegisteredModelPermission(name: string, userId: number, permission: PermissionName): void {
    this.db
      .prepare('INSERT INTO registered_model_permissions (name, user_id, permission) VALUES (?, ?, ?) ON CONFLICT (name, user_id) DO UPDATE SET permission = excluded.permission')
      .run(name, userId, permission);
  }
  getRegisteredModelPermission(name: string, username: string): RegisteredModelPermission {
    const user = this.userOrThrow(username);
    const permission = this.findRegisteredModelPermission(name, user.id);
    if (permission === null) throw resourceDoesNotExist(`Registered model permission with name=${name} and username=${username} not found`);
    return { name, userId: user.id, permission };
  }
  updateRegisteredModelPermission(name: string, username: string, permission: PermissionName): void {
    const current = this.getRegisteredModelPermission(name, username);
    this.db.prepare('UPDATE registered_model_permissions SET permission = ? WHERE name = ? AND user_id = ?').run(permission, name, current.userId);
  }
  deleteRegisteredModelPermission(name: string, username: string): void {
    const current = this.getRegisteredModelPermission(name, username);
    this.db.prepare('DELETE FROM registered_model_permissions WHERE name = ? AND user_id = ?').run(name, current.userId);
  }
  listRegisteredModelPermissions(userId: number): RegisteredModelPermission[] {
    const rows = this.db.prepare('SELECT name, permission FROM registered_model_permissions WHERE user_id = ? ORDER BY id').all(userId) as {
      name: string;
      permission: string;
    }[];
    return rows.map((r) => ({ name: r.name, userId, permission: toPermission(r.permission) }));
  }
  renameRegisteredModelPermissions(oldName: string, newName: string): void {
    if (oldName === newName) return;
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM registered_model_permissions WHERE name = ?').run(newName);
      this.db.prepare('UPDATE registered_model_permissions SET name = ? WHERE name = ?').run(newName, oldName);
    })();
  }
  deleteRegisteredModelPermissions(name: string): void {
    this.db.prepare('DELETE FROM registered_model_permissions WHERE name = ?').run(name);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
