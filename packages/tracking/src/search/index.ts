/**
 * MLflow's search grammar (ref §3): filter and order_by parsers for runs, experiments,
 * registered models and model versions, the AST they produce, in-memory filtering and sorting
 * with MLflow's file-store semantics, and page tokens (ref §1.4).
 */
export type { EntityType, Comparator, Comparison, OrderByClause } from './ast.js';
export { encodePageToken, decodePageToken, pageOf } from './page-token.js';

export { parseRunFilter, parseRunOrderBy } from './run-search.js';
export { parseExperimentFilter, parseExperimentOrderBy } from './experiment-search.js';
export { parseRegisteredModelFilter, parseRegisteredModelOrderBy } from './registered-model-search.js';
export { parseModelVersionFilter, parseModelVersionOrderBy } from './model-version-search.js';

export { filterRuns, sortRuns } from './run-in-memory.js';
export { filterExperiments, sortExperiments } from './experiment-in-memory.js';
export { filterRegisteredModels, sortRegisteredModels } from './registered-model-in-memory.js';
export { filterModelVersions, sortModelVersions } from './model-version-in-memory.js';

export {
  DEFAULT_RUN_ORDER,
  fullRunOrder,
  fullExperimentOrder,
  fullRegisteredModelOrder,
  fullModelVersionOrder,
} from './default-order.js';
export { likeToRegExp } from './like.js';
