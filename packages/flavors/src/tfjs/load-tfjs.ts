/**
 * The lazy loader of the optional peers `@tensorflow/tfjs-core` and `@tensorflow/tfjs-layers`
 * (kept apart so that no public declaration file names tfjs types).
 */
import { LablogError } from '@lablog/tracking';

type TfCore = typeof import('@tensorflow/tfjs-core');
type TfLayers = typeof import('@tensorflow/tfjs-layers');

/** The two tfjs modules the tfjs flavor uses. */
export interface TfjsModules {
  readonly core: TfCore;
  readonly layers: TfLayers;
}

let loading: Promise<TfjsModules> | undefined;

function unwrap<T extends object>(mod: T & { default?: T }, probe: string): T {
  return probe in mod ? mod : (mod.default ?? mod);
}

/**
 * Imports tfjs-core and tfjs-layers on first use (they are optional peer dependencies). When
 * no backend is registered yet (tfjs-core alone), `@tensorflow/tfjs-backend-cpu` is loaded.
 * @throws LablogError NOT_IMPLEMENTED when tfjs is not installed.
 */
export function loadTfjs(): Promise<TfjsModules> {
  loading ??= (async () => {
    let core: TfCore;
    let layers: TfLayers;
    try {
      core = unwrap(await import('@tensorflow/tfjs-core'), 'tensor');
      layers = unwrap(await import('@tensorflow/tfjs-layers'), 'loadLayersModel');
    } catch (e) {
      loading = undefined;
      throw new LablogError(
        `The tfjs flavor needs @tensorflow/tfjs (or @tensorflow/tfjs-node): npm install @tensorflow/tfjs. (${(e as Error).message})`,
        'NOT_IMPLEMENTED',
      );
    }
    if (Object.keys(core.engine().registryFactory).length === 0) {
      try {
        await import('@tensorflow/tfjs-backend-cpu');
      } catch {
        throw new LablogError('No TensorFlow.js backend is registered; install @tensorflow/tfjs or @tensorflow/tfjs-node.', 'NOT_IMPLEMENTED');
      }
    }
    await core.ready();
    return { core, layers };
  })();
  return loading;
}
