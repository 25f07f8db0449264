import type { ColSpecType } from '@lablog/tracking';
import type { TensorDtype } from './tensor.js';

/** A tensor input or output: dtype and shape, `-1` for a variable dimension (normally the batch). */
export interface TensorSpec {
  readonly kind: 'tensor';
  readonly name?: string;
  readonly dtype: TensorDtype;
  readonly shape: readonly number[];
}

/** A column of a column-based (tabular) input or output. */
export interface ColumnSpec {
  readonly kind: 'column';
  readonly name?: string;
  readonly type: ColSpecType;
  readonly required: boolean;
}

/** MLflow's `Schema`: all tensor specs or all column specs, names all present or all absent. */
export type Schema = { readonly kind: 'tensor'; readonly specs: readonly TensorSpec[] } | { readonly kind: 'column'; readonly specs: readonly ColumnSpec[] };

/** One inference parameter (`ParamSpec`): name, type, default, `null` shape for scalars or `[-1]` for lists. */
export interface ParamSpec {
  readonly name: string;
  readonly type: ColSpecType;
  readonly default: unknown;
  readonly shape: readonly number[] | null;
}

/** A model signature: what `predict` takes and returns (MLflow's `ModelSignature`). */
export interface ModelSignature {
  readonly inputs: Schema;
  readonly outputs: Schema | null;
  readonly params: readonly ParamSpec[] | null;
}
