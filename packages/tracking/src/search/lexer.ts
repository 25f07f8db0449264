/**
 * The tokenizer shared by filter and order_by parsing. It knows nothing of entities or
 * comparisons: it cuts the text into words, quoted text, numbers, operators and punctuation,
 * each with its position, and reports what it cannot read through the caller's `fail`.
 */

/** What a {@link Token} is. */
export type TokenKind = 'word' | 'quoted' | 'number' | 'operator' | 'dot' | 'lparen' | 'rparen' | 'comma' | 'end';

/** A quote character: `'` and `"` delimit strings, `` ` `` and `"` delimit identifiers. */
export type QuoteChar = "'" | '"' | '`';

/** One token of a filter or order_by clause. */
export interface Token {
  readonly kind: TokenKind;
  /** The source text, quotes included; `''` for the end token. */
  readonly text: string;
  /**
   * The text a quoted token stands for (quotes removed, a doubled quote or a backslash-escaped
   * quote read as one quote); the source text for every other kind.
   */
  readonly value: string;
  /** The quote character of a quoted token. */
  readonly quote?: QuoteChar;
  /** 0-based offset of the first character. */
  readonly start: number;
  /** 0-based offset just past the last character. */
  readonly end: number;
}

/**
 * How the caller reports a lexing error: `text` is the offending text, `detail` a sentence
 * naming the position. Must throw.
 */
export type SyntaxFailure = (text: string, detail: string) => never;

const OPERATORS = ['!=', '<>', '<=', '>=', '==', '=', '<', '>'] as const;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD = /[\p{L}_$][\p{L}\p{N}_$]*/uy;
/** A key segment right after a dot may start with a digit (`metrics.0_loss`, `params.1`). */
const KEY_SEGMENT = /[\p{L}\p{N}_$]+/uy;
const WORD_CHAR = /[\p{L}\p{N}_$]/u;
const PUNCTUATION: Readonly<Record<string, TokenKind>> = { '(': 'lparen', ')': 'rparen', ',': 'comma' };

/**
 * Cuts `source` into tokens, ending with one `end` token. A `.` directly after a word or a quoted
 * token (no space) is a `dot` joining identifier parts; words directly after such a dot may start
 * with a digit. A number directly followed by a letter is an error, as is an unterminated quote
 * or a character outside the grammar.
 */
export function tokenize(source: string, fail: SyntaxFailure): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, extra?: Pick<Token, 'value' | 'quote'>): void => {
    const text = source.slice(start, end);
    tokens.push({ kind, text, value: extra?.value ?? text, ...(extra?.quote ? { quote: extra.quote } : {}), start, end });
    i = end;
  };
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/u.test(ch)) {
      i++;
      continue;
    }
    const prev = tokens[tokens.length - 1];
    const touchesPrev = prev !== undefined && prev.end === i;
    if (ch === "'" || ch === '"' || ch === '`') {
      const { value, end } = readQuoted(source, i, fail);
      push('quoted', i, end, { value, quote: ch });
      continue;
    }
    const punctuation = PUNCTUATION[ch];
    if (punctuation !== undefined) {
      push(punctuation, i, i + 1);
      continue;
    }
    const operator = OPERATORS.find((op) => source.startsWith(op, i));
    if (operator !== undefined) {
      push('operator', i, i + operator.length);
      continue;
    }
    if (ch === '.' && touchesPrev && (prev.kind === 'word' || prev.kind === 'quoted')) {
      push('dot', i, i + 1);
      continue;
    }
    if (touchesPrev && prev.kind === 'dot') {
      const end = matchAt(KEY_SEGMENT, source, i);
      if (end !== undefined) {
        push('word', i, end);
        continue;
      }
    }
    const numberEnd = matchAt(NUMBER, source, i);
    if (numberEnd !== undefined) {
      if (numberEnd < source.length && WORD_CHAR.test(source[numberEnd]!)) {
        const junkEnd = matchAt(KEY_SEGMENT, source, numberEnd) ?? numberEnd + 1;
        const text = source.slice(i, junkEnd);
        fail(text, `Invalid number '${text}' at position ${i}.`);
      }
      push('number', i, numberEnd);
      continue;
    }
    const wordEnd = matchAt(WORD, source, i);
    if (wordEnd !== undefined) {
      push('word', i, wordEnd);
      continue;
    }
    if (ch === '.') {
      push('dot', i, i + 1);
      continue;
    }
    fail(ch, `Unexpected character '${ch}' at position ${i}.`);
  }
  tokens.push({ kind: 'end', text: '', value: '', start: source.length, end: source.length });
  return tokens;
}

/** End offset of a sticky match of `re` at `at`, or undefined. */
function matchAt(re: RegExp, source: string, at: number): number | undefined {
  re.lastIndex = at;
  const m = re.exec(source);
  return m === null ? undefined : at + m[0].length;
}

/** Reads the quoted text starting at `start` (a quote character). */
function readQuoted(source: string, start: number, fail: SyntaxFailure): { value: string; end: number } {
  const quote = source[start]!;
  let value = '';
  let j = start + 1;
  while (j < source.length) {
    const c = source[j]!;
    if (c === quote) {
      if (source[j + 1] === quote) {
        value += quote;
        j += 2;
        continue;
      }
      return { value, end: j + 1 };
    }
    if (c === '\\' && source[j + 1] === quote) {
      value += quote;
      j += 2;
      continue;
    }
    value += c;
    j++;
  }
  fail(source.slice(start), `Unterminated quoted text starting at position ${start}: missing the closing ${quote}.`);
}
