/** Builders and assertions shared by the search tests. */
import { expect } from 'vitest';
import { LablogError } from '../../errors.js';
import type { Experiment } from '../../entities/experiment.js';
import type { ModelVersion } from '../../entities/model-version.js';
import type { RegisteredModel } from '../../entities/registered-model.js';
import type { Run } from '../../entities/run.js';

/** Runs `fn`, expects an INVALID_PARAMETER_VALUE LablogError naming `position`, returns its message. */
export function expectSearchError(fn: () => unknown, position: number, message?: RegExp | string): string {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a LablogError').toBeInstanceOf(LablogError);
  const err = thrown as LablogError;
  expect(err.errorCode).toBe('INVALID_PARAMETER_VALUE');
  expect(err.httpStatus).toBe(400);
  expect(err.message).toMatch(new RegExp(`\\bposition ${position}\\b`));
  if (message !== undefined) {
    if (typeof message === 'string') expect(err.message).toContain(message);
    else expect(err.message).toMatch(message);
  }
  return err.message;
}

/** The parts of a test run that matter to search. */
export interface RunSpec {
  id: string;
  name?: string;
  start?: number;
  end?: number | null;
  status?: Run['info']['status'];
  user?: string;
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  datasets?: { name: string; digest: string; context?: string }[];
}

/** A run built from a {@link RunSpec}. */
export function makeRun(s: RunSpec): Run {
  return {
    info: {
      runId: s.id,
      experimentId: '1',
      runName: s.name ?? s.id,
      userId: s.user ?? 'alice',
      status: s.status ?? 'FINISHED',
      startTime: s.start ?? 1000,
      endTime: s.end === undefined ? 2000 : s.end,
      artifactUri: `file:///mlruns/1/${s.id}/artifacts`,
      lifecycleStage: 'active',
    },
    data: {
      metrics: Object.entries(s.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: 1, step: 0 })),
      params: Object.entries(s.params ?? {}).map(([key, value]) => ({ key, value })),
      tags: Object.entries(s.tags ?? {}).map(([key, value]) => ({ key, value })),
    },
    inputs: {
      datasetInputs: (s.datasets ?? []).map((d) => ({
        dataset: { name: d.name, digest: d.digest, sourceType: 'local', source: '{}' },
        tags: d.context === undefined ? [] : [{ key: 'mlflow.data.context', value: d.context }],
      })),
    },
  };
}

/** Ids of runs (or anything with `info.runId`), in order. */
export const runIds = (runs: readonly Run[]): string[] => runs.map((r) => r.info.runId);

/** An experiment with the given fields. */
export function makeExperiment(id: string, name: string, creationTime: number, tags: Record<string, string> = {}, lastUpdateTime = creationTime): Experiment {
  return {
    experimentId: id,
    name,
    artifactLocation: `file:///mlruns/${id}`,
    lifecycleStage: 'active',
    creationTime,
    lastUpdateTime,
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  };
}

/** A registered model with the given fields. */
export function makeModel(name: string, created: number, updated = created, tags: Record<string, string> = {}): RegisteredModel {
  return {
    name,
    creationTimestamp: created,
    lastUpdatedTimestamp: updated,
    latestVersions: [],
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    aliases: [],
  };
}

/** A model version with the given fields. */
export function makeVersion(
  name: string,
  version: number,
  opts: { updated?: number; runId?: string; source?: string; tags?: Record<string, string> } = {},
): ModelVersion {
  return {
    name,
    version: String(version),
    creationTimestamp: 1,
    lastUpdatedTimestamp: opts.updated ?? 1,
    currentStage: 'None',
    source: opts.source ?? `runs:/r/${name}`,
    status: 'READY',
    tags: Object.entries(opts.tags ?? {}).map(([key, value]) => ({ key, value })),
    aliases: [],
    ...(opts.runId === undefined ? {} : { runId: opts.runId }),
  };
}
