/**
 * The grammar of one order_by clause, with no knowledge of entities (ref §3.2):
 * `identifier [ASC | DESC]`, the direction case-insensitive, ASC by default.
 */
import { invalidOrderByClause, searchError } from './search-errors.js';
import { readIdentifier, startsIdentifier, type RawIdentifier, type TokenFailure } from './identifier.js';
import { tokenize } from './lexer.js';
import { TokenCursor, describeToken } from './token-cursor.js';

/** One order_by clause as written. */
export interface RawOrderBy {
  readonly identifier: RawIdentifier;
  readonly ascending: boolean;
}

/**
 * Parses one order_by clause. Throws INVALID_PARAMETER_VALUE with MLflow's "Invalid order_by
 * clause '…'. Could not be parsed." (or "Invalid ordering key in order_by clause '…'." for a bad
 * direction word), naming the position in the clause.
 */
export function parseOrderBySyntax(clause: string): RawOrderBy {
  const fail: TokenFailure = (at, detail) => {
    throw invalidOrderByClause(clause, detail);
  };
  const cursor = new TokenCursor(
    tokenize(clause, (_text, detail) => {
      throw invalidOrderByClause(clause, detail);
    }),
  );
  const first = cursor.peek();
  if (!startsIdentifier(first)) {
    fail(first, `Expected an identifier (e.g. metrics.rmse) at position ${first.start}, found ${describeToken(first)}.`);
  }
  const identifier = readIdentifier(cursor, fail);
  let ascending = true;
  const direction = cursor.peek();
  const word = direction.kind === 'word' ? direction.value.toUpperCase() : '';
  if (word === 'ASC' || word === 'DESC') {
    ascending = word === 'ASC';
    cursor.next();
  } else if (direction.kind === 'word' && cursor.peek(1).kind === 'end') {
    throw searchError(`Invalid ordering key in order_by clause '${clause}'.`, direction.start);
  }
  const rest = cursor.peek();
  if (rest.kind !== 'end') {
    fail(rest, `Expected ASC, DESC or the end of the clause at position ${rest.start}, found ${describeToken(rest)}.`);
  }
  return { identifier, ascending };
}
