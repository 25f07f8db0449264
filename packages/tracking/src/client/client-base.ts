import type { TrackingStore } from '../store/tracking-store.js';
import type { RegistryStore } from '../store/registry-store.js';
import { createStore, type StorePair } from '../store/store-registry.js';
import { absolutizeUri, getTrackingUri } from '../tracking-uri.js';

/**
 * The root of {@link TrackingClient}'s layers: which stores it talks to. The client keeps no
 * other state; every call names its experiment or run explicitly.
 */
export class ClientBase {
  /** The resolved tracking URI (`'<custom>'` when built from stores directly). */
  readonly trackingUri: string;
  /** The tracking store behind this client. */
  readonly store: TrackingStore;
  /** The registry store, or null when the backend has none. */
  readonly registryStoreOrNull: RegistryStore | null;

  /**
   * @param target a tracking URI (default: {@link getTrackingUri}), or stores to use directly
   *   (tests, wrappers); stores for a URI come from the cached store registry.
   */
  constructor(target?: string | StorePair) {
    if (typeof target === 'object') {
      this.trackingUri = '<custom>';
      this.store = target.tracking;
      this.registryStoreOrNull = target.registry;
    } else {
      this.trackingUri = absolutizeUri(target ?? getTrackingUri());
      const pair = createStore(this.trackingUri);
      this.store = pair.tracking;
      this.registryStoreOrNull = pair.registry;
    }
  }
}

/** Tags given as a record or as a list of `{key, value}`. */
export type TagsInput = Readonly<Record<string, string>> | readonly { readonly key: string; readonly value: string }[];

/** Normalises {@link TagsInput} to a list, in order. */
export function tagList(tags: TagsInput | undefined): { key: string; value: string }[] {
  if (tags === undefined) return [];
  if (Array.isArray(tags)) return tags.map((t: { key: string; value: string }) => ({ key: t.key, value: t.value }));
  return Object.entries(tags as Record<string, string>).map(([key, value]) => ({ key, value }));
}
