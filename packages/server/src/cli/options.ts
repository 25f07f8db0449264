import { InvalidArgumentError, Option } from 'commander';
import type { ViewType } from '@lablog/tracking';

const VIEW_CHOICES = ['active_only', 'deleted_only', 'all'];

/** `-v, --view <view>`: which lifecycle stages a listing shows (MLflow's `--view`). */
export function viewOption(): Option {
  return new Option('-v, --view <view>', `which lifecycle stages to show (choices: ${VIEW_CHOICES.join(', ')})`)
    .default('ACTIVE_ONLY' satisfies ViewType, 'active_only')
    .argParser((v: string): ViewType => {
      // The choices are ViewType's names in lower case (kept free of @lablog/tracking's runtime for start-up time).
      const t = VIEW_CHOICES.includes(v.toLowerCase()) ? (v.toUpperCase() as ViewType) : undefined;
      if (!t) throw new InvalidArgumentError(`Allowed choices are ${VIEW_CHOICES.join(', ')}.`);
      return t;
    });
}
