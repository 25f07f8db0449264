/**
 * Turning HTTP failures into {@link LablogError}s, as MLflow's client does
 * (`RestException` in mlflow/exceptions.py, `verify_rest_response` in mlflow/utils/rest_utils.py):
 * an error body `{error_code, message}` keeps the server's code; a numeric or unknown code, or a
 * body that is not MLflow's error JSON, is mapped from the HTTP status.
 */
import { isErrorCode, LablogError, type ErrorCode } from '../../errors.js';

/** Error code for an HTTP status when the server gave none we know (the inverse of MLflow's table). */
export const HTTP_STATUS_TO_ERROR_CODE: Readonly<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'ENDPOINT_NOT_FOUND',
  409: 'RESOURCE_CONFLICT',
  429: 'REQUEST_LIMIT_EXCEEDED',
  499: 'CANCELLED',
  500: 'INTERNAL_ERROR',
  501: 'NOT_IMPLEMENTED',
  503: 'TEMPORARILY_UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The error code for an HTTP status: the table above, else BAD_REQUEST for 4xx, INTERNAL_ERROR otherwise. */
export function errorCodeForStatus(status: number): ErrorCode {
  const known = HTTP_STATUS_TO_ERROR_CODE[status];
  if (known !== undefined) return known;
  return status >= 400 && status < 500 ? 'BAD_REQUEST' : 'INTERNAL_ERROR';
}

const MAX_BODY_SNIPPET = 500;

/** The first characters of a response body, for error messages. */
export function bodySnippet(text: string): string {
  const t = text.trim();
  return t.length > MAX_BODY_SNIPPET ? `${t.slice(0, MAX_BODY_SNIPPET)}…` : t;
}

/** A URL without credentials or query string, safe to put in messages. */
export function redactUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return '<invalid URL>';
  }
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The error for a non-2xx response.
 *
 * - `{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": …}` → that code and message;
 * - a numeric `error_code` (`{"error_code": 404}`) → the code of that number as an HTTP status;
 * - an unknown string code, a JSON body without one, or a body that is not JSON (Flask's HTML
 *   404, `--artifacts-only` 503 text, an empty body) → the code of the response's HTTP status.
 *
 * `httpStatus` is always the response's status.
 */
export function errorFromResponse(status: number, bodyText: string, url: string | URL): LablogError {
  const json = parseJsonObject(bodyText);
  if (json !== null && ('error_code' in json || 'message' in json)) {
    const raw = json.error_code;
    let code: ErrorCode;
    if (isErrorCode(raw)) code = raw;
    else if (typeof raw === 'number' || (typeof raw === 'string' && /^\d{3}$/.test(raw))) code = errorCodeForStatus(Number(raw));
    else code = errorCodeForStatus(status);
    const message = typeof json.message === 'string' && json.message !== '' ? json.message : `Response: ${bodySnippet(bodyText)}`;
    return new LablogError(message, code, { httpStatus: status });
  }
  const body = bodySnippet(bodyText);
  return new LablogError(
    `API request to ${redactUrl(url)} failed with HTTP status ${status}${body ? `. Response body: '${body}'` : ' and an empty body'}`,
    errorCodeForStatus(status),
    { httpStatus: status },
  );
}

/**
 * Parses a 2xx response body as MLflow's client requires: a JSON object. Anything else (HTML
 * from a proxy, an empty body, a JSON array) is an error: the URI probably does not point at
 * an MLflow-compatible server.
 */
export function parseSuccessBody(status: number, bodyText: string, contentType: string | undefined, url: string | URL): Record<string, unknown> {
  const json = parseJsonObject(bodyText);
  if (json !== null) return json;
  const body = bodySnippet(bodyText);
  throw new LablogError(
    `API request to ${redactUrl(url)} returned HTTP ${status} with a body that is not a JSON object ` +
      `(Content-Type: ${contentType ?? 'none'})${body ? `: '${body}'` : ' (empty body)'}. ` +
      'Is the tracking URI pointing at an MLflow-compatible server?',
    'INTERNAL_ERROR',
    { httpStatus: status },
  );
}

/** A required field of a response message, checked; INTERNAL_ERROR naming the field when it is missing. */
export function responseField<T = unknown>(json: Record<string, unknown>, field: string, endpoint: string): T {
  const v = json[field];
  if (v === undefined || v === null) {
    throw new LablogError(`Malformed response from ${endpoint}: field '${field}' is missing`, 'INTERNAL_ERROR');
  }
  return v as T;
}
