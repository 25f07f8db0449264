/**
 * One error type for all of lablog, carrying MLflow's `error_code`; the server turns it into
 * MLflow's error JSON with the HTTP status from {@link ERROR_CODE_TO_HTTP_STATUS}.
 */

/** MLflow's error codes (databricks `ErrorCode`) that lablog raises or maps. */
export const ERROR_CODES = [
  'INTERNAL_ERROR',
  'TEMPORARILY_UNAVAILABLE',
  'IO_ERROR',
  'BAD_REQUEST',
  'INVALID_PARAMETER_VALUE',
  'ENDPOINT_NOT_FOUND',
  'MALFORMED_REQUEST',
  'INVALID_STATE',
  'PERMISSION_DENIED',
  'FEATURE_DISABLED',
  'CUSTOMER_UNAUTHORIZED',
  'UNAUTHENTICATED',
  'REQUEST_LIMIT_EXCEEDED',
  'RESOURCE_EXHAUSTED',
  'RESOURCE_ALREADY_EXISTS',
  'RESOURCE_DOES_NOT_EXIST',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'ABORTED',
  'RESOURCE_CONFLICT',
  'CANCELLED',
  'DATA_LOSS',
  'NOT_IMPLEMENTED',
  'DEADLINE_EXCEEDED',
] as const;

/** One of MLflow's error codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * HTTP status of each error code, as MLflow maps them (RESOURCE_ALREADY_EXISTS is 400, not 409),
 * with one deliberate difference: INVALID_STATE (e.g. creating a run in a deleted experiment) is
 * 400, not 500. It is the client's mistake, and MLflow's own client retries every 500 seven
 * times with backoff before giving up on an answer that cannot change.
 */
export const ERROR_CODE_TO_HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
  IO_ERROR: 500,
  BAD_REQUEST: 400,
  INVALID_PARAMETER_VALUE: 400,
  ENDPOINT_NOT_FOUND: 404,
  MALFORMED_REQUEST: 400,
  INVALID_STATE: 400,
  PERMISSION_DENIED: 403,
  FEATURE_DISABLED: 501,
  CUSTOMER_UNAUTHORIZED: 401,
  UNAUTHENTICATED: 401,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_EXHAUSTED: 429,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  RESOURCE_CONFLICT: 409,
  CANCELLED: 499,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  DEADLINE_EXCEEDED: 504,
};

/** Type guard for {@link ErrorCode}. */
export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && (ERROR_CODES as readonly string[]).includes(x);
}

const BRAND = Symbol.for('@lablog/tracking:LablogError');

/**
 * The error lablog throws for anything a caller can act on: invalid input, a missing
 * resource, a conflict. `errorCode` is MLflow's code; `httpStatus` the status a server sends.
 */
export class LablogError extends Error {
  readonly errorCode: ErrorCode;
  /** Set when the error came from a server's error JSON. */
  readonly httpStatus: number;

  constructor(message: string, errorCode: ErrorCode = 'INTERNAL_ERROR', options?: { cause?: unknown; httpStatus?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LablogError';
    this.errorCode = errorCode;
    this.httpStatus = options?.httpStatus ?? ERROR_CODE_TO_HTTP_STATUS[errorCode];
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** MLflow's error JSON: `{error_code, message}`. */
  toJSON(): { error_code: ErrorCode; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }

  /** Works across two loaded copies of this package (brand check, as Arrow's guards do). */
  static is(x: unknown): x is LablogError {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** Turns any thrown value into a LablogError; anything not already one becomes INTERNAL_ERROR. */
export function toLablogError(e: unknown): LablogError {
  if (LablogError.is(e)) return e;
  if (e instanceof Error) return new LablogError(e.message, 'INTERNAL_ERROR', { cause: e });
  return new LablogError(String(e), 'INTERNAL_ERROR');
}

/** Shorthand for the most common error: bad input. */
export function invalidParameter(message: string): LablogError {
  return new LablogError(message, 'INVALID_PARAMETER_VALUE');
}

/** Shorthand for a missing resource (404). */
export function resourceDoesNotExist(message: string): LablogError {
  return new LablogError(message, 'RESOURCE_DOES_NOT_EXIST');
}

/** Shorthand for a duplicate (400, as MLflow). */
export function resourceAlreadyExists(message: string): LablogError {
  return new LablogError(message, 'RESOURCE_ALREADY_EXISTS');
}
