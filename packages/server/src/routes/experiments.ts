/** Experiment endpoints (ref §2.2): schema → store call → entity JSON. */
import type { FastifyInstance } from 'fastify';
import { experimentToJSON, resourceDoesNotExist } from '@lablog/tracking';
import * as S from '../schemas/experiments.js';
import { responseMessage } from '../plugins/wire.js';
import { checkArtifactLocation } from '../artifacts/artifact-location-policy.js';

/** Registers the experiment routes on an API prefix (`/api/2.0/mlflow`, `/ajax-api/2.0/mlflow`). */
export async function experimentRoutes(app: FastifyInstance): Promise<void> {
  const store = app.trackingStore;

  app.post<{ Body: S.CreateExperiment }>('/experiments/create', { schema: { body: S.createExperiment } }, async (req) => {
    const { name, artifact_location, tags } = req.body;
    await checkArtifactLocation(app, artifact_location);
    const experimentId = await store.createExperiment(name, artifact_location || undefined, (tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })));
    return { experiment_id: experimentId };
  });

  app.get<{ Querystring: S.GetExperiment }>('/experiments/get', { schema: { querystring: S.getExperiment } }, async (req) => {
    return { experiment: experimentToJSON(await store.getExperiment(req.query.experiment_id)) };
  });

  app.get<{ Querystring: S.GetExperimentByName }>('/experiments/get-by-name', { schema: { querystring: S.getExperimentByName } }, async (req) => {
    const name = req.query.experiment_name;
    const experiment = await store.getExperimentByName(name);
    if (experiment === null) throw resourceDoesNotExist(`Could not find experiment with name '${name}'`);
    return { experiment: experimentToJSON(experiment) };
  });

  const search = async (m: S.SearchExperiments) => {
    const page = await store.searchExperiments({
      maxResults: m.max_results,
      viewType: m.view_type,
      filter: m.filter,
      orderBy: m.order_by,
      pageToken: m.page_token,
    });
    return responseMessage({ experiments: page.items.map(experimentToJSON), next_page_token: page.nextPageToken });
  };
  app.get<{ Querystring: S.SearchExperiments }>('/experiments/search', { schema: { querystring: S.searchExperiments } }, (req) => search(req.query));
  app.post<{ Body: S.SearchExperiments }>('/experiments/search', { schema: { body: S.searchExperiments } }, (req) => search(req.body));

  app.post<{ Body: S.UpdateExperiment }>('/experiments/update', { schema: { body: S.updateExperiment } }, async (req) => {
    await store.renameExperiment(req.body.experiment_id, req.body.new_name);
    return {};
  });

  app.post<{ Body: S.ExperimentIdOnly }>('/experiments/delete', { schema: { body: S.experimentIdOnly } }, async (req) => {
    await store.deleteExperiment(req.body.experiment_id);
    return {};
  });

  app.post<{ Body: S.ExperimentIdOnly }>('/experiments/restore', { schema: { body: S.experimentIdOnly } }, async (req) => {
    await store.restoreExperiment(req.body.experiment_id);
    return {};
  });

  app.post<{ Body: S.SetExperimentTag }>('/experiments/set-experiment-tag', { schema: { body: S.setExperimentTag } }, async (req) => {
    await store.setExperimentTag(req.body.experiment_id, { key: req.body.key, value: req.body.value ?? '' });
    return {};
  });

  app.post<{ Body: S.DeleteExperimentTag }>('/experiments/delete-experiment-tag', { schema: { body: S.deleteExperimentTag } }, async (req) => {
    await store.deleteExperimentTag(req.body.experiment_id, req.body.key);
    return {};
  });
}
