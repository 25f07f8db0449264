import type { Token } from './lexer.js';

/** A read position over a token list that ends with an `end` token. */
export class TokenCursor {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  /** The current token (the `end` token once everything is read). */
  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  /** Returns the current token and moves past it. */
  next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.index++;
    return t;
  }

  /** Whether the current token (or the one `offset` further) is the given keyword (any case). */
  isKeyword(keyword: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'word' && t.value.toUpperCase() === keyword;
  }
}

/** How a token reads in an error message: `'text'`, or "the end of the text". */
export function describeToken(t: Token): string {
  return t.kind === 'end' ? 'the end of the text' : `'${t.text}'`;
}
