import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Tests run against source: every workspace package's entry is aliased to its src/,
// so `vitest` needs no build (tRPC's layout).
const pkg = (dir: string) => fileURLToPath(new URL(`./packages/${dir}/src/index.ts`, import.meta.url));
const alias = {
  '@lablog/tracking': pkg('tracking'),
  '@lablog/flavors': pkg('flavors'),
  '@lablog/autolog': pkg('autolog'),
  '@lablog/server': pkg('server'),
};

const project = (name: string, include: string[]) => ({
  resolve: { alias },
  test: { name, include, testTimeout: 60_000, hookTimeout: 60_000, pool: 'forks' as const },
});

export default defineConfig({
  test: {
    projects: [
      project('tracking', ['packages/tracking/src/**/*.test.ts']),
      // The same store-level tests again under Deno (node:sqlite instead of better-sqlite3):
      // run with `deno run -A node_modules/vitest/vitest.mjs run --project tracking-deno`.
      project('tracking-deno', [
        'packages/tracking/src/store/**/*.test.ts',
        'packages/tracking/src/search/**/*.test.ts',
        'packages/tracking/src/artifacts/**/*.test.ts',
        'packages/tracking/src/datasets/**/*.test.ts',
      ]),
      project('flavors', ['packages/flavors/src/**/*.test.ts']),
      project('autolog', ['packages/autolog/src/**/*.test.ts']),
      project('server', ['packages/server/src/**/*.test.ts']),
      project('jupyterlab-ext', ['packages/jupyterlab-ext/src/**/*.test.ts']),
      project('cross-package', ['test/**/*.test.ts']),
    ],
  },
});
