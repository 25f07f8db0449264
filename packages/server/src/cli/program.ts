import { Command, Option } from 'commander';
import { CliError } from './errors.js';
import { addExperimentsCommand } from './commands/experiments.js';
import { addRunsCommand } from './commands/runs.js';
import { addModelsCommand } from './commands/models.js';
import { addServerCommand } from './commands/server.js';

/** Where a command writes; injectable so tests can capture output without spawning. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

/** The console. */
export const consoleIO: CliIO = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};

/** Options every command accepts. */
export interface GlobalOptions {
  trackingUri?: string;
}

/** Builds the `lablog` command tree (commander), without parsing anything. */
export function buildProgram(io: CliIO = consoleIO): Command {
  const program = new Command('lablog')
    .description('lablog: experiment tracking, model registry and model serving, MLflow-compatible.')
    .addOption(
      new Option('--tracking-uri <uri>', 'tracking store (sqlite:///…, file:///…, a path); default: $MLFLOW_TRACKING_URI or ./lablog/lablog.db').env(
        'MLFLOW_TRACKING_URI',
      ),
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  addExperimentsCommand(program, io);
  addRunsCommand(program, io);
  addModelsCommand(program, io);
  addServerCommand(program, io);
  return program;
}

/**
 * Runs the command line and returns the exit code: 0 on success, 1 for a LablogError (printed
 * as `Error: <message> (<ERROR_CODE>)`, never a stack trace), 2 for usage errors.
 */
export async function runCli(argv: readonly string[], io: CliIO = consoleIO): Promise<number> {
  const program = buildProgram(io);
  program.exitOverride();
  for (const sub of program.commands) {
    sub.exitOverride();
    for (const leaf of sub.commands) leaf.exitOverride();
  }
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (e) {
    // Commander's own exits (help, usage errors) first: they need nothing more loaded.
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      const exitCode = (e as { exitCode?: number }).exitCode ?? 2;
      return code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help' ? 0 : exitCode === 0 ? 0 : 2;
    }
    // @lablog/tracking is loaded only here, on the error path: commands import it when they run.
    if (e instanceof CliError || (e instanceof Error && (await import('@lablog/tracking')).LablogError.is(e))) {
      io.err(`Error: ${e.message} (${(e as CliError).errorCode})`);
      return 1;
    }
    io.err(`Error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
