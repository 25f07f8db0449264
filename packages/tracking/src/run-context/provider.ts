/**
 * A run-context provider, as MLflow's `RunContextProvider` (mlflow/tracking/context/): a tiny
 * object that says whether it applies and which tags it adds to a new run.
 */
export interface RunContextProvider {
  /** A short name, for diagnostics. */
  readonly name: string;
  /** True when this provider has something to say about the current process. */
  inContext(): boolean;
  /** The tags it adds (called only when {@link inContext} is true). */
  tags(): Record<string, string>;
}
