/**
 * Reading and writing the file-based model registry (ref §7.3):
 * `models/<name>/meta.yaml`, `tags/<key>`, `aliases/<alias>` (content: the version),
 * `version-<n>/meta.yaml` + `tags/`.
 */
import * as path from 'node:path';
import type { ModelVersion } from '../../entities/model-version.js';
import type { RegisteredModel } from '../../entities/registered-model.js';
import type { Tag } from '../../entities/tag.js';
import type { ModelStage } from '../../entities/enums.js';
import { MODEL_STAGES } from '../../entities/enums.js';
import { ALIASES_DIR, META_FILE, TAGS_DIR, VERSION_DIR_PREFIX } from './paths.js';
import { listSubdirs, readKeyValueDir, readYamlMap, writeYamlAtomic } from './fs-io.js';
import {
  STAGE_DELETED_INTERNAL,
  modelVersionFromMeta,
  modelVersionToMeta,
  registeredModelFromMeta,
  registeredModelToMeta,
} from './meta.js';
import type { ModelVersionMeta, RegisteredModelMeta } from './meta.js';

/** A version as stored: its meta fields and its tags. */
export interface StoredVersion {
  readonly meta: ModelVersionMeta;
  readonly tags: Tag[];
}

/** alias → version, from `aliases/` (each file holds the version number). */
export async function readAliases(modelDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [alias, version] of await readKeyValueDir(path.join(modelDir, ALIASES_DIR))) out[alias] = version.trim();
  return out;
}

/** A registered model's meta; null when the directory holds none. */
export async function readModelMeta(modelDir: string): Promise<RegisteredModelMeta | null> {
  const meta = await readYamlMap(path.join(modelDir, META_FILE)).catch(() => null);
  return meta ? registeredModelFromMeta(meta, path.basename(modelDir)) : null;
}

/** Rewrites a registered model's `meta.yaml`, its `aliases` map taken from `aliases/`. */
export async function saveModelMeta(modelDir: string, meta: RegisteredModelMeta): Promise<void> {
  const aliases = await readAliases(modelDir);
  await writeYamlAtomic(path.join(modelDir, META_FILE), registeredModelToMeta({ ...meta, aliases }), modelDir);
}

/** Sets a registered model's `last_updated_timestamp` (every registry mutation does). */
export async function touchModel(modelDir: string, time: number): Promise<void> {
  const meta = await readModelMeta(modelDir);
  if (meta) await saveModelMeta(modelDir, { ...meta, lastUpdatedTimestamp: time });
}

/** One stored version (deleted ones included); null when absent or unreadable. */
export async function readVersion(modelDir: string, name: string, version: number): Promise<StoredVersion | null> {
  const dir = path.join(modelDir, `${VERSION_DIR_PREFIX}${version}`);
  const meta = await readYamlMap(path.join(dir, META_FILE)).catch(() => null);
  if (!meta) return null;
  const tags = (await readKeyValueDir(path.join(dir, TAGS_DIR))).map(([key, value]) => ({ key, value }));
  return { meta: modelVersionFromMeta(meta, name, version), tags };
}

/** Every stored version of a model, deleted ones included, by version number. */
export async function listVersions(modelDir: string, name: string): Promise<StoredVersion[]> {
  const out: StoredVersion[] = [];
  for (const d of await listSubdirs(modelDir)) {
    if (!d.startsWith(VERSION_DIR_PREFIX)) continue;
    const n = Number(d.slice(VERSION_DIR_PREFIX.length));
    if (!Number.isInteger(n) || n < 1) continue;
    const v = await readVersion(modelDir, name, n);
    if (v) out.push(v);
  }
  return out.sort((a, b) => a.meta.version - b.meta.version);
}

/** Rewrites a version's `meta.yaml`, its `aliases` list taken from `aliases/`. */
export async function saveVersionMeta(modelDir: string, meta: ModelVersionMeta): Promise<void> {
  const aliases = await readAliases(modelDir);
  const mine = Object.keys(aliases).filter((a) => aliases[a] === String(meta.version)).sort();
  const file = path.join(modelDir, `${VERSION_DIR_PREFIX}${meta.version}`, META_FILE);
  await writeYamlAtomic(file, modelVersionToMeta({ ...meta, aliases: mine }), modelDir);
}

/** True for a version soft-deleted with `Deleted_Internal`. */
export function isDeleted(v: StoredVersion): boolean {
  return v.meta.currentStage === STAGE_DELETED_INTERNAL;
}

/** Stored version → entity, with the aliases that point at it. */
export function toModelVersion(v: StoredVersion, aliases: Record<string, string>): ModelVersion {
  const m = v.meta;
  const out: { -readonly [K in keyof ModelVersion]: ModelVersion[K] } = {
    name: m.name,
    version: String(m.version),
    creationTimestamp: m.creationTimestamp,
    lastUpdatedTimestamp: m.lastUpdatedTimestamp,
    currentStage: m.currentStage as ModelStage,
    source: m.source,
    status: m.status,
    tags: v.tags,
    aliases: Object.keys(aliases)
      .filter((a) => aliases[a] === String(m.version))
      .sort(),
  };
  if (m.userId !== null) out.userId = m.userId;
  if (m.description !== null) out.description = m.description;
  if (m.storageLocation !== null) out.storageLocation = m.storageLocation;
  if (m.runId !== null) out.runId = m.runId;
  if (m.statusMessage !== null) out.statusMessage = m.statusMessage;
  if (m.runLink !== null) out.runLink = m.runLink;
  return out;
}

/** The highest non-deleted version in each of `stages` (all four when empty), in stage order. */
export function latestPerStage(versions: readonly StoredVersion[], stages: readonly ModelStage[] = MODEL_STAGES): StoredVersion[] {
  const out: StoredVersion[] = [];
  for (const stage of MODEL_STAGES) {
    if (!stages.includes(stage)) continue;
    let best: StoredVersion | undefined;
    for (const v of versions) {
      if (v.meta.currentStage === stage && (!best || v.meta.version > best.meta.version)) best = v;
    }
    if (best) out.push(best);
  }
  return out;
}

/** The whole registered model: meta, tags, aliases, latest version per stage. */
export async function readRegisteredModel(modelDir: string): Promise<RegisteredModel | null> {
  const meta = await readModelMeta(modelDir);
  if (!meta) return null;
  const aliases = await readAliases(modelDir);
  const tags = (await readKeyValueDir(path.join(modelDir, TAGS_DIR))).map(([key, value]) => ({ key, value }));
  const versions = (await listVersions(modelDir, meta.name)).filter((v) => !isDeleted(v));
  const out: { -readonly [K in keyof RegisteredModel]: RegisteredModel[K] } = {
    name: meta.name,
    creationTimestamp: meta.creationTimestamp,
    lastUpdatedTimestamp: meta.lastUpdatedTimestamp,
    latestVersions: latestPerStage(versions).map((v) => toModelVersion(v, aliases)),
    tags,
    aliases: Object.entries(aliases)
      .map(([alias, version]) => ({ alias, version }))
      .sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0)),
  };
  if (meta.description !== null && meta.description !== '') out.description = meta.description;
  return out;
}
