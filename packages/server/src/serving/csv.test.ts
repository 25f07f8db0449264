import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import { payloadFormatOf, wantsArrow } from './content-type.js';

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks; CRLF and LF', () => {
    const t = parseCsv('\ufeffa,"b c",d\r\n1,"x,""y""\nz",\n2,,""\n');
    expect(t.header).toEqual(['a', 'b c', 'd']);
    expect(t.rows).toEqual([
      ['1', 'x,"y"\nz', null],
      ['2', null, ''],
    ]);
  });

  it('a last line without a newline, blank lines skipped, short rows padded with null', () => {
    expect(parseCsv('a,b\n\n1\n3,4').rows).toEqual([
      ['1', null],
      ['3', '4'],
    ]);
  });

  it('a header only is zero rows', () => {
    expect(parseCsv('a,b\n')).toEqual({ header: ['a', 'b'], rows: [] });
  });

  it.each([
    ['', /No columns to parse/],
    ['a\n"open', /unterminated quoted field/],
    ['a\nx"y', /unexpected quote/],
    ['a\n"x"y', /after a closing quote/],
    ['a,b\n1,2,3', /Expected 2 fields in line 2, saw 3/],
  ])('rejects %j', (text, message) => {
    expect(() => parseCsv(text)).toThrow(message);
  });
});

describe('payloadFormatOf', () => {
  it.each([
    ['application/json', 'json'],
    ['Application/JSON; charset=utf-8', 'json'],
    ['text/csv;charset=UTF-8', 'csv'],
    ['application/vnd.apache.arrow.stream', 'arrow'],
    ['application/vnd.apache.arrow.file', 'arrow'],
  ])('%s → %s', (ct, format) => expect(payloadFormatOf(ct)).toBe(format));

  it('charset is checked before other parameters, parameters before the media type', () => {
    expect(() => payloadFormatOf('text/html; format=x; charset=ascii')).toThrow('The scoring server only supports UTF-8');
    expect(() => payloadFormatOf('text/html; format=x')).toThrow(/^Unrecognized content type parameters: format\./);
  });

  it('wantsArrow reads Accept lists', () => {
    expect(wantsArrow('application/json, application/vnd.apache.arrow.stream;q=0.9')).toBe(true);
    expect(wantsArrow('*/*')).toBe(false);
    expect(wantsArrow(undefined)).toBe(false);
  });
});
