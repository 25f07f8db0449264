/**
 * The permission levels of MLflow's basic-auth app (`mlflow/server/auth/permissions.py`),
 * and what each level allows. Resources (experiments, registered models) carry one level per
 * user; a user without a grant gets the server's default level (`--auth-default-permission`,
 * READ unless set). Admins bypass every check.
 *
 * | level          | read | use | update | delete | manage |
 * |----------------|------|-----|--------|--------|--------|
 * | READ           |  ✓   |     |        |        |        |
 * | USE            |  ✓   |  ✓  |        |        |        |
 * | EDIT           |  ✓   |  ✓  |   ✓    |        |        |
 * | MANAGE         |  ✓   |  ✓  |   ✓    |   ✓    |   ✓    |
 * | NO_PERMISSIONS |      |     |        |        |        |
 */
import { invalidParameter } from '@lablog/tracking';

/** MLflow's permission names, weakest first (NO_PERMISSIONS last, as MLflow lists them). */
export const PERMISSION_NAMES = ['READ', 'USE', 'EDIT', 'MANAGE', 'NO_PERMISSIONS'] as const;

/** One of {@link PERMISSION_NAMES}. */
export type PermissionName = (typeof PERMISSION_NAMES)[number];

/** A capability a route can require on a resource. */
export type Capability = 'read' | 'use' | 'update' | 'delete' | 'manage';

/** What each level allows: a `Record` over the name union, so a new level without a row fails to compile. */
export const PERMISSION_CAPABILITIES: Readonly<Record<PermissionName, ReadonlySet<Capability>>> = {
  READ: new Set(['read']),
  USE: new Set(['read', 'use']),
  EDIT: new Set(['read', 'use', 'update']),
  MANAGE: new Set(['read', 'use', 'update', 'delete', 'manage']),
  NO_PERMISSIONS: new Set(),
};

/** Type guard for {@link PermissionName}. */
export function isPermissionName(x: unknown): x is PermissionName {
  return typeof x === 'string' && (PERMISSION_NAMES as readonly string[]).includes(x);
}

/** True when `permission` allows `capability`. */
export function allows(permission: PermissionName, capability: Capability): boolean {
  return PERMISSION_CAPABILITIES[permission].has(capability);
}

/**
 * Checks a permission name from a request, with MLflow's message.
 * @throws LablogError INVALID_PARAMETER_VALUE for anything else.
 */
export function parsePermission(value: string): PermissionName {
  if (isPermissionName(value)) return value;
  throw invalidParameter(`Invalid permission '${value}'. Valid permissions are: (${PERMISSION_NAMES.join(', ')})`);
}
