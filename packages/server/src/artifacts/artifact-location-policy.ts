/**
 * Which experiment `artifact_location`s this server accepts (security.md §2.4). MLflow's own
 * rules (`validateArtifactLocation`: no fragment, no `;params`, no `runs:/`, length cap) apply
 * first; then the location must keep every byte the server may later touch inside its
 * configured roots:
 *
 * - `mlflow-artifacts:/<p>` (mapped into the artifacts destination), `<p>` a safe path;
 * - a `file:` URI or plain path under the local artifacts destination or the local default
 *   artifact root (checked on the real file system, so a symlink out of a root does not count);
 * - `s3://bucket/prefix` under the destination's or default root's bucket and prefix.
 *
 * Anything else — `file:///etc`, another bucket, `http(s)`, `ftp`, … — is 400
 * INVALID_PARAMETER_VALUE. So is any location whose percent-decoded form has a `..` segment, a
 * query, a fragment, a backslash or a control character, whatever the scheme.
 */
import * as nodePath from 'node:path';
import type { FastifyInstance } from 'fastify';
import { fileUriToPath, invalidParameter, LablogError, resolveUnderRoot, validateArtifactLocation } from '@lablog/tracking';
import { proxiedArtifactPath } from './artifact-root.js';
import type { ArtifactStore } from './artifact-store.js';

/** What the policy compares locations with. */
export interface ArtifactLocationPolicyOptions {
  /** The artifacts destination, when the server serves artifacts. */
  destination?: ArtifactStore | null;
  /** The default artifact root of new experiments (`mlflow-artifacts:/`, `file:///…`, `s3://…`). */
  defaultArtifactRoot?: string;
}

const MAX_DECODE_ROUNDS = 10;

function refused(location: string, why: string): LablogError {
  const shown = location.length > 200 ? `${location.slice(0, 200)}…` : location;
  return invalidParameter(`Invalid artifact location '${shown}': ${why}`);
}

/** Percent-decodes until stable; null when it never settles or is not decodable. */
function decodeStable(s: string): string | null {
  let cur = s;
  for (let i = 0; i < MAX_DECODE_ROUNDS; i++) {
    let next: string;
    try {
      next = decodeURIComponent(cur);
    } catch {
      return null;
    }
    if (next === cur) return cur;
    cur = next;
  }
  return null;
}

function schemeOf(uri: string): string | null {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri);
  return m === null || m[1]!.length === 1 ? null : m[1]!.toLowerCase();
}

/** True when the local path `abs` is `root` or below it, symlinks resolved. */
async function localWithin(root: string, abs: string): Promise<boolean> {
  const rel = nodePath.relative(root, abs);
  if (rel === '') return true;
  if (rel === '..' || rel.startsWith(`..${nodePath.sep}`) || nodePath.isAbsolute(rel)) return false;
  try {
    await resolveUnderRoot(root, rel.split(nodePath.sep).join('/'));
    return true;
  } catch (e) {
    if (LablogError.is(e) && e.errorCode === 'INVALID_PARAMETER_VALUE') return false;
    throw e;
  }
}

/** `{ bucket, prefix }` of an `s3://` URI without validation beyond its shape. */
function s3Parts(uri: string): { bucket: string; prefix: string } | null {
  const m = /^s3:\/\/([^/?#]+)(\/[^?#]*)?$/i.exec(uri);
  if (m === null) return null;
  return { bucket: m[1]!, prefix: (m[2] ?? '').split('/').filter((s) => s !== '' && s !== '.').join('/') };
}

function prefixWithin(root: string, child: string): boolean {
  return root === '' || child === root || child.startsWith(`${root}/`);
}

/** Decides whether an experiment artifact location is acceptable. */
export class ArtifactLocationPolicy {
  private readonly localRoots: string[] = [];
  private readonly s3Roots: Array<{ bucket: string; prefix: string }> = [];

  constructor(options: ArtifactLocationPolicyOptions = {}) {
    const dest = options.destination ?? null;
    if (dest?.localDir) this.localRoots.push(dest.localDir);
    if (dest?.s3) this.s3Roots.push(dest.s3);
    const root = options.defaultArtifactRoot;
    if (root) {
      const scheme = schemeOf(root);
      if (scheme === null || scheme === 'file') this.localRoots.push(fileUriToPath(root));
      else if (scheme === 's3') {
        const parts = s3Parts(root);
        if (parts) this.s3Roots.push(parts);
      }
    }
  }

  /** @throws LablogError INVALID_PARAMETER_VALUE when the location is refused. */
  async check(location: string): Promise<void> {
    validateArtifactLocation(location);
    const decoded = decodeStable(location);
    if (decoded === null) throw refused(location, 'it does not decode to a stable value');
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f\\?#]/.test(decoded)) throw refused(location, 'it contains a query, fragment, backslash or control character');
    if (decoded.split('/').includes('..')) throw refused(location, "it contains a '..' segment");
    const scheme = schemeOf(location);

    if (scheme === 'mlflow-artifacts') {
      proxiedArtifactPath(location);
      return;
    }
    if (scheme === null || scheme === 'file') {
      const abs = fileUriToPath(location);
      for (const root of this.localRoots) if (await localWithin(root, abs)) return;
      throw refused(location, 'local locations must lie under the server\'s artifacts destination or default artifact root; use mlflow-artifacts:/ instead');
    }
    if (scheme === 's3') {
      const parts = s3Parts(location);
      if (parts && this.s3Roots.some((r) => r.bucket === parts.bucket && prefixWithin(r.prefix, parts.prefix))) return;
      throw refused(location, "s3 locations must lie under the server's configured bucket and prefix");
    }
    throw refused(location, `this server does not accept '${scheme}:' artifact locations`);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by the artifacts plugin; absent when an app is built without it. */
    artifactLocationPolicy?: ArtifactLocationPolicy;
  }
}

/**
 * Checks an `experiments/create` artifact location against the app's policy. An absent or
 * empty location (the store's default) is always fine. Without a policy on the app, only
 * MLflow's own rules and `mlflow-artifacts:` locations pass.
 */
export async function checkArtifactLocation(app: FastifyInstance, location: string | undefined): Promise<void> {
  if (!location) return;
  await (app.artifactLocationPolicy ?? new ArtifactLocationPolicy()).check(location);
}
