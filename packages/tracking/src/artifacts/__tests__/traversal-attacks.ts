/** Shared attack inputs for the artifact path tests. */

/** Wraps a percent-encoded string in `n` more layers of encoding (`%` → `%25`). */
export function reencode(s: string, n: number): string {
  let out = s;
  for (let i = 0; i < n; i++) out = out.replace(/%/g, '%25');
  return out;
}

/** security.md §2.1–2.3 and MLflow's own test vectors. */
export const TRAVERSAL_ATTACKS: readonly string[] = [
  '../x',
  '..',
  '../',
  './../path',
  'path/../to/file',
  'path/../../to/file',
  'a/b/../../../x',
  '/etc/passwd',
  '//etc/passwd',
  '/path',
  '/etc/passwd%00.jpg',
  '/file://etc/passwd',
  '%2E%2E%2F',
  '%2e%2e/x',
  '%2E%2E%2F%2E%2E%2Fpath',
  '..%2fx',
  '..%5cx',
  '%252E%252E%252Fx',
  '%252E%252E',
  reencode('%2E%2E%2Fx', 5),
  '%2Fetc%2Fpasswd',
  '..\\x',
  '\\..\\x',
  'a\\b',
  '\\\\server\\share\\x',
  'C:\\x',
  'C:/x',
  'c:x',
  'file:///etc/passwd',
  'FILE:///etc/passwd',
  'file:/etc/passwd',
  'File:relative',
  '%66ile:///etc/passwd',
  '%2566%2569%256C%2565:///etc/passwd',
  '%46%49%4C%45%3A%2F%2F%2Fetc',
  'x\u0000y',
  'x%00y',
  'x%2500y',
  'a\nb',
  '#frag',
  'x#frag',
  'x%23frag',
  'x%2523frag',
];
