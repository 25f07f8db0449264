/**
 * The one place errors become responses (MLflow's `catch_mlflow_exception`): every failure is
 * MLflow's error JSON `{error_code, message}`, never a stack trace.
 *
 * | thrown                                   | status                      | error_code                 |
 * |------------------------------------------|-----------------------------|----------------------------|
 * | LablogError                              | ERROR_CODE_TO_HTTP_STATUS   | its code                   |
 * | schema failure (`error.validation`)      | 400                         | INVALID_PARAMETER_VALUE    |
 * | wrong Content-Type that Fastify caught   | 400                         | INVALID_PARAMETER_VALUE    |
 * | body over the limit                      | 413                         | BAD_REQUEST                |
 * | other Fastify 4xx (bad URL, …)           | Fastify's                   | BAD_REQUEST                |
 * | unknown path                             | 404                         | ENDPOINT_NOT_FOUND         |
 * | known path, other method                 | 405 (+ `Allow`)             | ENDPOINT_NOT_FOUND         |
 * | anything else                            | 500, message hidden, logged | INTERNAL_ERROR             |
 */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODE_TO_HTTP_STATUS, LablogError, type ErrorCode } from '@lablog/tracking';

/** MLflow's error JSON. */
export interface ErrorBody {
  error_code: ErrorCode;
  message: string;
}

/** What {@link errorResponse} decides for one failure. */
export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
  /** True for failures the server must log (5xx): the client only sees a generic message. */
  serverFault: boolean;
}

/** Codes whose messages may carry internals (SQL, file paths): replaced by a generic message. */
const HIDDEN_MESSAGE_CODES: ReadonlySet<ErrorCode> = new Set(['INTERNAL_ERROR', 'DATA_LOSS', 'IO_ERROR']);
const MAX_SHOWN_PATH = 200;

/** Thrown by the not-found handler when the path exists with other methods. */
class MethodNotAllowed extends Error {
  readonly statusCode = 405;
  constructor(
    readonly method: string,
    readonly path: string,
    readonly allowed: readonly string[],
  ) {
    super(`Method ${method} is not allowed for ${path}. Allowed: ${allowed.join(', ')}.`);
  }
}

function shortPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.length > MAX_SHOWN_PATH ? path.slice(0, MAX_SHOWN_PATH) + '…' : path;
}

function internal(requestId: string): ErrorResponse {
  return {
    status: 500,
    body: { error_code: 'INTERNAL_ERROR', message: `Internal server error (request id ${requestId}); see the server log.` },
    serverFault: true,
  };
}

/**
 * Maps a thrown value to MLflow's error response. Pure, so the mapping is tested on its own.
 * @param requestId - quoted in hidden 5xx messages so the log entry can be found.
 */
export function errorResponse(error: unknown, requestId: string): ErrorResponse {
  if (LablogError.is(error)) {
    const status = ERROR_CODE_TO_HTTP_STATUS[error.errorCode] ?? 500;
    if (HIDDEN_MESSAGE_CODES.has(error.errorCode)) return internal(requestId);
    return { status, body: { error_code: error.errorCode, message: error.message }, serverFault: status >= 500 };
  }
  if (error instanceof MethodNotAllowed) {
    return {
      status: 405,
      body: { error_code: 'ENDPOINT_NOT_FOUND', message: error.message },
      headers: { allow: error.allowed.join(', ') },
      serverFault: false,
    };
  }
  const fe = error as Partial<FastifyError> | null;
  if (fe && Array.isArray(fe.validation) && fe.validation.length > 0) {
    const message = fe.validation[0]?.message ?? 'Invalid request';
    return { status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message }, serverFault: false };
  }
  if (fe && fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const message = "Bad Request. Content-Type must be one of ['application/json'].";
    return { status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message }, serverFault: false };
  }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500 && typeof fe?.message === 'string') {
    return { status, body: { error_code: 'BAD_REQUEST', message: fe.message }, serverFault: false };
  }
  return internal(requestId);
}

/** Sends one failure as MLflow's error JSON; the body of the app's error handler. */
function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const res = errorResponse(error, request.id);
  if (res.serverFault) request.log.error({ err: error }, 'request failed');
  if (res.headers) void reply.headers(res.headers);
  return reply.code(res.status).type('application/json; charset=utf-8').send(res.body);
}

/**
 * For Fastify's `frameworkErrors` option: errors raised before routing (a malformed URL such
 * as `/api/%`), which never reach the error handler, get MLflow's error JSON too.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void sendError(error, request, reply);
}

async function errorHandler(app: FastifyInstance): Promise<void> {
  /** Methods per registered path, to tell 405 from 404. */
  const methodsByPath = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = methodsByPath.get(route.url) ?? new Set<string>();
    for (const m of [route.method].flat()) methods.add(m);
    methodsByPath.set(route.url, methods);
  });

  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => sendError(error, request, reply));

  app.setNotFoundHandler((request: FastifyRequest) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = methodsByPath.get(path);
    if (allowed && !allowed.has(request.method)) {
      throw new MethodNotAllowed(request.method, shortPath(path), [...allowed].sort());
    }
    throw new LablogError(`Endpoint not found: ${request.method} ${shortPath(path)}`, 'ENDPOINT_NOT_FOUND');
  });
}

/** The app's error handler, 404 and 405 handling (fastify-plugin: covers every route). */
export const errorHandlerPlugin = fp(errorHandler, { name: 'lablog-error-handler', fastify: '5.x' });
