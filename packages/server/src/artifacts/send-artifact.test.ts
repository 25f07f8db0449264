import { describe, expect, it } from 'vitest';
import { artifactContentType, contentDispositionAttachment } from './send-artifact.js';

describe('contentDispositionAttachment (RFC 6266)', () => {
  it.each([
    ['model/MLmodel', 'attachment; filename=MLmodel'],
    ['a b.txt', 'attachment; filename="a b.txt"'],
    ['semi;colon.txt', 'attachment; filename="semi;colon.txt"'],
    ['q"uote.txt', `attachment; filename="q_uote.txt"; filename*=UTF-8''q%22uote.txt`],
    ['back\\slash', `attachment; filename="back_slash"; filename*=UTF-8''back%5Cslash`],
    ['日本.csv', `attachment; filename="__.csv"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.csv`],
    ["it's (1).txt", `attachment; filename="it's (1).txt"`],
    ['', 'attachment; filename=artifact'],
  ])('%j → %s', (name, header) => {
    expect(contentDispositionAttachment(name)).toBe(header);
  });

  it('never lets CR, LF or other control characters into the header', () => {
    const header = contentDispositionAttachment('evil\r\nSet-Cookie: x=1\u0000.txt');
    expect(header).not.toMatch(/[\r\n\u0000]/);
    expect(header).toContain("filename*=UTF-8''evil%0D%0ASet-Cookie%3A%20x%3D1%00.txt");
  });
});

describe('artifactContentType', () => {
  it.each([
    ['index.html', 'text/plain; charset=utf-8'],
    ['page.HTM', 'text/plain; charset=utf-8'],
    ['x.xhtml', 'text/plain; charset=utf-8'],
    ['app.js', 'text/plain; charset=utf-8'],
    ['metrics.csv', 'text/csv; charset=utf-8'],
    ['MLmodel', 'application/octet-stream'],
    ['.hidden', 'application/octet-stream'],
    ['plot.png', 'image/png'],
    ['model.onnx', 'application/octet-stream'],
    ['conf.yaml', 'application/yaml'],
  ])('%s → %s', (name, type) => {
    expect(artifactContentType(name)).toBe(type);
  });
});
