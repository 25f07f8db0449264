/**
 * The HTTP layer under {@link RestStore} and the `mlflow-artifacts:` repository: one undici
 * {@link Agent} with keep-alive, MLflow's request encoding (ref §16: GET → query string with
 * repeated keys for lists, other methods → JSON body), MLflow's auth environment variables,
 * timeouts, and retries per {@link ./retry-policy.js}.
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import type { Agent as UndiciAgent, Dispatcher } from 'undici';

// undici loads with the first HttpClient, not when @lablog/tracking is imported.
let agentClass: typeof UndiciAgent | undefined;
function Agent(): typeof UndiciAgent {
  agentClass ??= (createRequire(import.meta.url)('undici') as { Agent: typeof UndiciAgent }).Agent;
  return agentClass;
}
import { LablogError } from '../../errors.js';
import { errorFromResponse, parseSuccessBody, redactUrl } from './rest-errors.js';
import {
  backoffDelayMs,
  classifyNetworkError,
  HTTP_ENV,
  isRetryableStatus,
  isTimeoutError,
  resolveRetryOptions,
  resolveTimeoutMs,
  retryAfterMs,
  type RetryOptions,
} from './retry-policy.js';

/** Credentials sent with every request to the base URL's origin. */
export type HttpAuth = { readonly kind: 'basic'; readonly username: string; readonly password: string } | { readonly kind: 'bearer'; readonly token: string };

/** Transport settings beyond retries and timeouts. */
export interface HttpTransportOptions {
  /** Credentials; default from `MLFLOW_TRACKING_USERNAME`/`_PASSWORD` (Basic) or `MLFLOW_TRACKING_TOKEN` (Bearer), else the URI's `user:pass@`. `null` sends none. */
  auth?: HttpAuth | null;
  /** Skip TLS certificate checks; default `MLFLOW_TRACKING_INSECURE_TLS=true`. */
  insecureTls?: boolean;
  /** PEM file of the CA that signed the server certificate; default `MLFLOW_TRACKING_SERVER_CERT_PATH`. */
  caCertPath?: string;
  /** Extra headers on every request. */
  headers?: Readonly<Record<string, string>>;
  /** Use this dispatcher (a `ProxyAgent`, a `MockAgent`…) instead of a private Agent; it is not closed by {@link HttpClient.close}. */
  dispatcher?: Dispatcher;
  /** Sockets kept open per origin (default 16). */
  connections?: number;
}

/** Options of {@link HttpClient}. */
export interface HttpClientOptions extends HttpTransportOptions {
  /** Base URL, e.g. the tracking URI `http://host:5000` or `https://host/prefix`. */
  baseUrl: string;
  /** Overrides of the retry policy (defaults: MLflow's environment variables, then MLflow's). */
  retry?: Partial<RetryOptions>;
  /** Per-request timeout in milliseconds (connect, headers and each body read); default `MLFLOW_HTTP_REQUEST_TIMEOUT` s or 120 s. */
  timeoutMs?: number;
  /** Environment to read settings from (tests); default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** A query value: lists become repeated keys, booleans `true`/`false`, absent values are left out. */
export type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

/** One request. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path joined to the base URL's path (`/api/2.0/mlflow/runs/get`), or an absolute `http(s)` URL. */
  path: string;
  query?: Readonly<Record<string, QueryValue>>;
  /** A replayable body: called once per attempt. */
  body?: () => string | Uint8Array | Readable;
  headers?: Readonly<Record<string, string>>;
  /**
   * Whether running the request twice is harmless. Non-idempotent requests are retried only
   * when the server certainly did not act on them (see retry-policy.ts).
   */
  idempotent: boolean;
}

/** A final (not retried) response; the caller must consume or dump `body`. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  /** The URL requested (credentials never included). */
  url: URL;
  /** Attempts made, 1 when the first succeeded. */
  attempts: number;
}

function parseBool(v: string | undefined): boolean {
  return v !== undefined && /^(true|1|yes)$/i.test(v.trim());
}

/** Credentials from MLflow's environment variables, else from the URL's userinfo; null when none. */
export function authFromEnv(env: NodeJS.ProcessEnv, url?: URL): HttpAuth | null {
  const username = env[HTTP_ENV.username];
  const password = env[HTTP_ENV.password];
  if (username && password) return { kind: 'basic', username, password };
  const token = env[HTTP_ENV.token];
  if (token) return { kind: 'bearer', token };
  if (url && url.username) return { kind: 'basic', username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  return null;
}

/** The `Authorization` header value of some credentials. */
export function authorizationHeader(auth: HttpAuth): string {
  if (auth.kind === 'bearer') return `Bearer ${auth.token}`;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}

/** Appends a query to a URL: arrays as repeated keys (`?run_ids=a&run_ids=b`). */
export function appendQuery(url: URL, query: Readonly<Record<string, QueryValue>> | undefined): void {
  if (!query) return;
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) url.searchParams.append(key, typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v));
  }
}

/**
 * An HTTP client for one base URL, with MLflow's retries, timeouts and auth. Credentials go
 * only to the base URL's origin, never to other hosts named by absolute URLs.
 */
export class HttpClient {
  /** The base URL without credentials, query or fragment. */
  readonly baseUrl: URL;
  /** The retry policy in effect. */
  readonly retry: RetryOptions;
  /** Per-request timeout in milliseconds. */
  readonly timeoutMs: number;
  /** The base URL's path without a trailing slash (`''` for the root). */
  private readonly basePath: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly authHeader: string | undefined;
  private readonly extraHeaders: Readonly<Record<string, string>>;
  private closed = false;

  constructor(options: HttpClientOptions) {
    const env = options.env ?? process.env;
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new LablogError(`Invalid HTTP URI '${redactUrl(options.baseUrl)}'`, 'INVALID_PARAMETER_VALUE');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new LablogError(`Not an http(s) URI: '${redactUrl(url)}'`, 'INVALID_PARAMETER_VALUE');
    }
    const auth = options.auth === undefined ? authFromEnv(env, url) : options.auth;
    this.authHeader = auth ? authorizationHeader(auth) : undefined;
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    this.basePath = url.pathname.replace(/\/+$/, '');
    url.pathname = this.basePath || '/';
    this.baseUrl = url;
    this.retry = resolveRetryOptions(options.retry, env);
    this.timeoutMs = resolveTimeoutMs(options.timeoutMs, env);
    this.extraHeaders = options.headers ?? {};
    if (options.dispatcher) {
      this.dispatcher = options.dispatcher;
      this.ownsDispatcher = false;
    } else {
      const insecure = options.insecureTls ?? parseBool(env[HTTP_ENV.insecureTls]);
      const caPath = options.caCertPath ?? env[HTTP_ENV.serverCertPath];
      this.dispatcher = new (Agent())({
        connections: options.connections ?? 16,
        keepAliveTimeout: 30_000,
        connect: {
          timeout: this.timeoutMs,
          ...(insecure ? { rejectUnauthorized: false } : {}),
          ...(caPath ? { ca: readFileSync(caPath) } : {}),
        },
      });
      this.ownsDispatcher = true;
    }
  }

  /** The absolute URL of a request path (see {@link HttpRequest.path}). */
  urlFor(path: string, query?: HttpRequest['query']): URL {
    const absolute = /^https?:\/\//i.test(path);
    const url = new URL(absolute ? path : this.baseUrl.href);
    if (!absolute) url.pathname = `${this.basePath}${path.startsWith('/') ? '' : '/'}${path}`;
    appendQuery(url, query);
    return url;
  }

  /**
   * Sends a request, retrying transient failures (see retry-policy.ts), and returns the final
   * response whatever its status.
   * @throws LablogError TEMPORARILY_UNAVAILABLE (or DEADLINE_EXCEEDED for timeouts) when the
   *   server cannot be reached, naming the URL, the attempts and the cause.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    if (this.closed) throw new LablogError('HttpClient is closed', 'INVALID_STATE');
    const url = this.urlFor(req.path, req.query);
    const headers: Record<string, string> = { 'user-agent': 'lablog-tracking', ...this.extraHeaders, ...req.headers };
    if (this.authHeader && url.origin === this.baseUrl.origin) headers.authorization = this.authHeader;
    for (let attempt = 1; ; attempt++) {
      let res: Dispatcher.ResponseData;
      try {
        res = await this.dispatcher.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: req.method,
          headers,
          body: req.body ? req.body() : null,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
      } catch (e) {
        const failure = classifyNetworkError(e);
        const retryable = failure === 'not-sent' || (failure === 'maybe-sent' && req.idempotent);
        if (!retryable || attempt > this.retry.maxRetries) throw this.networkError(req, url, attempt, e, failure === 'maybe-sent' && !req.idempotent);
        await sleep(backoffDelayMs(attempt, this.retry));
        continue;
      }
      if (attempt <= this.retry.maxRetries && isRetryableStatus(res.statusCode, req.idempotent, this.retry)) {
        const wait = retryAfterMs(res.headers['retry-after'], this.retry.maxBackoffMs) ?? backoffDelayMs(attempt, this.retry);
        await res.body.dump().catch(() => undefined);
        await sleep(wait);
        continue;
      }
      return { status: res.statusCode, headers: res.headers, body: res.body, url, attempts: attempt };
    }
  }

  /**
   * Sends a request with an optional JSON message and returns the response's JSON object:
   * GET (and only GET) carries the message as a query string, other methods as a JSON body.
   * @throws LablogError with the server's error code on a non-2xx answer; INTERNAL_ERROR for a
   *   2xx whose body is not a JSON object.
   */
  async json(
    method: HttpRequest['method'],
    path: string,
    message: Readonly<Record<string, unknown>> = {},
    options: { idempotent: boolean },
  ): Promise<Record<string, unknown>> {
    const req: HttpRequest =
      method === 'GET'
        ? { method, path, query: message as Record<string, QueryValue>, idempotent: options.idempotent }
        : {
            method,
            path,
            body: () => JSON.stringify(message),
            headers: { 'content-type': 'application/json' },
            idempotent: options.idempotent,
          };
    const res = await this.send(req);
    return readJsonResponse(res);
  }

  /** Closes the private Agent (not a dispatcher passed in). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private networkError(req: HttpRequest, url: URL, attempts: number, cause: unknown, ambiguous: boolean): LablogError {
    const what = cause instanceof Error ? cause.message || cause.name : String(cause);
    const code = isTimeoutError(cause) ? 'DEADLINE_EXCEEDED' : 'TEMPORARILY_UNAVAILABLE';
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    const note = ambiguous
      ? ` The connection broke after the request was sent, so the server may have applied it; it was not retried because ${req.method} ${url.pathname} is not idempotent.`
      : '';
    return new LablogError(`API request ${req.method} ${redactUrl(url)} failed after ${tries}: ${what}.${note}`, code, { cause });
  }
}

/** Reads a response as a JSON object, or throws the error it carries. */
export async function readJsonResponse(res: HttpResponse): Promise<Record<string, unknown>> {
  const text = await res.body.text();
  if (res.status < 200 || res.status >= 300) throw errorFromResponse(res.status, text, res.url);
  const ct = res.headers['content-type'];
  return parseSuccessBody(res.status, text, Array.isArray(ct) ? ct[0] : ct, res.url);
}
