/** Run endpoints (ref §2.3): schema → store call → entity JSON. */
import type { FastifyInstance } from 'fastify';
import { datasetInputFromJSON, runInfoToJSON, runToJSON, type Metric } from '@lablog/tracking';
import * as S from '../schemas/runs.js';
import { responseMessage } from '../plugins/wire.js';

type WireMetric = NonNullable<S.LogBatch['metrics']>[number];

/** A decoded metric message as an entity; absent optional fields stay absent. */
function metricFromWire(m: WireMetric): Metric {
  const out: { -readonly [K in keyof Metric]: Metric[K] } = { key: m.key, value: m.value, timestamp: m.timestamp, step: m.step ?? 0 };
  if (m.model_id !== undefined) out.modelId = m.model_id;
  if (m.dataset_name !== undefined) out.datasetName = m.dataset_name;
  if (m.dataset_digest !== undefined) out.datasetDigest = m.dataset_digest;
  return out;
}

function keyValues(list: readonly { key: string; value?: string }[] | undefined): { key: string; value: string }[] {
  return (list ?? []).map((t) => ({ key: t.key, value: t.value ?? '' }));
}

/** Registers the run routes on an API prefix. */
export async function runRoutes(app: FastifyInstance): Promise<void> {
  const store = app.trackingStore;

  app.post<{ Body: S.CreateRun }>('/runs/create', { schema: { body: S.createRun } }, async (req) => {
    const b = req.body;
    const run = await store.createRun({
      experimentId: b.experiment_id ?? '',
      userId: b.user_id ?? '',
      startTime: b.start_time ?? 0,
      tags: keyValues(b.tags),
      ...(b.run_name ? { runName: b.run_name } : {}),
    });
    return { run: runToJSON(run) };
  });

  app.post<{ Body: S.UpdateRun }>('/runs/update', { schema: { body: S.updateRun } }, async (req) => {
    const b = req.body;
    const info = await store.updateRunInfo(b.run_id, {
      ...(b.status !== undefined ? { status: b.status } : {}),
      ...(b.end_time !== undefined ? { endTime: b.end_time } : {}),
      ...(b.run_name !== undefined ? { runName: b.run_name } : {}),
    });
    return { run_info: runInfoToJSON(info) };
  });

  app.post<{ Body: S.RunIdOnly }>('/runs/delete', { schema: { body: S.runIdOnly } }, async (req) => {
    await store.deleteRun(req.body.run_id);
    return {};
  });

  app.post<{ Body: S.RunIdOnly }>('/runs/restore', { schema: { body: S.runIdOnly } }, async (req) => {
    await store.restoreRun(req.body.run_id);
    return {};
  });

  app.get<{ Querystring: S.RunIdOnly }>('/runs/get', { schema: { querystring: S.runIdOnly } }, async (req) => {
    return { run: runToJSON(await store.getRun(req.query.run_id)) };
  });

  app.post<{ Body: S.SearchRuns }>('/runs/search', { schema: { body: S.searchRuns } }, async (req) => {
    const b = req.body;
    const page = await store.searchRunsPage({
      experimentIds: b.experiment_ids ?? [],
      filter: b.filter,
      runViewType: b.run_view_type,
      maxResults: b.max_results,
      orderBy: b.order_by,
      pageToken: b.page_token,
    });
    return responseMessage({ runs: page.items.map(runToJSON), next_page_token: page.nextPageToken });
  });

  app.post<{ Body: S.LogMetric }>('/runs/log-metric', { schema: { body: S.logMetric } }, async (req) => {
    await store.logBatch(req.body.run_id, { metrics: [metricFromWire(req.body)] });
    return {};
  });

  app.post<{ Body: S.KeyValue }>('/runs/log-parameter', { schema: { body: S.keyValue } }, async (req) => {
    await store.logBatch(req.body.run_id, { params: keyValues([req.body]) });
    return {};
  });

  app.post<{ Body: S.KeyValue }>('/runs/set-tag', { schema: { body: S.keyValue } }, async (req) => {
    await store.logBatch(req.body.run_id, { tags: keyValues([req.body]) });
    return {};
  });

  app.post<{ Body: S.DeleteTag }>('/runs/delete-tag', { schema: { body: S.deleteTag } }, async (req) => {
    await store.deleteTag(req.body.run_id, req.body.key);
    return {};
  });

  app.post<{ Body: S.LogBatch }>('/runs/log-batch', { schema: { body: S.logBatch } }, async (req) => {
    const b = req.body;
    await store.logBatch(b.run_id, { metrics: (b.metrics ?? []).map(metricFromWire), params: keyValues(b.params), tags: keyValues(b.tags) });
    return {};
  });

  app.post<{ Body: S.LogInputs }>('/runs/log-inputs', { schema: { body: S.logInputs } }, async (req) => {
    const inputs = (req.body.datasets ?? []).map((d) => datasetInputFromJSON({ dataset: d.dataset, tags: keyValues(d.tags) }));
    await store.logInputs(req.body.run_id, inputs);
    return {};
  });
}
