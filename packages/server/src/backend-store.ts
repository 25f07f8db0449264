/**
 * Opens the stores `lablog server` serves from `--backend-store-uri` (and its default artifact
 * root), through the tracking package's scheme registry, uncached: the server owns them and
 * closes them when it stops.
 */
import { openStore, type RegistryStore, type TrackingStore } from '@lablog/tracking';

/** Options of {@link openBackendStore}. */
export interface BackendStoreOptions {
  /** `sqlite:///path.db`, `file:///dir`, a bare path (file store), `postgresql://…` */
  backendStoreUri: string;
  /**
   * Artifact root of experiments created without a location, e.g. `file:///srv/artifacts`.
   * Default: the store's own (`<db dir>/artifacts` for SQLite, the store root for files).
   */
  defaultArtifactRoot?: string;
}

/** The stores a server serves: tracking, and the registry when the backend has one. */
export interface BackendStores {
  readonly tracking: TrackingStore;
  readonly registry: RegistryStore | null;
}

/** Opens the backend stores for a server. The caller closes them. */
export function openBackendStore(options: BackendStoreOptions): BackendStores {
  return openStore(options.backendStoreUri, options.defaultArtifactRoot ? { defaultArtifactRoot: options.defaultArtifactRoot } : {});
}
