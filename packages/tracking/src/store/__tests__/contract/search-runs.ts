/**
 * Tracking contract: searchRunsPage, its filter and order_by grammar, view types and paging
 * (ref §2.3, §3.1, §3.2, §18).
 */
import { describe, expect, it } from 'vitest';
import type { TrackingContext } from './tracking-context.js';
import { expectError, metric, newRun, searchAllRunIds, T0, uniqueName } from './helpers.js';
import type { SearchRunsArgs, TrackingStore } from '../../tracking-store.js';
import type { Run } from '../../../entities/run.js';

/** A run with its lists sorted by key, so two reads compare equal whatever their order. */
function normalised(run: Run): Run {
  const byKey = <T extends { key: string }>(xs: readonly T[]): T[] => [...xs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    info: run.info,
    data: { metrics: byKey(run.data.metrics), params: byKey(run.data.params), tags: byKey(run.data.tags) },
    inputs: { datasetInputs: [...run.inputs.datasetInputs].sort((a, b) => (a.dataset.name < b.dataset.name ? -1 : 1)) },
  };
}

/** The runs every search test starts from. */
interface Fixture {
  e1: string;
  e2: string;
  /** alpha-run: FINISHED, loss 0.5 (2.0 before), acc 0.9, lr 0.01, model LogReg, team red, dataset train/training */
  r1: string;
  /** beta-run: RUNNING, loss 1.5, lr 0.1, model tree, team Blue, dataset eval/eval */
  r2: string;
  /** Gamma: FAILED, no metric, model logreg, no team tag, no dataset */
  r3: string;
  /** deleted-run in e1: loss 0.1, deleted */
  r4: string;
  /** other-exp in e2: loss 0.2 */
  r5: string;
}

async function buildFixture(store: TrackingStore): Promise<Fixture> {
  const e1 = await store.createExperiment(uniqueName('search'));
  const e2 = await store.createExperiment(uniqueName('search'));
  const r1 = (await newRun(store, e1, { runName: 'alpha-run', startTime: T0 + 1, tags: [{ key: 'team', value: 'red' }, { key: 'user-name', value: 'x' }] })).info.runId;
  await store.logBatch(r1, {
    metrics: [metric('loss', 2.0, T0, 0), metric('loss', 0.5, T0 + 1, 1), metric('acc', 0.9, T0, 0)],
    params: [{ key: 'lr', value: '0.01' }, { key: 'model', value: 'LogReg' }],
  });
  await store.logInputs(r1, [{ dataset: { name: 'train', digest: 'aaaa1111', sourceType: 'local', source: '{}' }, tags: [{ key: 'mlflow.data.context', value: 'training' }] }]);
  await store.updateRunInfo(r1, { status: 'FINISHED', endTime: T0 + 100 });

  const r2 = (await newRun(store, e1, { runName: 'beta-run', startTime: T0 + 2, tags: [{ key: 'team', value: 'Blue' }] })).info.runId;
  await store.logBatch(r2, { metrics: [metric('loss', 1.5, T0, 0)], params: [{ key: 'lr', value: '0.1' }, { key: 'model', value: 'tree' }] });
  await store.logInputs(r2, [{ dataset: { name: 'eval', digest: 'bbbb2222', sourceType: 'local', source: '{}' }, tags: [{ key: 'mlflow.data.context', value: 'eval' }] }]);

  const r3 = (await newRun(store, e1, { runName: 'Gamma', startTime: T0 + 3 })).info.runId;
  await store.logBatch(r3, { params: [{ key: 'model', value: 'logreg' }] });
  await store.updateRunInfo(r3, { status: 'FAILED', endTime: T0 + 300 });

  const r4 = (await newRun(store, e1, { runName: 'deleted-run', startTime: T0 + 4 })).info.runId;
  await store.logBatch(r4, { metrics: [metric('loss', 0.1, T0, 0)] });
  await store.deleteRun(r4);

  const r5 = (await newRun(store, e2, { runName: 'other-exp', startTime: T0 + 5 })).info.runId;
  await store.logBatch(r5, { metrics: [metric('loss', 0.2, T0, 0)] });
  return { e1, e2, r1, r2, r3, r4, r5 };
}

/** Filtering, ordering and paging of run searches. */
export function addSearchRunsTests(ctx: () => TrackingContext): void {
  describe('searchRunsPage', () => {
    let f: Fixture;

    async function setup(): Promise<Fixture> {
      f = await buildFixture(ctx().store);
      return f;
    }
    /** Run ids of one search over e1 (unless other experiments are given), in order. */
    async function ids(filter: string, extra: Partial<SearchRunsArgs> = {}): Promise<string[]> {
      const page = await ctx().store.searchRunsPage({ experimentIds: [f.e1], maxResults: 1000, filter, ...extra });
      return page.items.map((r) => r.info.runId);
    }
    async function idSet(filter: string, extra: Partial<SearchRunsArgs> = {}): Promise<string[]> {
      return (await ids(filter, extra)).sort();
    }
    const sorted = (...xs: string[]): string[] => [...xs].sort();

    it('returns whole runs: info, latest metrics, params, tags and inputs', async () => {
      await setup();
      const page = await ctx().store.searchRunsPage({ experimentIds: [f.e1], filter: "attributes.run_name = 'alpha-run'" });
      expect(page.items).toHaveLength(1);
      const run = normalised(page.items[0]!);
      expect(run).toEqual(normalised(await ctx().store.getRun(f.r1)));
      expect(run.data.metrics.find((m) => m.key === 'loss')?.value).toBe(0.5);
    });

    it('filters on metrics, compared against the latest value', async () => {
      await setup();
      expect(await idSet('metrics.loss < 1')).toEqual([f.r1]);
      expect(await idSet('metrics.loss > 1')).toEqual([f.r2]);
      expect(await idSet('metrics.loss >= 0.5')).toEqual(sorted(f.r1, f.r2));
      expect(await idSet('metrics.loss <= 1.5')).toEqual(sorted(f.r1, f.r2));
      expect(await idSet('metrics.loss = 1.5')).toEqual([f.r2]);
      expect(await idSet('metrics.acc > 0')).toEqual([f.r1]);
      expect(await idSet('metric.acc = 0.9')).toEqual([f.r1]);
    });

    it('never matches a run that lacks the key, even with !=', async () => {
      await setup();
      expect(await idSet('metrics.loss != 0.5')).toEqual([f.r2]);
      expect(await idSet("params.lr != '0.01'")).toEqual([f.r2]);
      expect(await idSet("tags.team != 'red'")).toEqual([f.r2]);
      expect(await idSet('metrics.nothing != 1')).toEqual([]);
      expect(await idSet("params.nothing != 'x'")).toEqual([]);
    });

    it('filters on params with =, !=, LIKE (case-sensitive) and ILIKE', async () => {
      await setup();
      expect(await idSet("params.lr = '0.01'")).toEqual([f.r1]);
      expect(await idSet('params.lr = "0.1"')).toEqual([f.r2]);
      expect(await idSet("params.model LIKE 'Log%'")).toEqual([f.r1]);
      expect(await idSet("params.model LIKE 'log%'")).toEqual([f.r3]);
      expect(await idSet("params.model ILIKE 'log%'")).toEqual(sorted(f.r1, f.r3));
      expect(await idSet("params.model LIKE '_ree'")).toEqual([f.r2]);
      // only % and _ are wildcards: regex metacharacters match themselves
      expect(await idSet("params.model LIKE 'L.gReg'")).toEqual([]);
      expect(await idSet("params.model LIKE 'Log(Reg'")).toEqual([]);
      expect(await idSet("params.model LIKE 'LogReg'")).toEqual([f.r1]);
      expect(await idSet("param.model = 'tree'")).toEqual([f.r2]);
      expect(await idSet("parameters.model = 'tree'")).toEqual([f.r2]);
    });

    it('filters on tags, with quoted keys', async () => {
      await setup();
      expect(await idSet("tags.team = 'red'")).toEqual([f.r1]);
      expect(await idSet("tags.team LIKE 'b%'")).toEqual([]);
      expect(await idSet("tags.team ILIKE 'b%'")).toEqual([f.r2]);
      expect(await idSet("tags.`user-name` = 'x'")).toEqual([f.r1]);
      expect(await idSet('tags."user-name" = \'x\'')).toEqual([f.r1]);
      expect(await idSet("tags.`mlflow.runName` = 'Gamma'")).toEqual([f.r3]);
      expect(await idSet("tag.team = 'Blue'")).toEqual([f.r2]);
    });

    it('filters on attributes: run_name, status, start_time, run_id IN / NOT IN, user_id', async () => {
      await setup();
      expect(await idSet("attributes.run_name = 'alpha-run'")).toEqual([f.r1]);
      expect(await idSet("run_name LIKE '%-run'")).toEqual(sorted(f.r1, f.r2));
      expect(await idSet("run_name ILIKE 'gamma'")).toEqual([f.r3]);
      expect(await idSet("attributes.status = 'FINISHED'")).toEqual([f.r1]);
      expect(await idSet("status != 'RUNNING'")).toEqual(sorted(f.r1, f.r3));
      expect(await idSet(`attributes.start_time > ${T0 + 1}`)).toEqual(sorted(f.r2, f.r3));
      expect(await idSet(`start_time >= ${T0 + 1} AND start_time < ${T0 + 3}`)).toEqual(sorted(f.r1, f.r2));
      expect(await idSet(`attributes.run_id IN ('${f.r1}', '${f.r3}')`)).toEqual(sorted(f.r1, f.r3));
      expect(await idSet(`attributes.run_id NOT IN ('${f.r1}')`)).toEqual(sorted(f.r2, f.r3));
      expect(await idSet(`run_id = '${f.r2}'`)).toEqual([f.r2]);
      expect(await idSet(`attributes.end_time > ${T0 + 200}`)).toEqual([f.r3]);
      expect(await idSet(`end_time <= ${T0 + 300}`)).toEqual(sorted(f.r1, f.r3));
      expect(await idSet("attributes.user_id = 'alice'")).toEqual(sorted(f.r1, f.r2, f.r3));
    });

    it('filters on datasets: name, digest, context', async () => {
      await setup();
      expect(await idSet("datasets.name = 'train'")).toEqual([f.r1]);
      expect(await idSet("datasets.digest = 'bbbb2222'")).toEqual([f.r2]);
      expect(await idSet("datasets.context = 'eval'")).toEqual([f.r2]);
      expect(await idSet("datasets.context = 'training'")).toEqual([f.r1]);
      expect(await idSet("datasets.name IN ('train', 'eval')")).toEqual(sorted(f.r1, f.r2));
      expect(await idSet("datasets.name LIKE 'tr%'")).toEqual([f.r1]);
    });

    it('ANDs clauses, case-insensitively', async () => {
      await setup();
      expect(await idSet("metrics.loss < 2 AND params.lr = '0.1'")).toEqual([f.r2]);
      expect(await idSet("metrics.loss < 2 and params.model ilike 'LOG%' and tags.team = 'red'")).toEqual([f.r1]);
      expect(await idSet('')).toEqual(sorted(f.r1, f.r2, f.r3));
    });

    it('honours view types', async () => {
      await setup();
      expect(await idSet('')).toEqual(sorted(f.r1, f.r2, f.r3));
      expect(await idSet('', { runViewType: 'ACTIVE_ONLY' })).toEqual(sorted(f.r1, f.r2, f.r3));
      expect(await idSet('', { runViewType: 'DELETED_ONLY' })).toEqual([f.r4]);
      expect(await idSet('', { runViewType: 'ALL' })).toEqual(sorted(f.r1, f.r2, f.r3, f.r4));
      expect(await idSet('metrics.loss < 0.3', { runViewType: 'ALL' })).toEqual([f.r4]);
    });

    it('searches several experiments at once', async () => {
      await setup();
      expect(await idSet('', { experimentIds: [f.e1, f.e2] })).toEqual(sorted(f.r1, f.r2, f.r3, f.r5));
      expect(await idSet('metrics.loss < 0.3', { experimentIds: [f.e1, f.e2], runViewType: 'ALL' })).toEqual(sorted(f.r4, f.r5));
      expect(await idSet('', { experimentIds: [f.e2] })).toEqual([f.r5]);
    });

    it('orders by start_time DESC by default, ties by run_id ASC', async () => {
      const { store } = ctx();
      await setup();
      expect(await ids('')).toEqual([f.r3, f.r2, f.r1]);
      const e = await store.createExperiment(uniqueName('ties'));
      const same: string[] = [];
      for (let i = 0; i < 5; i++) same.push((await newRun(store, e, { startTime: T0 })).info.runId);
      const later = (await newRun(store, e, { startTime: T0 + 10 })).info.runId;
      const page = await store.searchRunsPage({ experimentIds: [e], maxResults: 100 });
      expect(page.items.map((r) => r.info.runId)).toEqual([later, ...[...same].sort()]);
    });

    it('orders by metrics, params, tags and attributes, missing values last in both directions', async () => {
      await setup();
      expect(await ids('', { orderBy: ['metrics.loss DESC'] })).toEqual([f.r2, f.r1, f.r3]);
      expect(await ids('', { orderBy: ['metrics.loss ASC'] })).toEqual([f.r1, f.r2, f.r3]);
      expect(await ids('', { orderBy: ['metrics.loss'] })).toEqual([f.r1, f.r2, f.r3]);
      expect(await ids('', { orderBy: ['params.lr ASC'] })).toEqual([f.r1, f.r2, f.r3]);
      expect(await ids('', { orderBy: ['params.lr DESC'] })).toEqual([f.r2, f.r1, f.r3]);
      expect(await ids('', { orderBy: ['tags.team DESC'] })).toEqual([f.r1, f.r2, f.r3]);
      expect(await ids('', { orderBy: ['start_time ASC'] })).toEqual([f.r1, f.r2, f.r3]);
      expect(await ids('', { orderBy: ['attributes.run_name ASC'] })).toEqual([f.r3, f.r1, f.r2]);
      expect(await ids('', { orderBy: ['metrics.`loss` DESC'] })).toEqual([f.r2, f.r1, f.r3]);
      expect(await ids('', { orderBy: ['params.model ASC', 'metrics.loss DESC'] })).toEqual([f.r1, f.r3, f.r2]);
    });

    it('orders NaN after every number and missing values after NaN, in both directions', async () => {
      const { store } = ctx();
      const e = await store.createExperiment(uniqueName('nan'));
      const make = async (startTime: number, value: number | undefined): Promise<string> => {
        const r = await newRun(store, e, { startTime });
        await store.logBatch(r.info.runId, { metrics: value === undefined ? [metric('other', 0)] : [metric('m', value)] });
        return r.info.runId;
      };
      const two = await make(T0 + 1, 2);
      const nan = await make(T0 + 2, NaN);
      const one = await make(T0 + 3, 1);
      const missing = await make(T0 + 4, undefined);
      const order = async (orderBy: string): Promise<string[]> =>
        (await store.searchRunsPage({ experimentIds: [e], maxResults: 10, orderBy: [orderBy] })).items.map((r) => r.info.runId);
      expect(await order('metrics.m DESC')).toEqual([two, one, nan, missing]);
      expect(await order('metrics.m ASC')).toEqual([one, two, nan, missing]);
    });

    it('pages across several pages without duplicates or gaps, in the unpaged order', async () => {
      const { store } = ctx();
      const e = await store.createExperiment(uniqueName('paging'));
      for (let i = 0; i < 8; i++) {
        const r = await newRun(store, e, { startTime: T0 + (i % 3) });
        await store.logBatch(r.info.runId, { metrics: [metric('m', i % 4)] });
      }
      for (const orderBy of [[], ['metrics.m DESC'], ['start_time ASC']]) {
        const whole = (await store.searchRunsPage({ experimentIds: [e], maxResults: 100, orderBy })).items.map((r) => r.info.runId);
        expect(whole).toHaveLength(8);
        for (const n of [1, 3, 4]) {
          const paged = await searchAllRunIds(store, { experimentIds: [e], orderBy }, n);
          expect(paged, `maxResults=${n} orderBy=${orderBy.join(',')}`).toEqual(whole);
        }
      }
      const first = await store.searchRunsPage({ experimentIds: [e], maxResults: 3 });
      expect(first.nextPageToken, 'a full page with more rows after it carries a token').toBeTruthy();
    });

    it('bounds max_results to 1..50000 and rejects a malformed page token', async () => {
      const { store } = ctx();
      await newRun(store, '0');
      await expectError(store.searchRunsPage({ experimentIds: ['0'], maxResults: 0 }), 'INVALID_PARAMETER_VALUE');
      await expectError(store.searchRunsPage({ experimentIds: ['0'], maxResults: 50_001 }), 'INVALID_PARAMETER_VALUE');
      expect((await store.searchRunsPage({ experimentIds: ['0'], maxResults: 50_000 })).items).toHaveLength(1);
      await expectError(store.searchRunsPage({ experimentIds: ['0'], maxResults: 10, pageToken: 'garbage!' }), 'INVALID_PARAMETER_VALUE');
    });

    it('rejects malformed filters and order_by clauses with INVALID_PARAMETER_VALUE', async () => {
      const { store } = ctx();
      const bad = (filter: string): Promise<unknown> => store.searchRunsPage({ experimentIds: ['0'], maxResults: 10, filter });
      await expectError(bad('badfilter'), 'INVALID_PARAMETER_VALUE');
      await expectError(bad('metrics.loss < 1 OR metrics.loss > 2'), 'INVALID_PARAMETER_VALUE');
      await expectError(bad('foo.bar = 1'), 'INVALID_PARAMETER_VALUE');
      await expectError(bad("metrics.loss < 'a'"), 'INVALID_PARAMETER_VALUE');
      await expectError(bad('params.lr = 0.01'), 'INVALID_PARAMETER_VALUE');
      await expectError(bad("params.lr > '1'"), 'INVALID_PARAMETER_VALUE');
      await expectError(bad("attributes.nope = 'x'"), 'INVALID_PARAMETER_VALUE');
      await expectError(bad("datasets.nope = 'x'"), 'INVALID_PARAMETER_VALUE');
      await expectError(store.searchRunsPage({ experimentIds: ['0'], maxResults: 10, orderBy: ['foo.bar'] }), 'INVALID_PARAMETER_VALUE');
    });
  });
}
