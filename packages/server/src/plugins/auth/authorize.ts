/**
 * Evaluates a {@link RouteRule} for one request (the auth plugin's preHandler): finds the
 * resources the request names, in the decoded query, the decoded body and the route params,
 * and checks the caller's permission on each. Admins never get here.
 *
 * Permission on a resource = the caller's explicit grant, else the server's default
 * permission. Ids are canonicalized through the stores before the lookup (SQLite reads
 * experiment `"012"` as 12; the grant must be looked up for the experiment the handler will
 * really touch), and a resource the store does not know answers as the handler would (404).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LablogError, validateArtifactPath } from '@lablog/tracking';
import type { AuthStore, AuthUser } from './auth-store.js';
import { allows, type Capability, type PermissionName } from './permissions.js';
import type { ResourceCheck, RouteRule } from './route-permissions.js';
import { resolveModelVersionSource } from '../../model-version-source.js';
import { sourceContext } from '../../routes/model-versions.js';

/** MLflow's 403 message. */
export const PERMISSION_DENIED_MESSAGE = 'Permission denied';

/** Most run → experiment mappings remembered (a run never changes experiment). */
const RUN_CACHE_MAX = 10_000;

/** A 403 PERMISSION_DENIED. */
export function permissionDenied(detail?: string): LablogError {
  return new LablogError(detail ? `${PERMISSION_DENIED_MESSAGE}: ${detail}` : PERMISSION_DENIED_MESSAGE, 'PERMISSION_DENIED');
}

/** Every string value of the named fields in the query, body and params (the union). */
export function fieldValues(request: FastifyRequest, fields: readonly string[]): string[] {
  const out = new Set<string>();
  for (const source of [request.query, request.body, request.params]) {
    if (typeof source !== 'object' || source === null || Buffer.isBuffer(source) || typeof (source as { pipe?: unknown }).pipe === 'function') continue;
    const record = source as Record<string, unknown>;
    for (const field of fields) {
      if (!Object.hasOwn(record, field)) continue;
      const value = record[field];
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v === 'string' || typeof v === 'number') out.add(String(v));
      }
    }
  }
  return [...out];
}

/** Permission lookups against the auth store and the app's stores. */
export class PermissionResolver {
  private readonly runExperiments = new Map<string, string>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly store: AuthStore,
    private readonly defaultPermission: PermissionName,
  ) {}

  /** The caller's level on an experiment (canonical id). */
  experimentPermission(user: AuthUser, experimentId: string): PermissionName {
    if (user.isAdmin) return 'MANAGE';
    return this.store.findExperimentPermission(experimentId, user.id) ?? this.defaultPermission;
  }

  /** The caller's level on a registered model. */
  modelPermission(user: AuthUser, name: string): PermissionName {
    if (user.isAdmin) return 'MANAGE';
    return this.store.findRegisteredModelPermission(name, user.id) ?? this.defaultPermission;
  }

  /** The canonical id of an experiment; RESOURCE_DOES_NOT_EXIST as the store answers. */
  async canonicalExperimentId(id: string): Promise<string> {
    return (await this.app.trackingStore.getExperiment(id)).experimentId;
  }

  /** The experiment a run belongs to. */
  async experimentOfRun(runId: string): Promise<string> {
    const known = this.runExperiments.get(runId);
    if (known !== undefined) return known;
    const experimentId = (await this.app.trackingStore.getRun(runId)).info.experimentId;
    if (this.runExperiments.size >= RUN_CACHE_MAX) this.runExperiments.delete(this.runExperiments.keys().next().value!);
    this.runExperiments.set(runId, experimentId);
    return experimentId;
  }

  private requireExperiment(user: AuthUser, experimentId: string, need: Capability): void {
    if (!allows(this.experimentPermission(user, experimentId), need)) throw permissionDenied();
  }

  private requireModel(user: AuthUser, name: string, need: Capability): void {
    if (!allows(this.modelPermission(user, name), need)) throw permissionDenied();
  }

  /**
   * The experiment a proxied artifact path belongs to. Refuses the store root, an experiment
   * root when writing, and a first segment that is not exactly an existing experiment's id
   * (`012`, `%31%32`, `./12` are decoded/normalized first and must then match exactly).
   */
  async experimentOfArtifactPath(raw: string, write: boolean): Promise<string> {
    const rel = validateArtifactPath(raw); // 400 "Invalid path" for traversal, `#`, `\`, absolute…
    if (rel === '') throw permissionDenied('the artifact root is not accessible');
    const segments = rel.split('/');
    if (write && segments.length < 2) throw permissionDenied('an experiment artifact root cannot be written or deleted');
    const id = segments[0]!;
    let canonical: string;
    try {
      canonical = await this.canonicalExperimentId(id);
    } catch {
      throw permissionDenied('artifact path outside any experiment');
    }
    if (canonical !== id) throw permissionDenied('artifact path outside any experiment');
    return canonical;
  }

  /** Runs one check; throws 403 (or the store's 404/400) when it fails. */
  async check(request: FastifyRequest, user: AuthUser, c: ResourceCheck): Promise<void> {
    switch (c.kind) {
      case 'experiment':
        for (const id of nonEmpty(fieldValues(request, c.fields))) this.requireExperiment(user, await this.canonicalExperimentId(id), c.need);
        return;
      case 'experiment-name':
        for (const name of nonEmpty(fieldValues(request, c.fields))) {
          const exp = await this.app.trackingStore.getExperimentByName(name);
          if (exp === null) throw new LablogError(`Could not find experiment with name '${name}'`, 'RESOURCE_DOES_NOT_EXIST');
          this.requireExperiment(user, exp.experimentId, c.need);
        }
        return;
      case 'run':
        for (const id of nonEmpty(fieldValues(request, c.fields))) this.requireExperiment(user, await this.experimentOfRun(id), c.need);
        return;
      case 'model':
        for (const name of nonEmpty(fieldValues(request, c.fields))) this.requireModel(user, name, c.need);
        return;
      case 'artifact-path': {
        const paths = fieldValues(request, ['*', 'path']);
        if (paths.length === 0) paths.push(''); // the listing without ?path= is the store root
        for (const p of paths) this.requireExperiment(user, await this.experimentOfArtifactPath(p, c.write), c.need);
        return;
      }
      case 'model-version-source':
        return this.checkModelVersionSource(request, user);
    }
  }

  /**
   * model-versions/create: the caller must be able to read what the new version will point at,
   * or registering a version would be a way to read another experiment's artifacts through
   * `/model-versions/get-artifact`. `runs:/<id>/…` → read on that run; `models:/<name>…` →
   * read on that model; anything else needs `run_id` (read on it) and must lie inside that
   * run's artifacts. Percent-encoded sources are admin-only (nothing to normalize differently).
   */
  private async checkModelVersionSource(request: FastifyRequest, user: AuthUser): Promise<void> {
    const sources = fieldValues(request, ['source']);
    const runIds = fieldValues(request, ['run_id']);
    for (const id of runIds) this.requireExperiment(user, await this.experimentOfRun(id), 'read');
    for (const source of nonEmpty(sources)) {
      if (source.includes('%')) throw permissionDenied('percent-encoded model version sources need an admin');
      const runs = /^runs:\/+([^/]+)/i.exec(source);
      if (runs) {
        this.requireExperiment(user, await this.experimentOfRun(runs[1]!), 'read');
        continue;
      }
      if (/^models:/i.test(source)) {
        const first = source.replace(/^models:\/*/i, '').split('/')[0] ?? '';
        const names = new Set([first]);
        if (first.includes('@')) names.add(first.slice(0, first.lastIndexOf('@')));
        for (const name of names) this.requireModel(user, name, 'read');
        continue;
      }
      if (runIds.length !== 1) throw permissionDenied("a model version source outside 'runs:/' and 'models:/' needs run_id");
      try {
        await resolveModelVersionSource(source, runIds[0], sourceContext(this.app, []));
      } catch (e) {
        if (LablogError.is(e) && e.errorCode === 'INVALID_PARAMETER_VALUE') throw permissionDenied("the source must lie inside the run's artifacts");
        throw e;
      }
    }
  }

  /** Evaluates a whole rule for a non-admin caller. */
  async authorize(request: FastifyRequest, user: AuthUser, rule: RouteRule): Promise<void> {
    switch (rule.access) {
      case 'public':
      case 'authenticated':
        return;
      case 'admin':
        throw permissionDenied();
      case 'self': {
        const names = fieldValues(request, ['username']);
        if (names.length === 0 || names.some((n) => n !== user.username)) throw permissionDenied();
        return;
      }
      case 'resource':
        for (const c of rule.checks) await this.check(request, user, c);
        return;
    }
  }
}

function nonEmpty(values: string[]): string[] {
  const kept = values.filter((v) => v !== '');
  if (kept.length === 0) throw permissionDenied('the request does not name the resource');
  return kept;
}
