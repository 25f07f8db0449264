import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliIO } from '../program.js';

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be an integer between 0 and 65535.');
  return n;
}

/** Options of `lablog server`, as commander parses them. */
interface ServerCommandOptions {
  host: string;
  port: number;
  backendStoreUri?: string;
  defaultArtifactRoot?: string;
  logLevel: string;
}

/**
 * `lablog server`: MLflow's REST API over the embedded store (default) or any backend store,
 * with MLflow's defaults (127.0.0.1:5000). Runs until SIGINT/SIGTERM, then closes gracefully.
 */
export function addServerCommand(program: Command, io: CliIO): void {
  program
    .command('server')
    .description("Serve MLflow's REST API (tracking) so MLflow clients, MLflow's UI and lablog clients share one store.")
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', port, 5000)
    .option('--backend-store-uri <uri>', 'where runs live: sqlite:///path.db, file:///dir or a path (default: ./lablog/lablog.db)')
    .option('--default-artifact-root <uri>', 'artifact root for new experiments (default: next to the store)')
    .addOption(new Option('--log-level <level>', 'server log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'))
    .action(async (opts: ServerCommandOptions) => {
      const { startServer } = await import('../../server.js');
      const { defaultTrackingUri } = await import('@lablog/tracking');
      const backendStoreUri = opts.backendStoreUri ?? defaultTrackingUri();
      const server = await startServer({
        host: opts.host,
        port: opts.port,
        backendStoreUri,
        ...(opts.defaultArtifactRoot ? { defaultArtifactRoot: opts.defaultArtifactRoot } : {}),
        logger: { level: opts.logLevel },
        handleSignals: true,
      });
      io.out(`lablog server listening on ${server.url} (backend store: ${backendStoreUri})`);
      // Keep the process alive until a signal closes the server.
      await new Promise<void>((resolve) => server.app.server.once('close', () => resolve()));
    });
}
