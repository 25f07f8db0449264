/** The REST store: lablog's client for any MLflow-compatible server, and its HTTP layer. */
import type { StorePair } from '../store-registry.js';
import { RestStore } from './rest-store.js';

export { RestStore } from './rest-store.js';
export type { RestStoreOptions } from './rest-store.js';
export { HttpClient, authFromEnv, authorizationHeader, appendQuery, readJsonResponse } from './http-client.js';
export type { HttpAuth, HttpClientOptions, HttpTransportOptions, HttpRequest, HttpResponse, QueryValue } from './http-client.js';
export {
  resolveRetryOptions,
  resolveTimeoutMs,
  backoffDelayMs,
  retryAfterMs,
  classifyNetworkError,
  DEFAULT_RETRY_STATUS_CODES,
  NOT_PROCESSED_STATUS_CODES,
  HTTP_ENV,
} from './retry-policy.js';
export type { RetryOptions, NetworkFailure } from './retry-policy.js';
export { errorFromResponse, errorCodeForStatus, HTTP_STATUS_TO_ERROR_CODE } from './rest-errors.js';

/**
 * The store factory for `http:` and `https:` tracking URIs: one {@link RestStore} serving as
 * both the tracking and the registry store. Register it with
 * `registerStoreScheme('http', restStoreFactory)` (and `'https'`).
 */
export function restStoreFactory(uri: string): StorePair {
  const store = new RestStore({ trackingUri: uri });
  return { tracking: store, registry: store };
}
