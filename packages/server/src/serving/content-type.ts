/**
 * The `Content-Type` rules of MLflow's `/invocations` (ref mlflow-compat §9.1), plus Arrow IPC.
 */
import { UnsupportedContentType, SCORING_PROTOCOL_CHANGE_INFO } from './errors.js';

/** `application/json`. */
export const CONTENT_TYPE_JSON = 'application/json';
/** `text/csv`. */
export const CONTENT_TYPE_CSV = 'text/csv';
/** Arrow IPC stream format (lablog addition); also accepted as the `Accept` of a reply. */
export const CONTENT_TYPE_ARROW_STREAM = 'application/vnd.apache.arrow.stream';
/** Arrow IPC file format (lablog addition, input only). */
export const CONTENT_TYPE_ARROW_FILE = 'application/vnd.apache.arrow.file';

/** The kinds of body `/invocations` reads. */
export type PayloadFormat = 'json' | 'csv' | 'arrow';

const MEDIA_TYPES: Readonly<Record<string, PayloadFormat>> = {
  [CONTENT_TYPE_JSON]: 'json',
  [CONTENT_TYPE_CSV]: 'csv',
  [CONTENT_TYPE_ARROW_STREAM]: 'arrow',
  [CONTENT_TYPE_ARROW_FILE]: 'arrow',
};

/** The types the 415 message lists (MLflow lists its two; lablog adds Arrow's). */
const LISTED_TYPES = [CONTENT_TYPE_CSV, CONTENT_TYPE_JSON, CONTENT_TYPE_ARROW_STREAM];

/**
 * Decides how to read a request body from its `Content-Type`, as MLflow's `invocations()` does:
 * parameters are split on `;` and `=`; a `charset` other than `utf-8` answers "The scoring server
 * only supports UTF-8"; any other parameter answers "Unrecognized content type parameters: …";
 * any other media type answers "This predictor only supports the following content types: …".
 * Media types and parameter names compare case-insensitively and a quoted charset is unquoted
 * (MLflow compares them as written).
 *
 * @throws UnsupportedContentType (415, sent as text/plain).
 */
export function payloadFormatOf(contentType: string | undefined): PayloadFormat {
  // The common case, without parameters: no splitting.
  if (contentType === CONTENT_TYPE_JSON) return 'json';
  const raw = contentType ?? '';
  const parts = raw.split(';').map((s) => s.trim());
  const mediaType = (parts[0] ?? '').toLowerCase();
  const params = new Map<string, string>();
  for (const pair of parts.slice(1)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = (eq < 0 ? pair : pair.slice(0, eq)).trim().toLowerCase();
    let value = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    params.set(key, value);
  }
  const charset = (params.get('charset') ?? 'utf-8').toLowerCase();
  if (charset !== 'utf-8') throw new UnsupportedContentType('The scoring server only supports UTF-8');
  const unexpected = [...params.keys()].filter((k) => k !== 'charset');
  if (unexpected.length > 0) {
    throw new UnsupportedContentType(`Unrecognized content type parameters: ${unexpected.join(', ')}. ${SCORING_PROTOCOL_CHANGE_INFO}`);
  }
  const format = MEDIA_TYPES[mediaType];
  if (format === undefined) {
    const shown = raw.length > 200 ? raw.slice(0, 200) + '…' : raw;
    throw new UnsupportedContentType(
      `This predictor only supports the following content types: Types: [${LISTED_TYPES.map((t) => `'${t}'`).join(', ')}]. Got '${shown}'.`,
    );
  }
  return format;
}

/** True when an `Accept` header asks for an Arrow IPC stream reply. */
export function wantsArrow(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept
    .split(',')
    .map((s) => (s.split(';')[0] ?? '').trim().toLowerCase())
    .includes(CONTENT_TYPE_ARROW_STREAM);
}
