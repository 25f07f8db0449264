import type { ErrorCode } from '@lablog/tracking';

/**
 * An error a CLI command reports as `Error: <message> (<ERROR_CODE>)` with exit code 1, as it
 * does a LablogError. The CLI's option parsers throw it, so that building the command tree
 * needs none of `@lablog/tracking`'s runtime (start-up time: `lablog --help`, `lablog server`).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly errorCode: ErrorCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
