/**
 * Model URIs (ref §6.3, MLflow's `_parse_model_uri` and `RunsArtifactRepository.parse_runs_uri`):
 * parsing `models:/…` and `runs:/…` into a typed form, and resolving a registry URI to the
 * {@link ModelVersion} it names.
 *
 * | form                          | kind           |
 * |-------------------------------|----------------|
 * | `models:/<name>/<digits>`     | `version`      |
 * | `models:/<name>/latest`       | `latest` (any case) |
 * | `models:/<name>/<stage>`      | `stage` (any case, canonicalised) |
 * | `models:/<name>@<alias>`      | `alias` (split at the last `@`) |
 * | `models:/<model_id>`          | `logged-model` (MLflow 3 LoggedModel id) |
 * | `runs:/<run_id>[/<path>]`     | `run`          |
 */
import type { ModelVersion } from './entities/model-version.js';
import { modelStageFrom, type ModelStage } from './entities/enums.js';
import { LablogError, invalidParameter } from './errors.js';

/** A parsed `models:/` or `runs:/` URI; `uri` is the text as given. */
export type ParsedModelUri =
  | { readonly kind: 'version'; readonly uri: string; readonly name: string; readonly version: string }
  | { readonly kind: 'latest'; readonly uri: string; readonly name: string }
  | { readonly kind: 'stage'; readonly uri: string; readonly name: string; readonly stage: ModelStage }
  | { readonly kind: 'alias'; readonly uri: string; readonly name: string; readonly alias: string }
  | { readonly kind: 'logged-model'; readonly uri: string; readonly modelId: string }
  | { readonly kind: 'run'; readonly uri: string; readonly runId: string; readonly artifactPath: string };

/** The kinds of {@link ParsedModelUri} that name a registered model version. */
export type RegistryModelUri = Extract<ParsedModelUri, { kind: 'version' | 'latest' | 'stage' | 'alias' }>;

/**
 * What {@link resolveModelVersion} needs: the three registry reads. `TrackingClient` and every
 * `RegistryStore` have them.
 */
export interface ModelVersionResolver {
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
}

const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

function improperModelsUri(uri: string, why?: string): LablogError {
  return invalidParameter(
    `Not a proper models:/ URI: ${uri}. ${why ? `${why}. ` : ''}Model URIs must be of the form 'models:/<name>/<version>', ` +
      `'models:/<name>/<stage>', 'models:/<name>/latest', 'models:/<name>@<alias>', 'models:/<model_id>' or 'runs:/<run_id>/<path>'.`,
  );
}

function improperRunsUri(uri: string, why?: string): LablogError {
  return invalidParameter(
    `Not a proper runs:/ URI: ${uri}. ${why ? `${why}. ` : ''}Runs URIs must be of the form 'runs:/<run_id>/<run-relative/path/to/artifact>'.`,
  );
}

/**
 * Parses a `models:/` or `runs:/` URI (the scheme in any case).
 *
 * A `models:/` URI has at most two path segments; a purely numeric suffix is a version, `latest`
 * (any case) the highest version, any other suffix must be a stage (`None`, `Staging`,
 * `Production`, `Archived`, any case). One segment with an `@` is `<name>@<alias>`, split at
 * the last `@`; one segment without is a LoggedModel id. A `runs:/` URI names a run id
 * (`^[a-zA-Z0-9][\w-]{0,255}$`) and a run-relative path without `..` segments (empty for the
 * run's artifact root, as MLflow allows). Query strings, `scheme://host` forms, empty
 * segments and control characters are refused.
 *
 * @throws LablogError INVALID_PARAMETER_VALUE "Not a proper models:/ URI: …" (or "runs:/").
 */
export function parseModelUri(uri: string): ParsedModelUri {
  if (typeof uri !== 'string') throw improperModelsUri(String(uri));
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(uri);
  const scheme = m?.[1]!.toLowerCase();
  if (scheme === 'runs') return parseRunsUri(uri, m![2]!);
  if (scheme !== 'models') throw improperModelsUri(uri);
  const rest = m![2]!;
  if (CONTROL.test(rest)) throw improperModelsUri(uri, 'It contains control characters');
  if (rest.includes('?')) throw improperModelsUri(uri, 'It must not have a query string');
  if (!rest.startsWith('/') || rest.length <= 1) throw improperModelsUri(uri);
  if (rest.startsWith('//')) throw improperModelsUri(uri, "Registry hosts in the URI ('models://…') are not supported");
  const parts = rest.slice(1).split('/');
  if (parts.length > 2 || parts[0]!.trim() === '') throw improperModelsUri(uri);
  if (parts.length === 2) {
    const [name, suffix] = parts as [string, string];
    if (suffix.trim() === '') throw improperModelsUri(uri);
    if (/^\d+$/.test(suffix)) return { kind: 'version', uri, name, version: suffix };
    if (suffix.toLowerCase() === 'latest') return { kind: 'latest', uri, name };
    const stage = modelStageFrom(suffix);
    if (stage === undefined) throw improperModelsUri(uri, `'${suffix}' is not a version number, 'latest' or a stage (None, Staging, Production, Archived)`);
    return { kind: 'stage', uri, name, stage };
  }
  const segment = parts[0]!;
  const at = segment.lastIndexOf('@');
  if (at >= 0) {
    const name = segment.slice(0, at);
    const alias = segment.slice(at + 1);
    if (name.trim() === '' || alias.trim() === '') throw improperModelsUri(uri);
    return { kind: 'alias', uri, name, alias };
  }
  return { kind: 'logged-model', uri, modelId: segment };
}

function parseRunsUri(uri: string, rest: string): ParsedModelUri {
  if (CONTROL.test(rest)) throw improperRunsUri(uri, 'It contains control characters');
  if (rest.includes('?')) throw improperRunsUri(uri, 'It must not have a query string');
  if (!rest.startsWith('/') || rest.startsWith('//') || rest.length <= 1) throw improperRunsUri(uri);
  const [runId, ...pathParts] = rest.slice(1).split('/') as [string, ...string[]];
  if (!RUN_ID.test(runId)) throw improperRunsUri(uri, `'${runId}' is not a valid run id`);
  // `runs:/<id>/` and `runs:/<id>` both mean the artifact root; a trailing slash is dropped.
  if (pathParts.length > 0 && pathParts[pathParts.length - 1] === '') pathParts.pop();
  for (const p of pathParts) {
    const decoded = safeDecode(p);
    if (p === '' || decoded === '..' || decoded === '.' || decoded.includes('/') || decoded.includes('\\')) {
      throw improperRunsUri(uri, 'The artifact path must be relative, without empty, "." or ".." segments');
    }
  }
  return { kind: 'run', uri, runId, artifactPath: pathParts.join('/') };
}

/** Percent-decodes until stable (so `%252e%252e` is seen as `..`); malformed escapes stay. */
export function safeDecode(text: string): string {
  let current = text;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current.replace(/\+/g, ' '));
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** True when the parsed URI names a registered model version (version, latest, stage, alias). */
export function isRegistryModelUri(parsed: ParsedModelUri): parsed is RegistryModelUri {
  return parsed.kind === 'version' || parsed.kind === 'latest' || parsed.kind === 'stage' || parsed.kind === 'alias';
}

/**
 * The model version a registry URI names: the version itself; for `latest`, the highest
 * version across all stages; for a stage, the highest version in that stage; for an alias,
 * the version it points to (`@latest`, any case, is read as `latest`). Deleted versions are
 * never returned.
 *
 * @param client a `TrackingClient` (or any {@link ModelVersionResolver}, e.g. a registry store)
 * @param uri a URI, or the result of {@link parseModelUri}
 * @throws LablogError INVALID_PARAMETER_VALUE for a malformed URI, a `runs:/` URI or a
 *   LoggedModel id; RESOURCE_DOES_NOT_EXIST when the model or version does not exist or no
 *   version is in the stage; INVALID_PARAMETER_VALUE "Registered model alias X not found."
 */
export async function resolveModelVersion(client: ModelVersionResolver, uri: ParsedModelUri | string): Promise<ModelVersion> {
  const parsed = typeof uri === 'string' ? parseModelUri(uri) : uri;
  switch (parsed.kind) {
    case 'version':
      return client.getModelVersion(parsed.name, parsed.version);
    case 'latest':
      return highest(client, parsed.name, undefined);
    case 'stage':
      return highest(client, parsed.name, parsed.stage);
    case 'alias':
      if (parsed.alias.toLowerCase() === 'latest') return highest(client, parsed.name, undefined);
      return client.getModelVersionByAlias(parsed.name, parsed.alias);
    case 'logged-model':
      throw invalidParameter(
        `'${parsed.uri}' names a LoggedModel id (MLflow 3), which lablog does not track; use 'models:/<name>/<version>', 'models:/<name>/<stage>', 'models:/<name>/latest' or 'models:/<name>@<alias>'.`,
      );
    case 'run':
      throw invalidParameter(`'${parsed.uri}' names run artifacts, not a registered model version.`);
  }
}

async function highest(client: ModelVersionResolver, name: string, stage: ModelStage | undefined): Promise<ModelVersion> {
  const latest = await client.getLatestVersions(name, stage === undefined ? undefined : [stage]);
  let best: ModelVersion | undefined;
  for (const v of latest) if (best === undefined || Number(v.version) > Number(best.version)) best = v;
  if (best === undefined) {
    const stageText = stage === undefined ? '' : ` and stage '${stage}'`;
    throw new LablogError(`No versions of model with name '${name}'${stageText} found`, 'RESOURCE_DOES_NOT_EXIST');
  }
  return best;
}
