/** SQL `LIKE` patterns as regular expressions, for in-memory search (the file store). */

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/;

/**
 * Turns a SQL LIKE pattern into an anchored RegExp matching the whole string: `%` is any run of
 * characters (newlines included), `_` exactly one character (a code point). Every other
 * character is literal — MLflow's file store leaves regex metacharacters such as `.` or `(`
 * active; lablog escapes them, so `'v1.0'` does not match `v1x0`. There is no escape character,
 * as in MLflow and SQLite: `\%` is a backslash followed by "any run".
 */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += REGEX_SYNTAX.test(ch) ? `\\${ch}` : ch;
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'isu' : 'su');
}
