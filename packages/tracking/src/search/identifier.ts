import type { Token } from './lexer.js';
import type { TokenCursor } from './token-cursor.js';

/**
 * An identifier as written, before any entity or key is checked: `metrics.rmse`,
 * ``tags.`mlflow.user` ``, `` `metrics`.x``, `status`, `"Run name"`.
 */
export interface RawIdentifier {
  /** The entity prefix without its quotes; absent for a bare key (an attribute). */
  readonly entity?: string;
  /** The key without its quotes; dotted keys (`tags.mlflow.source.type`) are kept whole. */
  readonly key: string;
  /** The source text of the whole identifier. */
  readonly text: string;
  /** 0-based offset of the identifier. */
  readonly position: number;
}

/** Reports a syntax error at a token; must throw. */
export type TokenFailure = (at: Token, detail: string) => never;

/** Whether `t` can start an identifier: a word, or text in double quotes or backticks. */
export function startsIdentifier(t: Token): boolean {
  return t.kind === 'word' || (t.kind === 'quoted' && t.quote !== "'");
}

/**
 * Reads `<entity>.<key>` or a bare `<key>` at the cursor, which must be on a token for which
 * {@link startsIdentifier} holds. The split is at the first dot outside quotes; after it comes one
 * quoted key (any quote) or words joined by dots, with no spaces around the dots.
 */
export function readIdentifier(cursor: TokenCursor, fail: TokenFailure): RawIdentifier {
  const first = cursor.next();
  const dot = cursor.peek();
  if (dot.kind !== 'dot' || dot.start !== first.end) {
    return { key: first.value, text: first.text, position: first.start };
  }
  cursor.next();
  const head = cursor.peek();
  if (head.start !== dot.end || (head.kind !== 'word' && head.kind !== 'quoted')) {
    fail(head, `Expected a key right after '${first.text}.' at position ${dot.end}.`);
  }
  cursor.next();
  let key = head.value;
  let last = head;
  if (head.kind === 'word') {
    while (cursor.peek().kind === 'dot' && cursor.peek().start === last.end) {
      const joint = cursor.next();
      const part = cursor.peek();
      if (part.kind !== 'word' || part.start !== joint.end) {
        fail(part, `Expected the rest of the key '${key}.' at position ${joint.end}.`);
      }
      cursor.next();
      key += `.${part.value}`;
      last = part;
    }
  }
  const keyText = head.kind === 'quoted' ? head.text : key;
  return { entity: first.value, key, text: `${first.text}.${keyText}`, position: first.start };
}
