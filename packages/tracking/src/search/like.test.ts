import { describe, expect, it } from 'vitest';
import { likeToRegExp } from './like.js';

const like = (s: string, p: string) => likeToRegExp(p, false).test(s);
const ilike = (s: string, p: string) => likeToRegExp(p, true).test(s);

describe('likeToRegExp', () => {
  it('matches the whole string: % is any run, _ is one character', () => {
    expect(like('exp-1', 'exp-%')).toBe(true);
    expect(like('my-exp-1', 'exp-%')).toBe(false);
    expect(like('exp-1', '%1')).toBe(true);
    expect(like('exp-12', '%1')).toBe(false);
    expect(like('abc', 'a_c')).toBe(true);
    expect(like('abbc', 'a_c')).toBe(false);
    expect(like('', '%')).toBe(true);
    expect(like('x', '')).toBe(false);
    expect(like('a\nb', 'a%b')).toBe(true);
    expect(like('a\nb', 'a_b')).toBe(true);
  });

  it('counts a character outside the BMP as one for _', () => {
    expect(like('a😀b', 'a_b')).toBe(true);
  });

  it('is case-sensitive for LIKE and case-insensitive for ILIKE', () => {
    expect(like('Exp', 'exp')).toBe(false);
    expect(ilike('Exp', 'exp')).toBe(true);
    expect(ilike('ÉTÉ', 'été')).toBe(true);
  });

  it('escapes regex metacharacters (MLflow does not)', () => {
    expect(like('v1x0', 'v1.0')).toBe(false);
    expect(like('v1.0', 'v1.0')).toBe(true);
    expect(like('f(x)', 'f(x)')).toBe(true);
    expect(like('fx', 'f(x)')).toBe(false);
    expect(like('aaa', 'a+')).toBe(false);
    expect(like('a+', 'a+')).toBe(true);
    for (const s of ['[a]', '{1}', 'a|b', '^$', 'a*', 'a?', 'x/y', 'C:\\dir']) expect(like(s, s)).toBe(true);
    expect(like('b', '[ab]')).toBe(false);
    expect(like('a', 'a|b')).toBe(false);
  });

  it('has no escape character: a backslash is literal', () => {
    expect(like('50\\abc', '50\\%')).toBe(true);
    expect(like('50%', '50\\%')).toBe(false);
  });
});
