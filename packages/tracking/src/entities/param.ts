/** A run parameter: written once, a string. */
export interface Param {
  readonly key: string;
  readonly value: string;
}
