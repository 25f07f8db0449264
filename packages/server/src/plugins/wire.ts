/**
 * MLflow's wire format at the edge of the app (ref §1.1, §1.2): how request bodies and query
 * strings become request messages, and how response messages are trimmed.
 *
 * - POST and PUT need `Content-Type: application/json` (parameters such as a charset allowed;
 *   routes with `config.rawBody`, the artifact uploads, take any),
 *   else 400 with MLflow's messages. The check runs before the body is read.
 * - JSON bodies: empty means `{}`, `null` means `{}`, a JSON string is decoded a second time
 *   (legacy clients double-encode). Malformed JSON is a 400 MALFORMED_REQUEST (MLflow silently
 *   reads it as `{}`; we say what is wrong).
 * - A GET with no query string falls back to a JSON body.
 * - Every route's `querystring`/`body` schema is checked by {@link decodeMessage}, set here as
 *   the validator compiler; failures reach the error handler as `error.validation`.
 */
import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';
import { errorCodes, type FastifyInstance, type FastifyRequest, type FastifySchemaCompiler } from 'fastify';
import { LablogError } from '@lablog/tracking';
import { FROM_JSON_BODY, type WireSchema } from '../schemas/wire-schema.js';
import { decodeMessage } from '../schemas/wire-decoder.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route takes a raw body of any content type (artifact uploads): the JSON content-type
     * check is skipped, and the route's own content-type parser hands it the unread stream.
     */
    rawBody?: boolean;
  }
}

/** The only request content type MLflow's API accepts on POST and PUT. */
export const JSON_CONTENT_TYPE = 'application/json';

const CONTENT_TYPE_MISSING = 'Bad Request. Content-Type header is missing.';
const CONTENT_TYPE_WRONG = `Bad Request. Content-Type must be one of ['${JSON_CONTENT_TYPE}'].`;
const MAX_ERROR_DETAIL = 200;

/** The content-type error MLflow gives a POST/PUT, or null when the header is acceptable. */
export function contentTypeError(method: string, header: string | undefined): LablogError | null {
  if (method !== 'POST' && method !== 'PUT') return null;
  if (header === undefined) return new LablogError(CONTENT_TYPE_MISSING, 'INVALID_PARAMETER_VALUE');
  const mediaType = header.split(';')[0]!.trim().toLowerCase();
  return mediaType === JSON_CONTENT_TYPE ? null : new LablogError(CONTENT_TYPE_WRONG, 'INVALID_PARAMETER_VALUE');
}

function malformed(detail: string): LablogError {
  const short = detail.length > MAX_ERROR_DETAIL ? detail.slice(0, MAX_ERROR_DETAIL) + '…' : detail;
  return new LablogError(`Malformed JSON in request body: ${short}`, 'MALFORMED_REQUEST');
}

/**
 * Parses a request body as MLflow reads it: blank → `{}`, `null` → `{}`, a JSON string is
 * parsed once more. Anything else is returned as parsed (the schema check rejects non-objects).
 * @throws LablogError MALFORMED_REQUEST when the text is not JSON.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
    if (typeof parsed === 'string') parsed = parsed.trim() === '' ? {} : JSON.parse(parsed);
  } catch (e) {
    throw malformed(e instanceof Error ? e.message : String(e));
  }
  return parsed ?? {};
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

async function readRawBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limit) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isEmptyQuery(query: unknown): boolean {
  return typeof query !== 'object' || query === null || Object.keys(query).length === 0;
}

/**
 * The validator compiler for every route: {@link decodeMessage} on the route's schema. Query
 * strings are read with query rules unless a GET's JSON body stood in for them.
 */
export const wireValidatorCompiler: FastifySchemaCompiler<WireSchema> = ({ schema, httpPart }) => {
  return (data: unknown) => {
    const fromBody = typeof data === 'object' && data !== null && FROM_JSON_BODY in data;
    return decodeMessage(schema, data, httpPart === 'querystring' && !fromBody ? 'query' : 'json');
  };
};

/**
 * A response message as MLflow encodes it (ref §1.2): top-level fields that are unset,
 * empty lists or empty page tokens are left out, so an empty result is exactly `{}`.
 */
export function responseMessage(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  return out;
}

async function wire(app: FastifyInstance): Promise<void> {
  const bodyLimit = app.initialConfig.bodyLimit ?? 1024 * 1024;

  app.setValidatorCompiler(wireValidatorCompiler);

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(JSON_CONTENT_TYPE, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  // Matched routes reject other content types in onRequest, before any parsing; what is left
  // (unknown paths, wrong methods) must still get its JSON 404/405, not a 415.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, undefined));

  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (request.is404 || request.routeOptions.config.rawBody === true) return;
    const error = contentTypeError(request.method, request.headers['content-type']);
    if (error) throw error;
  });

  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (request.method !== 'GET' || !request.routeOptions.schema?.querystring) return;
    if (!isEmptyQuery(request.query) || !hasBody(request.raw)) return;
    const parsed = parseJsonBody(await readRawBody(request.raw, bodyLimit));
    if (typeof parsed === 'object' && parsed !== null) Object.defineProperty(parsed, FROM_JSON_BODY, { value: true });
    (request as { query: unknown }).query = parsed;
  });
}

/** Request decoding and validation per ref §1.1, for the whole app (not encapsulated). */
export const wirePlugin = fp(wire, { name: 'lablog-wire', fastify: '5.x' });
