/**
 * Reporting of asynchronous logging failures: never thrown into training code, shown once per
 * kind (error code + message) with a running count, and kept until `flush()` or `endRun`
 * surfaces them.
 */
import { LablogError } from '../errors.js';

/** Where failure reports go; `console.warn` by default. */
export type FailureReporterFn = (message: string, error: LablogError) => void;

/** The default reporter: one `console.warn` line. */
export const consoleReporter: FailureReporterFn = (message) => console.warn(message);

interface Kind {
  readonly error: LablogError;
  count: number;
  points: number;
  reportedCount: number;
}

/** Counts failures per kind and reports the first of each kind at once, the rest as a count. */
export class FailureReporter {
  private readonly kinds = new Map<string, Kind>();

  /** @param report where messages go; replaceable at any time. */
  constructor(public report: FailureReporterFn = consoleReporter) {}

  /**
   * Records one failure that lost `points` queued items. The first failure of a kind is reported
   * immediately; later ones only bump its count (see {@link summarize}).
   */
  record(error: LablogError, points: number): void {
    const id = `${error.errorCode}\u0000${error.message}`;
    let kind = this.kinds.get(id);
    if (!kind) {
      kind = { error, count: 0, points: 0, reportedCount: 0 };
      this.kinds.set(id, kind);
    }
    kind.count++;
    kind.points += points;
    if (kind.reportedCount === 0) {
      kind.reportedCount = kind.count;
      this.emit(
        `lablog: asynchronous logging failed (${error.errorCode}): ${error.message} [${plural(points, 'item')} not logged]. ` +
          'Training goes on; further failures of this kind are counted, and flush()/endRun() reject with them.',
        error,
      );
    }
  }

  /** Reports, once, the totals of kinds that failed again since they were last reported. */
  summarize(): void {
    for (const kind of this.kinds.values()) {
      if (kind.count > kind.reportedCount) {
        kind.reportedCount = kind.count;
        this.emit(
          `lablog: asynchronous logging failed ${plural(kind.count, 'time')} in all with (${kind.error.errorCode}): ${kind.error.message} [${plural(kind.points, 'item')} not logged].`,
          kind.error,
        );
      }
    }
  }

  /** How often each kind failed so far, keyed `CODE: message`. */
  counts(): Map<string, number> {
    return new Map([...this.kinds.values()].map((k) => [`${k.error.errorCode}: ${k.error.message}`, k.count]));
  }

  private emit(message: string, error: LablogError): void {
    try {
      this.report(message, error);
    } catch {
      // A broken reporter must not break logging either.
    }
  }
}

/**
 * The error `flush()` rejects with when more than one failure was pending: MLflow's code and
 * message of the first, and every failure in {@link errors}.
 */
export class AsyncLoggingError extends LablogError {
  /** Every failure surfaced by this call, in the order they happened. */
  readonly errors: readonly LablogError[];

  constructor(errors: readonly LablogError[]) {
    const first = errors[0]!;
    const distinct = [...new Set(errors.map((e) => `(${e.errorCode}) ${e.message}`))];
    super(
      `${plural(errors.length, 'asynchronous logging failure')}: ${distinct.slice(0, 5).join('; ')}${distinct.length > 5 ? `; … ${distinct.length - 5} more kinds` : ''}`,
      first.errorCode,
      { cause: first },
    );
    this.name = 'AsyncLoggingError';
    this.errors = errors;
  }
}

/** One error as is, several as an {@link AsyncLoggingError}; undefined for none. */
export function aggregateErrors(errors: readonly LablogError[]): LablogError | undefined {
  if (errors.length === 0) return undefined;
  return errors.length === 1 ? errors[0] : new AsyncLoggingError(errors);
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
