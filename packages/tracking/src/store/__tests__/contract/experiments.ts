/**
 * Tracking contract: experiments (ref §2.2, §3.3, §5.1, §18).
 */
import { describe, expect, it } from 'vitest';
import type { TrackingContext } from './tracking-context.js';
import { collectPages, expectError, newRun, sleep, uniqueName } from './helpers.js';
import type { SearchExperimentsArgs } from '../../tracking-store.js';
import type { Experiment } from '../../../entities/experiment.js';

const EXPERIMENT_ID_RE = /^[a-zA-Z0-9][\w-]{0,63}$/;
const UNKNOWN_EXPERIMENT_ID = '987654321';

/** CRUD, tags and artifact locations of experiments. */
export function addExperimentTests(ctx: () => TrackingContext): void {
  describe('experiments', () => {
    it('has the default experiment "0" named "Default", active', async () => {
      const { store } = ctx();
      const e = await store.getExperiment('0');
      expect(e.experimentId).toBe('0');
      expect(e.name).toBe('Default');
      expect(e.lifecycleStage).toBe('active');
      const byName = await store.getExperimentByName('Default');
      expect(byName?.experimentId).toBe('0');
    });

    it('creates an experiment and reads it back by id and by name', async () => {
      const { store } = ctx();
      const name = uniqueName();
      const before = Date.now();
      const id = await store.createExperiment(name, undefined, [{ key: 'team', value: 'x' }]);
      expect(typeof id).toBe('string');
      expect(id).toMatch(EXPERIMENT_ID_RE);
      expect(id).not.toBe('0');
      const e = await store.getExperiment(id);
      expect(e).toMatchObject({ experimentId: id, name, lifecycleStage: 'active' });
      expect(e.tags).toEqual([{ key: 'team', value: 'x' }]);
      expect(e.creationTime).toBeGreaterThanOrEqual(before - 1000);
      expect(e.lastUpdateTime).toBeGreaterThanOrEqual(e.creationTime);
      const byName = await store.getExperimentByName(name);
      expect(byName).toMatchObject({ experimentId: id, name });
    });

    it('assigns experiment ids as the store kind promises', async () => {
      const { store, options } = ctx();
      const ids = [await store.createExperiment(uniqueName()), await store.createExperiment(uniqueName()), await store.createExperiment(uniqueName())];
      expect(new Set(ids).size).toBe(3);
      for (const id of ids) expect(id).toMatch(EXPERIMENT_ID_RE);
      if (options.experimentIds === 'sequential') {
        expect(ids).toEqual(['1', '2', '3']);
      }
    });

    it('returns null from getExperimentByName for an unknown name', async () => {
      const { store } = ctx();
      expect(await store.getExperimentByName(uniqueName('nope'))).toBeNull();
    });

    it('rejects a duplicate name with RESOURCE_ALREADY_EXISTS, deleted experiments included', async () => {
      const { store } = ctx();
      const name = uniqueName();
      const id = await store.createExperiment(name);
      await expectError(store.createExperiment(name), 'RESOURCE_ALREADY_EXISTS');
      await store.deleteExperiment(id);
      await expectError(store.createExperiment(name), 'RESOURCE_ALREADY_EXISTS');
      await expectError(store.createExperiment('Default'), 'RESOURCE_ALREADY_EXISTS');
    });

    it('rejects empty and over-long names (500 characters is the limit)', async () => {
      const { store } = ctx();
      await expectError(store.createExperiment(''), 'INVALID_PARAMETER_VALUE');
      await expectError(store.createExperiment('x'.repeat(501)), 'INVALID_PARAMETER_VALUE');
      const id = await store.createExperiment('y'.repeat(500));
      expect((await store.getExperiment(id)).name).toBe('y'.repeat(500));
    });

    it('answers RESOURCE_DOES_NOT_EXIST for an unknown experiment id', async () => {
      const { store } = ctx();
      await expectError(store.getExperiment(UNKNOWN_EXPERIMENT_ID), 'RESOURCE_DOES_NOT_EXIST', UNKNOWN_EXPERIMENT_ID);
      await expectError(store.deleteExperiment(UNKNOWN_EXPERIMENT_ID), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.restoreExperiment(UNKNOWN_EXPERIMENT_ID), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.renameExperiment(UNKNOWN_EXPERIMENT_ID, uniqueName()), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.setExperimentTag(UNKNOWN_EXPERIMENT_ID, { key: 'k', value: 'v' }), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('renames an experiment; the old name is free, the new one must be unique', async () => {
      const { store } = ctx();
      const a = uniqueName();
      const b = uniqueName();
      const id = await store.createExperiment(a);
      const other = await store.createExperiment(b);
      const renamed = uniqueName('renamed');
      await store.renameExperiment(id, renamed);
      expect((await store.getExperiment(id)).name).toBe(renamed);
      expect((await store.getExperimentByName(renamed))?.experimentId).toBe(id);
      expect(await store.getExperimentByName(a)).toBeNull();
      await expectError(store.renameExperiment(other, renamed), 'RESOURCE_ALREADY_EXISTS');
      await expectError(store.renameExperiment(id, ''), 'INVALID_PARAMETER_VALUE');
      expect((await store.getExperiment(other)).name).toBe(b);
    });

    it('refuses to rename a deleted experiment', async () => {
      const { store } = ctx();
      const id = await store.createExperiment(uniqueName());
      await store.deleteExperiment(id);
      await expectError(store.renameExperiment(id, uniqueName()), ['INVALID_STATE', 'INVALID_PARAMETER_VALUE'], /active/i);
    });

    it('soft-deletes an experiment together with its runs, and restores both', async () => {
      const { store } = ctx();
      const name = uniqueName();
      const id = await store.createExperiment(name);
      const run = await newRun(store, id);
      await store.deleteExperiment(id);
      const deleted = await store.getExperiment(id);
      expect(deleted.lifecycleStage).toBe('deleted');
      expect((await store.getExperimentByName(name))?.lifecycleStage).toBe('deleted');
      expect((await store.getRun(run.info.runId)).info.lifecycleStage).toBe('deleted');
      await store.restoreExperiment(id);
      expect((await store.getExperiment(id)).lifecycleStage).toBe('active');
      expect((await store.getRun(run.info.runId)).info.lifecycleStage).toBe('active');
    });

    it('restoring an experiment that is not deleted is RESOURCE_DOES_NOT_EXIST', async () => {
      const { store } = ctx();
      const id = await store.createExperiment(uniqueName());
      await expectError(store.restoreExperiment(id), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('sets, overwrites and deletes experiment tags', async () => {
      const { store } = ctx();
      const id = await store.createExperiment(uniqueName(), undefined, [{ key: 'a', value: '1' }]);
      await store.setExperimentTag(id, { key: 'b', value: '2' });
      await store.setExperimentTag(id, { key: 'a', value: '3' });
      let tags = (await store.getExperiment(id)).tags;
      expect([...tags].sort((x, y) => x.key.localeCompare(y.key))).toEqual([
        { key: 'a', value: '3' },
        { key: 'b', value: '2' },
      ]);
      await store.deleteExperimentTag(id, 'a');
      tags = (await store.getExperiment(id)).tags;
      expect(tags).toEqual([{ key: 'b', value: '2' }]);
      await expectError(store.deleteExperimentTag(id, 'a'), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('limits experiment tag values to 5000 characters, without truncation', async () => {
      const { store } = ctx();
      const id = await store.createExperiment(uniqueName());
      await store.setExperimentTag(id, { key: 'ok', value: 'v'.repeat(5000) });
      await expectError(store.setExperimentTag(id, { key: 'long', value: 'v'.repeat(5001) }), 'INVALID_PARAMETER_VALUE');
      const tags = (await store.getExperiment(id)).tags;
      expect(tags.find((t) => t.key === 'ok')?.value.length).toBe(5000);
      expect(tags.find((t) => t.key === 'long')).toBeUndefined();
    });

    it('refuses experiment tags on a deleted experiment with INVALID_PARAMETER_VALUE', async () => {
      const { store } = ctx();
      const id = await store.createExperiment(uniqueName());
      await store.deleteExperiment(id);
      await expectError(store.setExperimentTag(id, { key: 'k', value: 'v' }), 'INVALID_PARAMETER_VALUE');
    });

    it('defaults the artifact location to <default root>/<id>, and runs to <location>/<run id>/artifacts', async () => {
      const { store, defaultArtifactRoot } = ctx();
      const id = await store.createExperiment(uniqueName());
      const e = await store.getExperiment(id);
      const root = defaultArtifactRoot ?? (await store.getExperiment('0')).artifactLocation.replace(/\/0$/, '');
      expect((await store.getExperiment('0')).artifactLocation).toBe(`${root}/0`);
      expect(e.artifactLocation).toBe(`${root}/${id}`);
      const run = await newRun(store, id);
      expect(run.info.artifactUri).toBe(`${e.artifactLocation}/${run.info.runId}/artifacts`);
    });

    it('keeps a custom artifact location', async () => {
      const { store, options, defaultArtifactRoot } = ctx();
      const location =
        options.artifactLocations === 'under-root' && defaultArtifactRoot !== undefined ? `${defaultArtifactRoot}/custom/prefix` : 's3://bucket/some/prefix';
      const id = await store.createExperiment(uniqueName(), location);
      expect((await store.getExperiment(id)).artifactLocation).toBe(location);
      const run = await newRun(store, id);
      expect(run.info.artifactUri).toBe(`${location}/${run.info.runId}/artifacts`);
    });

    it('rejects runs:/ URIs, fragments and ;params as artifact locations', async () => {
      const { store } = ctx();
      for (const loc of ['runs:/0123456789abcdef0123456789abcdef/model', 's3://bucket/path#frag', 's3://bucket/path;param=1']) {
        const name = uniqueName();
        await expectError(store.createExperiment(name, loc), 'INVALID_PARAMETER_VALUE');
        expect(await store.getExperimentByName(name), `no experiment left behind for ${loc}`).toBeNull();
      }
    });
  });

  describe('searchExperiments', () => {
    async function names(args: SearchExperimentsArgs): Promise<string[]> {
      const page = await ctx().store.searchExperiments({ maxResults: 1000, ...args });
      return page.items.map((e) => e.name);
    }

    it('returns active experiments by default, deleted ones with DELETED_ONLY, both with ALL', async () => {
      const { store } = ctx();
      const p = uniqueName('vt');
      await store.createExperiment(`${p}-a`);
      const b = await store.createExperiment(`${p}-b`);
      await store.deleteExperiment(b);
      const filter = `name LIKE '${p}-%'`;
      expect(await names({ filter })).toEqual([`${p}-a`]);
      expect(await names({ filter, viewType: 'ACTIVE_ONLY' })).toEqual([`${p}-a`]);
      expect(await names({ filter, viewType: 'DELETED_ONLY' })).toEqual([`${p}-b`]);
      expect((await names({ filter, viewType: 'ALL' })).sort()).toEqual([`${p}-a`, `${p}-b`]);
      const all = await names({});
      expect(all).toContain('Default');
      expect(all).not.toContain(`${p}-b`);
    });

    it('filters by name (=, !=, LIKE case-sensitive, ILIKE) and by tags', async () => {
      const { store } = ctx();
      const p = uniqueName('flt');
      await store.createExperiment(`${p}-alpha`, undefined, [{ key: 'team', value: 'red' }]);
      await store.createExperiment(`${p}-Beta`, undefined, [{ key: 'team', value: 'blue' }]);
      await store.createExperiment(`${p}-gamma`);
      expect(await names({ filter: `name = '${p}-alpha'` })).toEqual([`${p}-alpha`]);
      expect((await names({ filter: `name LIKE '${p}-%' AND name != '${p}-alpha'`, orderBy: ['name ASC'] }))).toEqual([`${p}-Beta`, `${p}-gamma`]);
      expect(await names({ filter: `name LIKE '${p}-b%'` })).toEqual([]);
      expect(await names({ filter: `name ILIKE '${p}-b%'` })).toEqual([`${p}-Beta`]);
      expect(await names({ filter: `name LIKE '${p}-%' AND tags.team = 'red'` })).toEqual([`${p}-alpha`]);
      expect(await names({ filter: `name LIKE '${p}-%' AND tags.team != 'red'` })).toEqual([`${p}-Beta`]);
      expect(await names({ filter: `name LIKE '${p}-%' AND tags.team ILIKE 'BL%'` })).toEqual([`${p}-Beta`]);
    });

    it('orders by name and defaults to creation_time DESC', async () => {
      const { store } = ctx();
      const p = uniqueName('ord');
      for (const s of ['b', 'c', 'a']) {
        await store.createExperiment(`${p}-${s}`);
        await sleep(5);
      }
      const filter = `name LIKE '${p}-%'`;
      expect(await names({ filter, orderBy: ['name ASC'] })).toEqual([`${p}-a`, `${p}-b`, `${p}-c`]);
      expect(await names({ filter, orderBy: ['name DESC'] })).toEqual([`${p}-c`, `${p}-b`, `${p}-a`]);
      expect(await names({ filter })).toEqual([`${p}-a`, `${p}-c`, `${p}-b`]);
    });

    it('pages through results with tokens, without duplicates or gaps', async () => {
      const { store } = ctx();
      const p = uniqueName('page');
      for (let i = 0; i < 7; i++) await store.createExperiment(`${p}-${i}`);
      const filter = `name LIKE '${p}-%'`;
      const { items, pages } = await collectPages<Experiment>((pageToken) => {
        const a: SearchExperimentsArgs = { filter, maxResults: 3, orderBy: ['name ASC'] };
        if (pageToken !== undefined) a.pageToken = pageToken;
        return store.searchExperiments(a);
      }, 3);
      expect(items.map((e) => e.name)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `${p}-${i}`));
      expect(pages.length).toBeGreaterThanOrEqual(3);
      const first = await store.searchExperiments({ filter, maxResults: 3, orderBy: ['name ASC'] });
      expect(first.nextPageToken, 'a full page with more rows after it carries a token').toBeTruthy();
      const last = await store.searchExperiments({ filter, maxResults: 10, orderBy: ['name ASC'] });
      expect(last.items).toHaveLength(7);
      expect(last.nextPageToken ?? '').toBe('');
    });

    it('bounds max_results to 1..50000 and rejects a malformed page token', async () => {
      const { store } = ctx();
      await expectError(store.searchExperiments({ maxResults: 0 }), 'INVALID_PARAMETER_VALUE');
      await expectError(store.searchExperiments({ maxResults: 50_001 }), 'INVALID_PARAMETER_VALUE');
      expect((await store.searchExperiments({ maxResults: 1 })).items.length).toBe(1);
      expect((await store.searchExperiments({ maxResults: 50_000 })).items.length).toBeGreaterThanOrEqual(1);
      await expectError(store.searchExperiments({ maxResults: 10, pageToken: 'not a token!' }), 'INVALID_PARAMETER_VALUE');
    });

    it('rejects malformed filters and order_by with INVALID_PARAMETER_VALUE', async () => {
      const { store } = ctx();
      await expectError(store.searchExperiments({ maxResults: 10, filter: 'badfilter' }), 'INVALID_PARAMETER_VALUE');
      await expectError(store.searchExperiments({ maxResults: 10, filter: "metrics.x = 'a'" }), 'INVALID_PARAMETER_VALUE');
      await expectError(store.searchExperiments({ maxResults: 10, filter: "name = 'a' OR name = 'b'" }), 'INVALID_PARAMETER_VALUE');
      await expectError(store.searchExperiments({ maxResults: 10, orderBy: ['foo.bar'] }), 'INVALID_PARAMETER_VALUE');
    });
  });
}
