import { invalidParameter } from '../errors.js';

/**
 * MLflow's page tokens: base64 of `{"offset": N}`. Opaque to clients, but Python's MLflow
 * client and lablog's must both be able to page through any server, so the format is MLflow's.
 */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

/** Reads a page token; 0 for an absent token; INVALID_PARAMETER_VALUE for a malformed one. */
export function decodePageToken(token: string | undefined | null): number {
  if (token === undefined || token === null || token === '') return 0;
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9+/=_-]+$/.test(token)) throw new Error('not base64');
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw invalidParameter(`Invalid page token, could not base64-decode or parse as JSON: '${token}'`);
  }
  if (typeof parsed !== 'object' || parsed === null || !('offset' in parsed)) {
    throw invalidParameter(`Invalid page token, parsed value=${JSON.stringify(parsed)}`);
  }
  const offset = (parsed as { offset: unknown }).offset;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw invalidParameter(`Invalid page token, offset must be a non-negative integer: ${JSON.stringify(offset)}`);
  }
  return offset;
}

/**
 * Cuts one page out of a full, ordered result, with a token only when more rows follow.
 * (MLflow's SQL store also returns a token for an exactly-full last page, which then leads to
 * an empty page; clients handle both, and this saves them that extra request.)
 */
export function pageOf<T>(all: readonly T[], offset: number, maxResults: number): { items: T[]; nextPageToken?: string } {
  const items = all.slice(offset, offset + maxResults);
  return offset + maxResults < all.length ? { items, nextPageToken: encodePageToken(offset + maxResults) } : { items };
}
