/**
 * Browser-facing protections (security.md §2.6; MLflow's `security.py` middleware, ref §1.5):
 *
 * - **Host check** against DNS rebinding: the `Host` header must be localhost, a loopback or
 *   private IP literal, the host the server is bound to, or match `allowedHosts` (`name`,
 *   `name:port`, `*.example.com`, `*`). Otherwise 403 PERMISSION_DENIED
 *   "Invalid Host header - possible DNS rebinding attack detected".
 * - **CORS allow-list** via @fastify/cors: by default only localhost origins (any port, so a
 *   JupyterLab on `http://localhost:8888` is in); `corsAllowedOrigins` replaces that list
 *   (`scheme://host[:port]`, `*.` host wildcards, `:*` any port, `*` anything). A preflight or
 *   a state-changing request (anything but GET/HEAD) from another origin is refused with 403
 *   before it reaches a route, which also stops "simple" cross-site POSTs (CSRF). A request
 *   whose `Origin` is its own `Host` is same-origin and always passes.
 * - **Headers on every response**: `X-Frame-Options: SAMEORIGIN` (MLflow's) and
 *   `X-Content-Type-Options: nosniff`.
 *
 * `disabled` (`--disable-security-middleware`) turns the host and origin checks and CORS off;
 * the two headers stay.
 */
import { isIP } from 'node:net';
import cors from '@fastify/cors';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LablogError } from '@lablog/tracking';

/** Options of {@link securityPlugin}. */
export interface SecurityOptions {
  /** Turn the host check, origin check and CORS off (`--disable-security-middleware`). */
  disabled?: boolean;
  /** Extra allowed `Host` values (`--allowed-hosts`), added to the defaults. */
  allowedHosts?: readonly string[];
  /** Allowed CORS origins (`--cors-allowed-origins`); default localhost origins on any port. */
  corsAllowedOrigins?: readonly string[];
  /** The host the server listens on; allowed as a `Host` unless it is a wildcard address. */
  boundHost?: string;
  /** Default `SAMEORIGIN`, as MLflow. */
  frameOptions?: 'DENY' | 'SAMEORIGIN';
}

/** MLflow's message for a refused Host header. */
export const INVALID_HOST_MESSAGE = 'Invalid Host header - possible DNS rebinding attack detected';

/** The message for a refused cross-origin request. */
export const CROSS_ORIGIN_BLOCKED_MESSAGE = 'Cross-origin request blocked: the origin is not allowed';

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

/** Splits a Host header (or allow-list entry) into lower-case hostname (no brackets) and port. */
export function splitHost(value: string): { host: string; port: string | null } {
  const v = value.trim().toLowerCase();
  const bracket = /^\[([^\]]+)\](?::(\d+|\*))?$/.exec(v);
  if (bracket) return { host: bracket[1]!, port: bracket[2] ?? null };
  const colons = v.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = v.split(':') as [string, string];
    return { host, port };
  }
  return { host: v, port: null }; // a bare name, or an unbracketed IPv6 literal
}

/** Loopback, private (RFC 1918), link-local and unique-local IP literals: never a rebinding target name. */
export function isPrivateOrLoopbackIp(host: string): boolean {
  const kind = isIP(host);
  if (kind === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (kind === 6) return host === '::1' || /^f[cd][0-9a-f]{2}:/.test(host) || /^fe[89ab][0-9a-f]:/.test(host);
  return false;
}

function hostMatches(pattern: string, host: string, port: string | null): boolean {
  if (pattern.trim() === '*') return true;
  const p = splitHost(pattern);
  if (p.port !== null && p.port !== '*' && p.port !== port) return false;
  if (p.host.startsWith('*.')) return host.endsWith(p.host.slice(1)) && host.length > p.host.length - 1;
  return p.host === host;
}

/** Builds the Host-header predicate for the options. */
export function hostChecker(options: SecurityOptions): (hostHeader: string | undefined) => boolean {
  const extra = [...(options.allowedHosts ?? [])];
  const bound = options.boundHost ? splitHost(options.boundHost.includes(':') && !options.boundHost.startsWith('[') ? `[${options.boundHost}]` : options.boundHost).host : null;
  if (bound && bound !== '0.0.0.0' && bound !== '::') extra.push(bound);
  return (hostHeader) => {
    if (!hostHeader) return false;
    const { host, port } = splitHost(hostHeader);
    if (host === '') return false;
    if (LOCAL_NAMES.has(host) || host.endsWith('.localhost') || isPrivateOrLoopbackIp(host)) return true;
    return extra.some((pattern) => hostMatches(pattern, host, port));
  };
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

function parseOrigin(origin: string): { scheme: string; host: string; port: string } | null {
  try {
    const u = new URL(origin);
    if (u.origin === 'null') return null;
    return { scheme: u.protocol, host: u.hostname.replace(/^\[|\]$/g, '').toLowerCase(), port: u.port || DEFAULT_PORTS[u.protocol] || '' };
  } catch {
    return null;
  }
}

/** Builds the Origin predicate for the options. */
export function originChecker(options: SecurityOptions): (origin: string) => boolean {
  const patterns = options.corsAllowedOrigins;
  return (origin) => {
    const o = parseOrigin(origin);
    if (o === null) return false;
    if (patterns === undefined || patterns.length === 0) {
      return (o.scheme === 'http:' || o.scheme === 'https:') && (LOCAL_NAMES.has(o.host) || o.host.endsWith('.localhost'));
    }
    return patterns.some((raw) => {
      const pattern = raw.trim();
      if (pattern === '*') return true;
      const m = /^([a-z][a-z0-9+.-]*:)\/\/(\*\.)?([^/:]+|\[[^\]]+\])(?::(\d+|\*))?\/?$/i.exec(pattern);
      if (m === null) return false;
      const [, scheme, wildcard, rawHost, port] = m;
      if (scheme!.toLowerCase() !== o.scheme) return false;
      const host = rawHost!.replace(/^\[|\]$/g, '').toLowerCase();
      const hostOk = wildcard ? o.host.endsWith(`.${host}`) : o.host === host;
      const wantPort = port ?? DEFAULT_PORTS[o.scheme] ?? '';
      return hostOk && (wantPort === '*' || wantPort === o.port);
    });
  };
}

/** True when `origin` names the same host and port the request was sent to. */
function isSameOrigin(origin: string, hostHeader: string | undefined): boolean {
  const o = parseOrigin(origin);
  if (o === null || !hostHeader) return false;
  const h = splitHost(hostHeader);
  return h.host === o.host && (h.port ?? DEFAULT_PORTS[o.scheme]) === o.port;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The headers every response carries. The plugin adds them in `onSend`; errors Fastify raises
 * before routing (a malformed URL) skip hooks, so `buildApp` adds them there itself.
 */
export function securityHeaders(options: Pick<SecurityOptions, 'frameOptions'> = {}): Record<string, string> {
  return { 'x-frame-options': options.frameOptions ?? 'SAMEORIGIN', 'x-content-type-options': 'nosniff' };
}

async function security(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  const headers = securityHeaders(options);
  app.addHook('onSend', async (_req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    void reply.headers(headers);
    return payload;
  });
  if (options.disabled) return;

  const hostAllowed = hostChecker(options);
  const originAllowed = originChecker(options);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!hostAllowed(request.headers.host)) throw new LablogError(INVALID_HOST_MESSAGE, 'PERMISSION_DENIED');
    const origin = request.headers.origin;
    if (origin === undefined || isSameOrigin(origin, request.headers.host) || originAllowed(origin)) return;
    if (request.method === 'OPTIONS' || !SAFE_METHODS.has(request.method)) {
      throw new LablogError(CROSS_ORIGIN_BLOCKED_MESSAGE, 'PERMISSION_DENIED');
    }
  });
  await app.register(cors, {
    origin: (origin, cb) => cb(null, origin !== undefined && originAllowed(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    maxAge: 600,
  });
}

/** Host check, CORS allow-list and security headers for the whole app (fastify-plugin). */
export const securityPlugin = fp(security, { name: 'lablog-security', fastify: '5.x' });
