/** lablog's version, as `GET /version` reports it: the version of @lablog/server. */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  // src/version.ts and dist/version.js both sit one level below the package root.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** The version string of this package, e.g. `0.1.0`. */
export const LABLOG_VERSION: string = readVersion();
