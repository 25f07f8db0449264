/**
 * Options of the tracking store contract and what each section of it sees.
 */
import type { TrackingStore } from '../../tracking-store.js';

/**
 * Where MLflow's own stores legitimately differ (ref §2.2, §5.3), a runner says which
 * behaviour its store has. Everything else is one contract for every store.
 */
export interface TrackingStoreContractOptions {
  /**
   * `sequential`: new experiments get "1", "2", "3"… (MLflow's SQL store);
   * `any`: any valid distinct id (the file store's random 18-digit ids). Default `any`.
   */
  experimentIds?: 'sequential' | 'any';
  /**
   * Logging the exact same metric point (key, value, timestamp, step) twice:
   * `append` keeps both in the history (MLflow's file store), `dedup` keeps one (MLflow's SQL
   * store). Default `append`.
   */
  duplicateMetricPoints?: 'append' | 'dedup';
  /**
   * MLflow's SQL store returns ±Infinity as ±1.7976931348623157e308. When true, that clamp is
   * accepted as well as ±Infinity; when false (default), ±Infinity must round-trip exactly.
   */
  infinityMayBeClamped?: boolean;
  /**
   * `any`: the store keeps any valid artifact location (a local store, MLflow's server);
   * `under-root`: only locations inside the default artifact root are accepted (lablog server's
   * confinement policy), so the custom-location test uses one there. Default `any`.
   */
  artifactLocations?: 'any' | 'under-root';
}

/** What each section of the tracking contract gets per test. */
export interface TrackingContext {
  readonly store: TrackingStore;
  readonly options: Required<TrackingStoreContractOptions>;
  /** Known to the runner: makes the `<root>/<id>` check exact. */
  readonly defaultArtifactRoot: string | undefined;
}

/** Fills in option defaults. */
export function resolveTrackingOptions(o: TrackingStoreContractOptions = {}): Required<TrackingStoreContractOptions> {
  return {
    experimentIds: o.experimentIds ?? 'any',
    duplicateMetricPoints: o.duplicateMetricPoints ?? 'append',
    infinityMayBeClamped: o.infinityMayBeClamped ?? false,
    artifactLocations: o.artifactLocations ?? 'any',
  };
}
