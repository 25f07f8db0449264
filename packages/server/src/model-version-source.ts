/**
 * The one place the server decides whether a model version's `source` is acceptable, and
 * where it really points (its `storage_location`). security.md §2.3 lists a decade of local
 * file inclusion through `source` (CVE-2023-1177, -1176, -2356, -2780, -6977, CVE-2024-3573,
 * -1558, -8859, CVE-2026-2614); this module closes the class by construction: a source is
 * accepted only in one of these forms, and anything else is a 400.
 *
 * | source                                  | accepted when                          | storage location                         |
 * |-----------------------------------------|----------------------------------------|------------------------------------------|
 * | `runs:/<run_id>[/<path>]`               | the run exists, `path` is a safe path  | the run's artifact URI + `/<path>`       |
 * | `models:/<name>/<version\|stage\|latest>`, `models:/<name>@<alias>` | the version exists, and its own location passes this check | that version's location |
 * | a `file:` URI or an absolute path       | inside a local root, on the real file system (symlinks resolved) | `file://` URI of the real path |
 * | any other URI (`s3:`, `mlflow-artifacts:`, `http:`…) | textually inside a root of the same scheme | the source |
 *
 * The roots are the artifact URI of the run named by `run_id` (when given) and the server's own
 * artifact roots (the store's default artifact root). Before any of this, the whole source is
 * percent-decoded until stable (10 rounds at most), and rejected if the result holds a control
 * character (NUL…), `\`, `#`, `?`, or a `.`/`..` segment, or if decoding changed its scheme
 * (`%66ile:`); a relative local path and a `//host` path are rejected too. So neither an encoded
 * nor a double-encoded traversal, nor an anchor, survives to a later decoding step.
 *
 * The server never reads a path, nor fetches a URL, that did not pass here: the model-version
 * artifact route runs its download URI through the same function again before reading.
 */
import * as nodePath from 'node:path';
import {
  LablogError,
  fileUriToPath,
  invalidParameter,
  missingValue,
  parseModelUri,
  pathToFileUri,
  resolveModelVersion,
  resolveUnderRoot,
  validateArtifactPath,
  type ModelVersion,
  type ParsedModelUri,
  type RegistryStore,
} from '@lablog/tracking';

/** What {@link resolveModelVersionSource} needs from the server. */
export interface SourceContext {
  /** The server's artifact roots (e.g. the store's default artifact root); may be empty. */
  readonly artifactRoots: readonly string[];
  /** The artifact URI of a run; RESOURCE_DOES_NOT_EXIST for an unknown run. */
  runArtifactUri(runId: string): Promise<string>;
  /** Registry reads, for `models:/` sources. */
  readonly registry: Pick<RegistryStore, 'getModelVersion' | 'getLatestVersions' | 'getModelVersionByAlias'>;
}

/** Options of {@link resolveModelVersionSource}. */
export interface ResolveSourceOptions {
  /** Accept `models:/` URIs (default true). False when re-checking a stored location. */
  readonly allowModelsUri?: boolean;
}

/** Rounds of percent-decoding before a still-changing source is rejected (as for artifact paths). */
export const MAX_SOURCE_DECODE_ROUNDS = 10;

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
const MAX_SHOWN = 300;

function shown(source: string): string {
  return source.length > MAX_SHOWN ? `${source.slice(0, MAX_SHOWN)}…` : source;
}

function invalidSource(source: string, why: string): LablogError {
  return invalidParameter(
    `Invalid model version source: '${shown(source)}'. ${why} A source must be a runs:/<run_id>/<path> or ` +
      `models:/<name>/<version> URI, or a location inside the artifact root of the run given by run_id or of this server.`,
  );
}

/** The lower-cased scheme, or null for a plain path (a single letter is a drive, not a scheme). */
function schemeOf(uri: string): string | null {
  const m = SCHEME.exec(uri);
  return m === null || m[1]!.length === 1 ? null : m[1]!.toLowerCase();
}

/** One round of forgiving percent-decoding (Python's `unquote`: bad escapes kept, bad UTF-8 → U+FFFD). */
function percentDecodeOnce(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(PERCENT_RUN, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      const bytes = new Uint8Array(run.length / 3);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
      return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    }
  });
}

/** Decodes until stable; null when still changing after {@link MAX_SOURCE_DECODE_ROUNDS}. */
function decodeUntilStable(s: string): string | null {
  let current = s;
  for (let round = 0; round < MAX_SOURCE_DECODE_ROUNDS; round++) {
    const next = percentDecodeOnce(current);
    if (next === current) return current;
    current = next;
  }
  return null;
}

/** The checks every source passes first, on its fully decoded form. */
function checkDecoded(source: string): void {
  const decoded = decodeUntilStable(source);
  if (decoded === null) throw invalidSource(source, 'It is percent-encoded too many times.');
  if (CONTROL_CHARS.test(decoded)) throw invalidSource(source, 'It contains a control character.');
  if (decoded.includes('\\')) throw invalidSource(source, "It contains '\\'.");
  if (decoded.includes('#') || decoded.includes('?')) throw invalidSource(source, "It contains a fragment ('#') or a query ('?').");
  if (decoded.split('/').some((s) => s === '..' || s === '.')) throw invalidSource(source, "It contains a '.' or '..' segment.");
  if (schemeOf(decoded) !== schemeOf(source)) throw invalidSource(source, 'Its scheme is percent-encoded.');
}

function joinUri(root: string, rel: string): string {
  return rel === '' ? root : `${root.replace(/\/+$/, '')}/${rel}`;
}

/** `runs:/<run_id>[/<path>]` → the run's artifact URI joined with the checked path. */
async function resolveRunsUri(source: string, ctx: SourceContext): Promise<string> {
  const rest = source.slice('runs:'.length);
  if (!rest.startsWith('/') || rest.startsWith('//')) throw invalidSource(source, "A runs:/ URI is 'runs:/<run_id>/<path>'.");
  const cut = rest.indexOf('/', 1);
  const runId = cut < 0 ? rest.slice(1) : rest.slice(1, cut);
  if (!RUN_ID.test(runId)) throw invalidSource(source, `'${shown(runId)}' is not a run id.`);
  const path = cut < 0 ? '' : validateArtifactPath(rest.slice(cut + 1));
  return joinUri(await ctx.runArtifactUri(runId), path);
}

/**
 * `models:/…` → the model version it names, through tracking's one model-URI parser
 * (`models:/<model_id>` LoggedModel sources are refused there).
 */
async function modelsUriVersion(source: string, ctx: SourceContext): Promise<ModelVersion> {
  let parsed: ParsedModelUri;
  try {
    parsed = parseModelUri(source);
  } catch (e) {
    throw invalidSource(source, LablogError.is(e) ? e.message : 'Not a proper models:/ URI.');
  }
  if (parsed.kind === 'logged-model') throw invalidSource(source, 'LoggedModel sources (models:/<model_id>) are not supported.');
  return resolveModelVersion(ctx.registry, parsed);
}

/** The local path a local source names (a `file:` URI or an absolute path), or a 400. */
function localPathOf(source: string, scheme: string | null): string {
  if (scheme === null) {
    if (!source.startsWith('/') || source.startsWith('//')) throw invalidSource(source, 'A local source must be an absolute path.');
    return source;
  }
  let path: string;
  try {
    path = fileUriToPath(source);
  } catch (e) {
    throw invalidSource(source, LablogError.is(e) ? e.message + '.' : 'It is not a valid file URI.');
  }
  if (!nodePath.isAbsolute(path)) throw invalidSource(source, 'A local source must be an absolute path.');
  return path;
}

/** The real location of a local source under a local root, or null when it is not under it. */
async function localUnderRoot(localPath: string, root: string): Promise<string | null> {
  let rootDir: string;
  try {
    rootDir = fileUriToPath(root);
  } catch {
    return null;
  }
  const rel = nodePath.relative(nodePath.resolve(rootDir), nodePath.resolve(localPath));
  if (rel === '..' || rel.startsWith(`..${nodePath.sep}`) || nodePath.isAbsolute(rel)) return null;
  try {
    return pathToFileUri(await resolveUnderRoot(rootDir, rel.split(nodePath.sep).join('/')));
  } catch (e) {
    if (LablogError.is(e) && e.errorCode === 'INVALID_PARAMETER_VALUE') return null; // a symlink out of the root
    throw e;
  }
}

/** True when a non-local `source` lies textually inside `root` (same scheme, whole segments, no `//`). */
function remoteUnderRoot(source: string, scheme: string, root: string): boolean {
  if (schemeOf(root) !== scheme) return false;
  const norm = (u: string) => scheme + u.slice(scheme.length);
  const base = norm(root).replace(/\/+$/, '');
  const full = norm(source);
  if (!full.startsWith(base)) return false;
  const rest = full.slice(base.length);
  if (rest === '' || rest === '/') return true;
  if (!rest.startsWith('/')) return false;
  const segments = rest.slice(1).replace(/\/$/, '').split('/');
  return segments.every((s) => s !== '');
}

/** The location of a source that is neither `runs:/` nor `models:/`: inside one of the roots, or a 400. */
async function resolveLocation(source: string, scheme: string | null, runId: string | undefined, ctx: SourceContext): Promise<string> {
  const local = scheme === null || scheme === 'file';
  const localPath = local ? localPathOf(source, scheme) : '';
  const tryRoots = async (roots: readonly string[]): Promise<string | null> => {
    for (const root of roots) {
      if (local) {
        if ((schemeOf(root) ?? 'file') !== 'file') continue;
        const found = await localUnderRoot(localPath, root);
        if (found !== null) return found;
      } else if (remoteUnderRoot(source, scheme!, root)) {
        return source;
      }
    }
    return null;
  };
  const inServerRoot = await tryRoots(ctx.artifactRoots);
  if (inServerRoot !== null) return inServerRoot;
  if (runId !== undefined && runId !== '') {
    const inRunRoot = await tryRoots([await ctx.runArtifactUri(runId)]);
    if (inRunRoot !== null) return inRunRoot;
  }
  const where = runId ? `the artifact root of run '${shown(runId)}' or of this server` : 'an artifact root of this server (and no run_id was given)';
  throw invalidSource(source, `It is not inside ${where}.`);
}

/**
 * Checks a model version `source` and returns where it really points: the `storage_location`
 * to store with the version, and the only location the server will ever read the version's
 * files from. See the module comment for the accepted forms.
 *
 * @param source - the source as the client sent it.
 * @param runId - the request's `run_id`, if any: its artifact root is then a root too.
 * @throws LablogError INVALID_PARAMETER_VALUE for a source outside every root or malformed;
 *   RESOURCE_DOES_NOT_EXIST for an unknown run or model version it names.
 */
export async function resolveModelVersionSource(
  source: string,
  runId: string | undefined,
  ctx: SourceContext,
  options: ResolveSourceOptions = {},
): Promise<string> {
  if (typeof source !== 'string' || source === '') throw missingValue('source');
  checkDecoded(source);
  const scheme = schemeOf(source);
  if (scheme === 'runs') return resolveRunsUri(source, ctx);
  if (scheme === 'models') {
    if (options.allowModelsUri === false) throw invalidSource(source, 'A stored location cannot be a models:/ URI.');
    const target = await modelsUriVersion(source, ctx);
    return resolveModelVersionSource(target.storageLocation ?? target.source, target.runId, ctx, { allowModelsUri: false });
  }
  return resolveLocation(source, scheme, runId, ctx);
}
