/**
 * The scoring server as a Fastify app (MLflow's pyfunc scoring protocol, ref mlflow-compat §9):
 * `GET /ping`, `GET /health`, `GET /version`, `POST /invocations`. It never listens; server.ts
 * does, and tests `inject`.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { LablogError } from '@lablog/tracking';
import type { InferenceParams, LoadedModel, ModelInput, ModelOutput } from '@lablog/flavors';
import { LABLOG_VERSION } from '../version.js';
import { MicroBatcher } from './batcher.js';
import { CONTENT_TYPE_ARROW_STREAM, payloadFormatOf, wantsArrow } from './content-type.js';
import { toModelInput } from './convert.js';
import { REQUEST_TIMEOUT_MESSAGE, UNEXPECTED_MODEL_ERROR, UnsupportedContentType } from './errors.js';
import { parseArrowRequest, parseCsvRequest, parseJsonRequest, type ParsedRequest } from './payload.js';
import { predictionsArrow, predictionsJson, predictionsLayout } from './predictions.js';

/** Default {@link ScoringAppOptions.maxBatchSize}. */
export const DEFAULT_MAX_BATCH_SIZE = 64;
/** Default {@link ScoringAppOptions.maxBatchWaitMs}. */
export const DEFAULT_MAX_BATCH_WAIT_MS = 2;
/** Default request body limit: 64 MiB. */
export const DEFAULT_SCORING_BODY_LIMIT = 64 * 1024 * 1024;

/**
 * The request timeout MLflow's scoring server uses: `MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT`
 * seconds, default 60.
 */
export function defaultRequestTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env['MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT']);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 60_000;
}

/** Options of {@link buildScoringApp}. */
export interface ScoringAppOptions {
  /**
   * The model to serve. A promise is accepted: until it resolves `/ping` answers 404 and
   * `/invocations` 503, as MLflow's server does before its model is loaded.
   */
  model: LoadedModel | Promise<LoadedModel>;
  /** Most rows in one micro-batch; default {@link DEFAULT_MAX_BATCH_SIZE}. 1 disables batching. */
  maxBatchSize?: number;
  /** Longest a request waits for a busy model to take its batch, ms; default 2. 0 disables batching. */
  maxBatchWaitMs?: number;
  /** Answer 504 after this many ms; default {@link defaultRequestTimeoutMs}. */
  requestTimeoutMs?: number;
  /** Largest request body in bytes; default {@link DEFAULT_SCORING_BODY_LIMIT}. */
  bodyLimit?: number;
  /** Fastify/pino logger options; default none. */
  logger?: FastifyServerOptions['logger'];
  /** Log every request and response (Fastify's request logging); default false, errors are always logged. */
  logRequests?: boolean;
}

/** The scoring app: a Fastify instance that also exposes its micro-batcher (for stats). */
export type ScoringApp = FastifyInstance & {
  /** The micro-batcher, once the model is loaded; null before. */
  readonly scoringBatcher: MicroBatcher | null;
};

class Timeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  if (!(ms > 0) || !Number.isFinite(ms)) return work;
  // One promise and one timer per request (no Promise.race + finally chain).
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Timeout()), ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Prefixes a client error of `predict` as MLflow does; anything else passes through. */
function predictError(e: unknown): never {
  if (LablogError.is(e) && e.httpStatus < 500) throw new LablogError(`Failed to predict data. Error: ${e.message}`, e.errorCode, { cause: e });
  throw e;
}

function predictWith(b: MicroBatcher, input: ModelInput, params: InferenceParams | undefined): Promise<ModelOutput> {
  try {
    return b.predict(input, params).catch(predictError);
  } catch (e) {
    return Promise.reject(e).catch(predictError);
  }
}

/**
 * Builds the scoring app on a new Fastify instance.
 *
 * @example
 * const app = buildScoringApp({ model: await loadModel('models:/iris/1') });
 * const res = await app.inject({ method: 'POST', url: '/invocations', payload: { inputs: [[1, 2, 3, 4]] } });
 */
export function buildScoringApp(options: ScoringAppOptions): ScoringApp {
  const bodyLimit = options.bodyLimit ?? DEFAULT_SCORING_BODY_LIMIT;
  const timeoutMs = options.requestTimeoutMs ?? defaultRequestTimeoutMs();
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    logController: new LogController({ disableRequestLogging: options.logRequests !== true }),
  });
  let model: LoadedModel | null = null;
  let batcher: MicroBatcher | null = null;
  app.decorate('scoringBatcher', { getter: () => batcher });
  const batcherOptions = {
    maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
    maxBatchWaitMs: options.maxBatchWaitMs ?? DEFAULT_MAX_BATCH_WAIT_MS,
  };
  const ready = Promise.resolve(options.model).then((m) => {
    batcher = new MicroBatcher(m, batcherOptions);
    model = m;
    return m;
  });
  ready.catch((e: unknown) => app.log.error({ err: e }, 'the model failed to load'));

  // Every body arrives raw: the content-type rules are MLflow's, checked in the route.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof UnsupportedContentType) return void reply.code(415).type('text/plain; charset=utf-8').send(error.message);
    if (error instanceof Timeout) return void reply.code(504).type('text/plain; charset=utf-8').send(REQUEST_TIMEOUT_MESSAGE);
    if (LablogError.is(error) && error.httpStatus < 500) {
      return void reply.code(error.httpStatus).type('application/json').send(JSON.stringify(error.toJSON()));
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      return void reply.code(status).type('application/json').send(JSON.stringify({ error_code: 'BAD_REQUEST', message: error.message }));
    }
    request.log.error({ err: error }, 'scoring request failed');
    const message = LablogError.is(error) && error.errorCode === 'TEMPORARILY_UNAVAILABLE' ? error.message : `${UNEXPECTED_MODEL_ERROR} (request id ${request.id}; see the server log)`;
    const code = LablogError.is(error) && error.errorCode === 'TEMPORARILY_UNAVAILABLE' ? 'TEMPORARILY_UNAVAILABLE' : 'INTERNAL_ERROR';
    reply.code(code === 'INTERNAL_ERROR' ? 500 : 503).type('application/json').send(JSON.stringify({ error_code: code, message }));
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .type('application/json')
      .send(JSON.stringify({ error_code: 'ENDPOINT_NOT_FOUND', message: `No route for ${request.method} ${request.url.split('?')[0]}` }));
  });

  const ping = async (_req: unknown, reply: FastifyReply) => {
    reply.code(model === null ? 404 : 200).type('application/json').send('\n');
  };
  app.get('/ping', ping);
  app.get('/health', ping);
  app.get('/version', async (_req, reply) => {
    reply.type('text/plain; charset=utf-8').send(LABLOG_VERSION);
  });

  const sendPredictions = (request: FastifyRequest, reply: FastifyReply, m: LoadedModel, parsed: ParsedRequest, output: ModelOutput): FastifyReply | Promise<FastifyReply> => {
    if (wantsArrow(request.headers.accept)) {
      return predictionsArrow(output).then((ipc) => reply.type(CONTENT_TYPE_ARROW_STREAM).send(Buffer.from(ipc.buffer, ipc.byteOffset, ipc.byteLength)));
    }
    const layout = predictionsLayout(output, m.signature, parsed.payload.kind === 'frame');
    return reply.type('application/json').send(predictionsJson(output, layout));
  };

  app.post('/invocations', async (request, replyTo) => {
    const format = payloadFormatOf(request.headers['content-type']);
    if (model === null || batcher === null) {
      throw new LablogError('The model is still loading; retry shortly.', 'TEMPORARILY_UNAVAILABLE');
    }
    const m = model;
    const b = batcher;
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (format === 'arrow') {
      const work = async (): Promise<{ output: ModelOutput; parsed: ParsedRequest }> => {
        const parsed = await parseArrowRequest(body);
        const input = toModelInput(parsed.payload, m.signature);
        return { output: await predictWith(b, input, parsed.params), parsed };
      };
      const { output, parsed } = await withTimeout(work(), timeoutMs);
      return sendPredictions(request, replyTo, m, parsed, output);
    }
    // JSON and CSV parse synchronously, before the timeout starts (as before: the timer only
    // ever covered the wait for the model).
    const text = body.toString('utf8');
    const parsed = format === 'json' ? parseJsonRequest(text) : parseCsvRequest(text);
    const input = toModelInput(parsed.payload, m.signature);
    const output = await withTimeout(predictWith(b, input, parsed.params), timeoutMs);
    return sendPredictions(request, replyTo, m, parsed, output);
  });

  return app as unknown as ScoringApp;
}
