/**
 * The filter grammar, with no knowledge of entities (ref §3.1):
 *
 * ```
 * filter     := comparison ( AND comparison )*
 * comparison := identifier comparator value
 * comparator := = | != | <> | == | < | <= | > | >= | LIKE | ILIKE | IN | NOT IN
 * value      := 'string' | "string" | number | ( 'string' [, 'string']* [,] )
 * ```
 *
 * Keywords are case-insensitive. `OR`, `NOT` outside `NOT IN` and parentheses outside a value
 * list are rejected with MLflow's "Invalid clause(s) in filter string" and the position.
 * Which entity, key, comparator and value go together is checked later (check-comparison.ts).
 */
import { invalidFilterClause } from './search-errors.js';
import { readIdentifier, startsIdentifier, type RawIdentifier, type TokenFailure } from './identifier.js';
import { tokenize, type Token } from './lexer.js';
import { TokenCursor, describeToken } from './token-cursor.js';

/** A comparison's right-hand side as written. */
export type RawValue =
  | { readonly kind: 'string'; readonly value: string; readonly text: string; readonly position: number }
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly position: number }
  | { readonly kind: 'list'; readonly items: readonly string[]; readonly text: string; readonly position: number }
  /** An unquoted word or identifier (`lr`, `params.x`): never a valid value, kept for the message. */
  | { readonly kind: 'bare'; readonly text: string; readonly position: number };

/** One `identifier comparator value` as written. */
export interface RawComparison {
  readonly identifier: RawIdentifier;
  /** Keywords upper-cased (`LIKE`, `NOT IN`); operators as written (`>=`, `<>`). */
  readonly comparator: string;
  readonly comparatorPosition: number;
  readonly value: RawValue;
}

/** Words that cannot be a bare identifier. */
const RESERVED = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE']);

/**
 * Parses a non-empty filter into its comparisons. Throws INVALID_PARAMETER_VALUE naming the
 * position of the first syntax error.
 */
export function parseFilterSyntax(filter: string): RawComparison[] {
  return new FilterParser(filter).parse();
}

class FilterParser {
  private readonly cursor: TokenCursor;
  /** Where the clause being read starts, for messages about an unfinished clause. */
  private clauseStart = 0;
  private readonly fail: TokenFailure = (at, detail) => {
    const text = at.kind === 'end' ? this.source.slice(this.clauseStart).trim() : at.text;
    throw invalidFilterClause(text, detail);
  };

  constructor(private readonly source: string) {
    this.cursor = new TokenCursor(
      tokenize(source, (text, detail) => {
        throw invalidFilterClause(text, detail);
      }),
    );
  }

  parse(): RawComparison[] {
    const comparisons: RawComparison[] = [];
    for (;;) {
      comparisons.push(this.comparison());
      const t = this.cursor.peek();
      if (t.kind === 'end') return comparisons;
      if (!this.cursor.isKeyword('AND')) this.fail(t, this.afterComparisonProblem(t));
      this.clauseStart = t.start;
      this.cursor.next();
    }
  }

  private comparison(): RawComparison {
    const t = this.cursor.peek();
    const bareKeyword = t.kind === 'word' && RESERVED.has(t.value.toUpperCase()) && this.cursor.peek(1).kind !== 'dot';
    if (!startsIdentifier(t) || bareKeyword) this.fail(t, this.identifierProblem(t));
    const identifier = readIdentifier(this.cursor, this.fail);
    const comparatorPosition = this.cursor.peek().start;
    const comparator = this.comparator();
    const value = this.value();
    return { identifier, comparator, comparatorPosition, value };
  }

  private comparator(): string {
    const t = this.cursor.peek();
    if (t.kind === 'operator') return this.cursor.next().text;
    if (t.kind === 'word') {
      const word = t.value.toUpperCase();
      if (word === 'LIKE' || word === 'ILIKE' || word === 'IN') {
        this.cursor.next();
        return word;
      }
      if (word === 'NOT') {
        if (!this.cursor.isKeyword('IN', 1)) this.fail(t, notProblem(t));
        this.cursor.next();
        this.cursor.next();
        return 'NOT IN';
      }
    }
    this.fail(
      t,
      `Expected a comparator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN) at position ${t.start}, found ${describeToken(t)}.`,
    );
  }

  private value(): RawValue {
    const t = this.cursor.peek();
    if (t.kind === 'quoted' && t.quote !== '`') {
      this.cursor.next();
      return { kind: 'string', value: t.value, text: t.text, position: t.start };
    }
    if (t.kind === 'number') {
      this.cursor.next();
      return { kind: 'number', value: Number(t.text), text: t.text, position: t.start };
    }
    if (t.kind === 'lparen') return this.list();
    if (startsIdentifier(t)) {
      const id = readIdentifier(this.cursor, this.fail);
      return { kind: 'bare', text: id.text, position: id.position };
    }
    this.fail(t, `Expected a value (a quoted string, a number or a list) at position ${t.start}, found ${describeToken(t)}.`);
  }

  private list(): RawValue {
    const open = this.cursor.next();
    const items: string[] = [];
    for (;;) {
      const t = this.cursor.peek();
      if (t.kind === 'rparen' && items.length > 0) break;
      if (t.kind === 'rparen') {
        this.fail(t, `Expected a non-empty list of quoted string values at position ${t.start}, found ')'.`);
      }
      if (t.kind !== 'quoted' || t.quote === '`') {
        this.fail(t, `Expected a quoted string value in the list at position ${t.start}, found ${describeToken(t)}.`);
      }
      items.push(this.cursor.next().value);
      const after = this.cursor.peek();
      if (after.kind === 'comma') this.cursor.next();
      else if (after.kind !== 'rparen') {
        this.fail(after, `Expected ',' or ')' in the list at position ${after.start}, found ${describeToken(after)}.`);
      }
    }
    const close = this.cursor.next();
    return { kind: 'list', items, text: this.source.slice(open.start, close.end), position: open.start };
  }

  private identifierProblem(t: Token): string {
    if (t.kind === 'lparen' || t.kind === 'rparen') return parenthesisProblem(t);
    if (this.cursor.isKeyword('NOT')) return notProblem(t);
    return `Expected an identifier (e.g. metrics.rmse) at position ${t.start}, found ${describeToken(t)}.`;
  }

  private afterComparisonProblem(t: Token): string {
    if (this.cursor.isKeyword('OR')) return `OR is not supported, only AND can join comparisons: found 'OR' at position ${t.start}.`;
    if (t.kind === 'lparen' || t.kind === 'rparen') return parenthesisProblem(t);
    return `Expected AND or the end of the filter at position ${t.start}, found ${describeToken(t)}.`;
  }
}

function parenthesisProblem(t: Token): string {
  return `Parentheses are not supported (only comparisons joined by AND): found '${t.text}' at position ${t.start}.`;
}

function notProblem(t: Token): string {
  return `NOT is only supported as part of NOT IN: found '${t.text}' at position ${t.start}.`;
}
