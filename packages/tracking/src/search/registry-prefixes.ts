import type { EntityType } from './ast.js';

const VALID = ['attribute', 'tag', 'tags'];

/**
 * The entity prefixes experiments and registry searches accept, exactly MLflow's
 * `('attribute', 'tag', 'tags')`; bare keys are attributes.
 */
export const registryStylePrefixes: ReadonlyMap<string, EntityType> = new Map<string, EntityType>([
  ['attribute', 'attribute'],
  ['tag', 'tag'],
  ['tags', 'tag'],
]);

/** MLflow's message for any other prefix in those searches. */
export function registryStyleInvalidEntity(entity: string): string {
  return `Invalid entity type '${entity}'. Valid entity types are (${VALID.map((v) => `'${v}'`).join(', ')})`;
}
