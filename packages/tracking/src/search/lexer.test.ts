import { describe, expect, it } from 'vitest';
import { tokenize, type Token } from './lexer.js';

const fail = (text: string, detail: string): never => {
  throw new Error(`${text}|${detail}`);
};
const kinds = (src: string) => tokenize(src, fail).map((t) => t.kind);
const brief = (t: Token) => [t.kind, t.value, t.start, t.end];

describe('tokenize', () => {
  it('cuts a comparison into tokens with positions, ending with an end token', () => {
    expect(tokenize("metrics.rmse >= -1.5e3", fail).map(brief)).toEqual([
      ['word', 'metrics', 0, 7],
      ['dot', '.', 7, 8],
      ['word', 'rmse', 8, 12],
      ['operator', '>=', 13, 15],
      ['number', '-1.5e3', 16, 22],
      ['end', '', 22, 22],
    ]);
  });

  it('reads every operator, longest first, with or without spaces', () => {
    expect(tokenize('a!=1 b<>1 c<=1 d>=1 e==1 f=1 g<1 h>1', fail).filter((t) => t.kind === 'operator').map((t) => t.text)).toEqual([
      '!=', '<>', '<=', '>=', '==', '=', '<', '>',
    ]);
  });

  it('reads quoted text of each quote kind, resolving doubled and backslash-escaped quotes', () => {
    const [a, b, c, d] = tokenize(`'it''s' "say \\"hi\\"" \`f1 score\` 'C:\\dir'`, fail);
    expect([a!.value, a!.quote, a!.text]).toEqual(["it's", "'", "'it''s'"]);
    expect([b!.value, b!.quote]).toEqual(['say "hi"', '"']);
    expect([c!.value, c!.quote]).toEqual(['f1 score', '`']);
    expect(d!.value).toBe('C:\\dir');
  });

  it('reads numbers: integers, negatives, floats, leading dot, exponents', () => {
    const numbers = tokenize('1 -2 3.25 .5 -0.5e-3 1E+5 7.', fail).filter((t) => t.kind === 'number').map((t) => Number(t.text));
    expect(numbers).toEqual([1, -2, 3.25, 0.5, -0.0005, 100000, 7]);
  });

  it('treats a dot touching a word as a joint, and lets a key segment after it start with a digit', () => {
    expect(kinds('metrics.0_loss')).toEqual(['word', 'dot', 'word', 'end']);
    expect(kinds('params.1')).toEqual(['word', 'dot', 'word', 'end']);
    expect(kinds('`metrics`.x')).toEqual(['quoted', 'dot', 'word', 'end']);
    expect(kinds('x = .5')).toEqual(['word', 'operator', 'number', 'end']);
  });

  it('reads parentheses and commas of lists', () => {
    expect(kinds("('a','b',)")).toEqual(['lparen', 'quoted', 'comma', 'quoted', 'comma', 'rparen', 'end']);
  });

  it('reports an unterminated quote with the position where it starts', () => {
    expect(() => tokenize("tags.a = 'abc", fail)).toThrow("'abc|Unterminated quoted text starting at position 9");
    expect(() => tokenize('tags.`a = 1', fail)).toThrow(/position 5/);
  });

  it('reports a character outside the grammar with its position', () => {
    expect(() => tokenize("params.a = 'x'; drop", fail)).toThrow("Unexpected character ';' at position 14");
    expect(() => tokenize('tags.my-tag', fail)).toThrow(/'-' at position 7/);
  });

  it('reports a number run into letters', () => {
    expect(() => tokenize('metrics.a > 12ab', fail)).toThrow("Invalid number '12ab' at position 12");
  });

  it('reads letters beyond ASCII in words', () => {
    expect(tokenize('params.données', fail)[2]!.value).toBe('données');
  });
});
