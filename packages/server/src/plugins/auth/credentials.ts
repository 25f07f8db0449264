/**
 * HTTP Basic credentials: parsing the `Authorization` header and checking it against the auth
 * store, with an optional credential cache.
 *
 * - An unknown user costs the same scrypt work as a wrong password (a dummy hash is verified),
 *   and both end in the same 401, so responses do not tell which usernames exist.
 * - The cache (off unless `ttlSeconds > 0`) remembers successful checks only. Its key is
 *   HMAC-SHA256(per-process random key, username NUL password): neither the password nor a
 *   digest usable for an offline guess without the process's key is kept. Each entry also
 *   records the password hash it was verified against, and a hit counts only while the store
 *   still holds that same hash, so a password change (by this server or another sharing the
 *   database) ends every cached login at once; {@link Authenticator.forget} drops them eagerly.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { AuthStore, AuthUser } from './auth-store.js';
import { hashPassword, verifyPassword, MAX_PASSWORD_LENGTH, MAX_USERNAME_LENGTH, type ScryptParams } from './passwords.js';

/** Username and password from a Basic header. */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** Longest `Authorization` header read; longer ones are not credentials anyone was issued. */
const MAX_HEADER_LENGTH = 4 * (MAX_USERNAME_LENGTH + MAX_PASSWORD_LENGTH + 1) + 16;

/** Most entries the credential cache holds; the oldest goes first. */
export const CREDENTIAL_CACHE_MAX_ENTRIES = 10_000;

/**
 * Reads `Authorization: Basic <base64(username:password)>` (scheme case-insensitive, UTF-8).
 * @returns null when the header is absent, malformed, or not Basic.
 */
export function parseBasicAuthorization(header: string | undefined): BasicCredentials | null {
  if (header === undefined || header.length > MAX_HEADER_LENGTH) return null;
  const m = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

interface CacheEntry {
  readonly username: string;
  readonly passwordHash: string;
  readonly expiresAt: number;
}

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  /** Seconds a successful check is remembered; 0 (default) turns the cache off. */
  ttlSeconds?: number;
  /** Cost of the dummy hash verified for unknown users (match the real hashes' cost). */
  scrypt?: ScryptParams;
  /** Clock, for tests. */
  now?: () => number;
}

/** Checks Basic credentials against an {@link AuthStore}. */
export class Authenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly cacheKey = randomBytes(32);
  private readonly ttlMs: number;
  private readonly now: () => number;
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly store: AuthStore,
    private readonly options: AuthenticatorOptions = {},
  ) {
    this.ttlMs = Math.max(0, (options.ttlSeconds ?? 0) * 1000);
    this.now = options.now ?? Date.now;
  }

  private keyOf(c: BasicCredentials): string {
    return createHmac('sha256', this.cacheKey).update(c.username).update('\0').update(c.password).digest('base64');
  }

  /** The user these credentials belong to, or null (unknown user and wrong password alike). */
  async authenticate(c: BasicCredentials): Promise<AuthUser | null> {
    const user = this.store.findUser(c.username);
    const key = this.ttlMs > 0 ? this.keyOf(c) : '';
    if (user && this.ttlMs > 0) {
      const hit = this.cache.get(key);
      if (hit && hit.expiresAt > this.now() && hit.username === user.username && hit.passwordHash === user.passwordHash) return user;
      if (hit) this.cache.delete(key);
    }
    if (!user) {
      // Same work as a real check, so timing does not reveal whether the username exists.
      this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'), this.options.scrypt);
      await verifyPassword(c.password, await this.dummyHash);
      return null;
    }
    if (!(await verifyPassword(c.password, user.passwordHash))) return null;
    if (this.ttlMs > 0) {
      if (this.cache.size >= CREDENTIAL_CACHE_MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, { username: user.username, passwordHash: user.passwordHash, expiresAt: this.now() + this.ttlMs });
    }
    return user;
  }

  /** Drops every cached login of `username` (password changed, user deleted). */
  forget(username: string): void {
    for (const [key, entry] of this.cache) if (entry.username === username) this.cache.delete(key);
  }

  /** Number of cached logins (for tests and metrics). */
  get cachedCount(): number {
    return this.cache.size;
  }
}
