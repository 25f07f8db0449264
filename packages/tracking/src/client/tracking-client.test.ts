import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TrackingClient } from './tracking-client.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { recordingStore, tempFileStore, tempSqliteStore } from '../__tests__/tracking-fixtures.js';

for (const kind of ['sqlite', 'file'] as const) {
  describe(`TrackingClient on ${kind}`, () => {
    let store: TrackingStore;
    let dir: string;
    let cleanup: () => Promise<void>;
    let client: TrackingClient;

    beforeEach(async () => {
      const t = kind === 'sqlite' ? await tempSqliteStore() : await tempFileStore();
      ({ store, dir, cleanup } = t);
      client = new TrackingClient({ tracking: store, registry: null });
    });
    afterEach(() => cleanup());

    it('manages experiments', async () => {
      const id = await client.createExperiment('exp', { tags: { team: 'ml' } });
      expect((await client.getExperiment(id)).tags).toEqual([{ key: 'team', value: 'ml' }]);
      await client.renameExperiment(id, 'exp2');
      expect((await client.getExperimentByName('exp2'))?.experimentId).toBe(id);
      await client.setExperimentTag(id, 'k', 'v');
      await client.deleteExperiment(id);
      expect((await client.getExperiment(id)).lifecycleStage).toBe('deleted');
      await client.restoreExperiment(id);
      expect((await client.searchExperiments()).map((e) => e.name).sort()).toEqual(['Default', 'exp2']);
    });

    it('creates, logs to and ends runs', async () => {
      const run = await client.createRun('0', { runName: 'r', tags: { 'mlflow.user': 'ada' }, startTime: 1000 });
      const id = run.info.runId;
      expect(run.info.userId).toBe('ada');
      await client.logMetric(id, 'loss', 0.5, { step: 1, timestamp: 2000 });
      expect(await client.logParam(id, 'lr', 0.01)).toBe('0.01');
      await client.setTag(id, 'k', 'v');
      await client.deleteTag(id, 'k');
      const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: 'm', value: i, timestamp: 3000, step: i }));
      await client.logBatch(id, { metrics });
      expect(await client.getMetricHistory(id, 'm')).toHaveLength(2500);
      await client.setTerminated(id, 'FAILED', 5000);
      const ended = await client.getRun(id);
      expect(ended.info).toMatchObject({ status: 'FAILED', endTime: 5000 });
      expect(ended.data.tags.some((t) => t.key === 'k')).toBe(false);
      await client.updateRun(id, { runName: 'renamed' });
      expect((await client.getRun(id)).info.runName).toBe('renamed');
      await client.deleteRun(id);
      expect((await client.getRun(id)).info.lifecycleStage).toBe('deleted');
      await client.restoreRun(id);
    });

    it('pages through search results', async () => {
      for (let i = 0; i < 7; i++) {
        const r = await client.createRun('0', { startTime: 1000 + i });
        await client.logMetric(r.info.runId, 'i', i);
      }
      const wrapped = recordingStore(store);
      let pages = 0;
      const counting = new Proxy(wrapped.store, {
        get(t, p, r) {
          if (p === 'searchRunsPage') return (args: Parameters<TrackingStore['searchRunsPage']>[0]) => (pages++, t.searchRunsPage(args));
          return Reflect.get(t, p, r);
        },
      });
      const paging = new TrackingClient({ tracking: counting, registry: null });
      const all = await paging.searchRuns('0', { pageSize: 2, orderBy: ['metrics.i ASC'] });
      expect(all.map((r) => r.data.metrics[0]!.value)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(pages).toBe(4);
      pages = 0;
      expect(await paging.searchRuns('0', { pageSize: 2, maxResults: 3 })).toHaveLength(3);
      expect(pages).toBe(2);
      const first = await paging.searchRunsPage('0', { maxResults: 5 });
      expect(first.items).toHaveLength(5);
      const rest = await paging.searchRunsPage('0', { maxResults: 5, pageToken: first.nextPageToken });
      expect(rest.items).toHaveLength(2);
      const table = await paging.searchRunsArrow(['0'], { filter: 'metrics.i >= 5' });
      expect(table.numRows).toBe(2);
    });

    it('logs and reads artifacts', async () => {
      const id = (await client.createRun('0')).info.runId;
      const src = join(dir, 'src');
      await mkdir(join(src, 'sub'), { recursive: true });
      await writeFile(join(src, 'a.txt'), 'A');
      await writeFile(join(src, 'sub', 'b.txt'), 'B');
      await client.logArtifact(id, join(src, 'a.txt'));
      await client.logArtifacts(id, src, 'tree');
      await client.logText(id, 'hi', 'notes/n.md');
      await client.logDict(id, { a: [1, 2] }, 'cfg.yml');
      await client.logDict(id, { a: [1, 2] }, 'cfg.json');
      expect((await client.listArtifacts(id)).map((f) => f.path).sort()).toEqual(['a.txt', 'cfg.json', 'cfg.yml', 'notes', 'tree']);
      expect((await client.listArtifacts(id, 'tree')).map((f) => f.path).sort()).toEqual(['tree/a.txt', 'tree/sub']);
      const local = await client.downloadArtifacts(id, 'cfg.yml');
      expect(parseYaml(await readFile(local, 'utf8'))).toEqual({ a: [1, 2] });
      const json = await client.downloadArtifacts(id, 'cfg.json', join(dir, 'dl'));
      expect(await readFile(json, 'utf8')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    });
  });
}
