import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliIO } from '../program.js';

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be an integer between 0 and 65535.');
  return n;
}

function list(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function nonNegative(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a non-negative number.');
  return n;
}

/** Options of `lablog server`, as commander parses them. */
interface ServerCommandOptions {
  host: string;
  port: number;
  backendStoreUri?: string;
  defaultArtifactRoot?: string;
  artifactsDestination?: string;
  serveArtifacts: boolean;
  allowedHosts?: string[];
  corsAllowedOrigins?: string[];
  disableSecurityMiddleware?: boolean;
  auth?: 'basic';
  authDbUri?: string;
  authDefaultPermission?: 'READ' | 'USE' | 'EDIT' | 'MANAGE' | 'NO_PERMISSIONS';
  authCacheTtl?: number;
  logLevel: string;
}

/**
 * `lablog server`: MLflow's REST API (tracking, registry, artifact proxy) over the embedded store
 * (default) or any backend store, with MLflow's defaults (127.0.0.1:5000, artifacts proxied into
 * ./mlartifacts). Runs until SIGINT/SIGTERM, then closes gracefully.
 */
export function addServerCommand(program: Command, io: CliIO): void {
  program
    .command('server')
    .description("Serve MLflow's REST API so MLflow clients, MLflow's UI and lablog clients share one store.")
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', port, 5000)
    .option('--backend-store-uri <uri>', 'where runs live: sqlite:///path.db, postgresql://user:pass@host/db, file:///dir or a path (default: ./lablog/lablog.db)')
    .option('--default-artifact-root <uri>', 'artifact root for new experiments (default: mlflow-artifacts:/ when serving artifacts, else next to the store)')
    .option('--artifacts-destination <uri>', 'where proxied artifacts live: a directory, file:///… or s3://bucket/prefix (default: ./mlartifacts)')
    .option('--serve-artifacts', 'serve the artifact proxy (/api/2.0/mlflow-artifacts) (default)', true)
    .option('--no-serve-artifacts', 'do not serve the artifact proxy')
    .option('--allowed-hosts <hosts>', 'extra allowed Host headers, comma-separated (name, name:port, *.example.com)', list)
    .option('--cors-allowed-origins <origins>', 'allowed CORS origins, comma-separated (default: localhost origins, e.g. JupyterLab)', list)
    .option('--disable-security-middleware', 'turn the Host-header and CORS checks off')
    .addOption(new Option('--auth <scheme>', 'require authentication (admin from LABLOG_AUTH_ADMIN_USERNAME / LABLOG_AUTH_ADMIN_PASSWORD)').choices(['basic']))
    .option('--auth-db-uri <uri>', 'users and permissions database (default: basic_auth.db beside the backend store)')
    .addOption(
      new Option('--auth-default-permission <permission>', 'permission of users without a grant').choices(['READ', 'USE', 'EDIT', 'MANAGE', 'NO_PERMISSIONS']).default('READ'),
    )
    .option('--auth-cache-ttl <seconds>', 'seconds a verified login is cached (0: off)', nonNegative, 0)
    .addOption(new Option('--log-level <level>', 'server log level (one line per request at debug)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'))
    .action(async (opts: ServerCommandOptions) => {
      const { startServer } = await import('../../server.js');
      const { defaultTrackingUri } = await import('@lablog/tracking');
      const backendStoreUri = opts.backendStoreUri ?? defaultTrackingUri();
      const server = await startServer({
        host: opts.host,
        port: opts.port,
        backendStoreUri,
        ...(opts.defaultArtifactRoot ? { defaultArtifactRoot: opts.defaultArtifactRoot } : {}),
        ...(opts.artifactsDestination ? { artifactsDestination: opts.artifactsDestination } : {}),
        serveArtifacts: opts.serveArtifacts,
        ...(opts.allowedHosts ? { allowedHosts: opts.allowedHosts } : {}),
        ...(opts.corsAllowedOrigins ? { corsAllowedOrigins: opts.corsAllowedOrigins } : {}),
        disableSecurityMiddleware: opts.disableSecurityMiddleware ?? false,
        ...(opts.auth
          ? {
              auth: {
                type: opts.auth,
                ...(opts.authDbUri ? { dbUri: opts.authDbUri } : {}),
                ...(opts.authDefaultPermission ? { defaultPermission: opts.authDefaultPermission } : {}),
                credentialCacheTtlSeconds: opts.authCacheTtl ?? 0,
              },
            }
          : {}),
        logger: { level: opts.logLevel },
        handleSignals: true,
      });
      io.out(`lablog server listening on ${server.url} (backend store: ${redact(backendStoreUri)})`);
      // Keep the process alive until a signal closes the server.
      await new Promise<void>((resolve) => server.app.server.once('close', () => resolve()));
    });
}

/** The URI without a password, for logs. */
function redact(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]+):[^@/]*@/i, '$1:***@');
}
