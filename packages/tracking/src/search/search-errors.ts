/**
 * The errors the search parsers raise. All are INVALID_PARAMETER_VALUE (HTTP 400); each names the
 * 0-based character position of the problem in the filter or order_by clause it came from.
 * Messages start with MLflow's wording where MLflow has one, so clients matching on it still do.
 */
import { invalidParameter, type LablogError } from '../errors.js';

/** Appends the 0-based position of the problem to an MLflow-worded message. */
export function withPosition(message: string, position: number): string {
  return message.endsWith('.') ? `${message.slice(0, -1)} (at position ${position}).` : `${message} (at position ${position})`;
}

/** A semantic error (bad entity, key, comparator, value) at `position`. */
export function searchError(message: string, position: number): LablogError {
  return invalidParameter(withPosition(message, position));
}

/**
 * A syntax error in a filter: MLflow's "Invalid clause(s) in filter string: '<clause>'", then
 * what was wrong; `detail` must name the position.
 */
export function invalidFilterClause(clause: string, detail: string): LablogError {
  return invalidParameter(`Invalid clause(s) in filter string: '${clause}'. ${detail}`);
}

/**
 * A syntax error in one order_by clause: MLflow's "Invalid order_by clause '<clause>'. Could not
 * be parsed.", then what was wrong; `detail` must name the position.
 */
export function invalidOrderByClause(clause: string, detail: string): LablogError {
  return invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed. ${detail}`);
}

/** Renders a list the way MLflow's messages print Python lists: `['a', 'b']`. */
export function pythonList(items: readonly string[]): string {
  return `[${items.map((i) => `'${i}'`).join(', ')}]`;
}
