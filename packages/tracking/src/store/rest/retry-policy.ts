/**
 * When and how long to wait before retrying an HTTP request: MLflow's client policy
 * (`_get_request_session` in mlflow/utils/request_utils.py, i.e. urllib3's `Retry`), made safe
 * for requests that must not run twice (security.md §5).
 *
 * MLflow retries every method on 408/429/500/502/503/504 and on connection errors. A retry is
 * only harmless when a repeat of the request cannot duplicate anything, so lablog splits:
 * - **idempotent** requests (reads, `log-batch`, set-tag, updates…) follow MLflow exactly;
 * - **non-idempotent** ones (`runs/create`, `model-versions/create`, …) are retried only when
 *   the server certainly did not act on them: the connection was never made, or the answer
 *   was 408, 429 or 503 (the server refused the request before running it).
 */

/** Retry settings; each defaults to MLflow's environment variable, then MLflow's default. */
export interface RetryOptions {
  /** Retries after the first attempt (`MLFLOW_HTTP_REQUEST_MAX_RETRIES`, default 7). 0 disables. */
  maxRetries: number;
  /** Seconds; the n-th retry waits `factor × 2^(n-1)` (`MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR`, default 2). */
  backoffFactor: number;
  /** Seconds of random jitter added to each backoff (`MLFLOW_HTTP_REQUEST_BACKOFF_JITTER`, default 1). */
  backoffJitter: number;
  /** Cap on each wait in milliseconds, `Retry-After` included (default 120 000, urllib3's). */
  maxBackoffMs: number;
  /** HTTP statuses that are retried (default 408, 429, 500, 502, 503, 504). */
  retryStatusCodes: readonly number[];
}

/** MLflow's `_TRANSIENT_FAILURE_RESPONSE_CODES`. */
export const DEFAULT_RETRY_STATUS_CODES: readonly number[] = [408, 429, 500, 502, 503, 504];

/** Statuses that mean "not processed": safe to retry even a request that must not run twice. */
export const NOT_PROCESSED_STATUS_CODES: readonly number[] = [408, 429, 503];

/** Environment variables the client honours (MLflow's names). */
export const HTTP_ENV = {
  maxRetries: 'MLFLOW_HTTP_REQUEST_MAX_RETRIES',
  backoffFactor: 'MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR',
  backoffJitter: 'MLFLOW_HTTP_REQUEST_BACKOFF_JITTER',
  timeout: 'MLFLOW_HTTP_REQUEST_TIMEOUT',
  username: 'MLFLOW_TRACKING_USERNAME',
  password: 'MLFLOW_TRACKING_PASSWORD',
  token: 'MLFLOW_TRACKING_TOKEN',
  insecureTls: 'MLFLOW_TRACKING_INSECURE_TLS',
  serverCertPath: 'MLFLOW_TRACKING_SERVER_CERT_PATH',
} as const;

function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** Retry settings from `overrides`, then the environment, then MLflow's defaults. */
export function resolveRetryOptions(overrides: Partial<RetryOptions> = {}, env: NodeJS.ProcessEnv = process.env): RetryOptions {
  return {
    maxRetries: Math.floor(overrides.maxRetries ?? envNumber(env, HTTP_ENV.maxRetries, 7)),
    backoffFactor: overrides.backoffFactor ?? envNumber(env, HTTP_ENV.backoffFactor, 2),
    backoffJitter: overrides.backoffJitter ?? envNumber(env, HTTP_ENV.backoffJitter, 1),
    maxBackoffMs: overrides.maxBackoffMs ?? 120_000,
    retryStatusCodes: overrides.retryStatusCodes ?? DEFAULT_RETRY_STATUS_CODES,
  };
}

/** The request timeout in milliseconds: `override`, else `MLFLOW_HTTP_REQUEST_TIMEOUT` seconds, else 120 s. */
export function resolveTimeoutMs(override: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  return override ?? envNumber(env, HTTP_ENV.timeout, 120) * 1000;
}

/**
 * Milliseconds to wait before retry number `retry` (1-based), as urllib3 computes it: the first
 * retry goes at once, then `factor × 2^(retry-1)` seconds plus up to `jitter` seconds, capped.
 */
export function backoffDelayMs(retry: number, o: RetryOptions, random: () => number = Math.random): number {
  if (retry <= 1) return 0;
  const seconds = o.backoffFactor * 2 ** (retry - 1) + (o.backoffJitter > 0 ? random() * o.backoffJitter : 0);
  return Math.max(0, Math.min(o.maxBackoffMs, seconds * 1000));
}

/**
 * A `Retry-After` header in milliseconds (delta-seconds or an HTTP date), capped at
 * `maxMs`; undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | string[] | undefined, maxMs: number, now: number = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.max(0, Math.min(maxMs, ms));
}

/** Whether a response status is retried for a request of the given kind. */
export function isRetryableStatus(status: number, idempotent: boolean, o: RetryOptions): boolean {
  if (!o.retryStatusCodes.includes(status)) return false;
  return idempotent || NOT_PROCESSED_STATUS_CODES.includes(status);
}

/**
 * How far a failed request got:
 * - `not-sent`: the connection never opened (refused, unreachable, DNS hiccup, connect timeout);
 * - `maybe-sent`: the connection broke or timed out after the request may have been written
 *   (reset, "other side closed", socket hang up, headers/body timeout);
 * - `fatal`: not a transport failure worth retrying (a bug, a TLS certificate error, an abort).
 */
export type NetworkFailure = 'not-sent' | 'maybe-sent' | 'fatal';

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const MAYBE_SENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The error codes on an error and its causes (undici nests the socket's error). */
export function errorCodesOf(e: unknown): string[] {
  const out: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && typeof cur === 'object' && cur !== null; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') out.push(code);
    const errors = (cur as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const inner of errors) out.push(...errorCodesOf(inner));
    cur = (cur as { cause?: unknown }).cause;
  }
  return out;
}

/** Classifies a transport error (see {@link NetworkFailure}). */
export function classifyNetworkError(e: unknown): NetworkFailure {
  const codes = errorCodesOf(e);
  if (codes.some((c) => NOT_SENT_CODES.has(c))) return 'not-sent';
  if (codes.some((c) => MAYBE_SENT_CODES.has(c))) return 'maybe-sent';
  if (e instanceof Error && /socket hang up/i.test(e.message)) return 'maybe-sent';
  return 'fatal';
}

/** True when a transport error is a timeout. */
export function isTimeoutError(e: unknown): boolean {
  return errorCodesOf(e).some((c) => TIMEOUT_CODES.has(c));
}
