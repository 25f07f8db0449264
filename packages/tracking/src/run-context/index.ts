/** Run-context providers: the tags every new run gets from its environment (MLflow's `resolve_tags`). */
import type { RunContextProvider } from './provider.js';
import { defaultContext } from './default.js';
import { gitContext } from './git.js';

export type { RunContextProvider } from './provider.js';
export { defaultContext, currentUser, inJupyterKernel, sourceScript, CONSOLE_SOURCE_NAME } from './default.js';
export { gitContext, readGitInfo, findGitDir, remoteUrl, sourceDirectory } from './git.js';
export type { GitInfo } from './git.js';

const providers: RunContextProvider[] = [defaultContext, gitContext];

/** Adds a provider (after the built-in ones; later providers win on the same tag). */
export function registerRunContextProvider(provider: RunContextProvider): void {
  providers.push(provider);
}

/**
 * The tags of a new run: every provider's tags, then the user's tags on top (the user wins).
 * A failing provider is skipped: context tags never stop a run from starting.
 */
export function resolveTags(userTags: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of providers) {
    try {
      if (p.inContext()) Object.assign(out, p.tags());
    } catch {
      // best effort, as MLflow's registry does
    }
  }
  return Object.assign(out, userTags);
}
