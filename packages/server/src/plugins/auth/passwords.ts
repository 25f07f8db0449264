/**
 * Password hashing and the credential rules every entry point shares (bootstrap, users/create,
 * users/update-password).
 *
 * Hashes are scrypt (RFC 7914, node:crypto) with a fresh 16-byte random salt per hash, encoded
 * as `scrypt$<N>$<r>$<p>$<salt b64>$<key b64>`, so stored hashes keep their own cost and a
 * later cost change does not lock anybody out. Verification recomputes the key with the stored
 * parameters and compares with `crypto.timingSafeEqual`. scrypt runs on libuv's thread pool
 * (the async API), so a login does not block the event loop.
 *
 * Default cost {@link DEFAULT_SCRYPT_PARAMS}: N = 2^15, r = 8, p = 1, 64-byte key, i.e. 32 MiB
 * of memory and roughly 50–100 ms of CPU per hash on a server core (OWASP's scrypt minimum is
 * N = 2^17 with r = 8 at p = 1; 2^15 with the credential cache is lablog's trade-off for
 * training clients that authenticate every request; raise it with `AuthOptions.scrypt`).
 *
 * Rules (CVE-2025-1474, CVE-2025-11200; MLflow's old `password1234` default is never used):
 * usernames are 1–255 characters, not blank, without `:` (Basic auth splits on it) or control
 * characters; passwords are at least {@link MIN_PASSWORD_LENGTH} and at most
 * {@link MAX_PASSWORD_LENGTH} characters.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { invalidParameter } from '@lablog/tracking';

/** Shortest accepted password. */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest accepted password (a bound on the work one request can ask for). */
export const MAX_PASSWORD_LENGTH = 1024;
/** Longest accepted username. */
export const MAX_USERNAME_LENGTH = 255;

/** scrypt cost parameters. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelism. */
  readonly p: number;
}

/** The cost new hashes get unless `AuthOptions.scrypt` says otherwise (see the module comment). */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const KEY_LENGTH = 64;
const SALT_LENGTH = 16;
/** Largest cost a stored hash may ask for: 2^20 × 8 × 128 B = 1 GiB would be a DoS. */
const MAX_MEMORY = 256 * 1024 * 1024;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

function scryptAsync(password: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: MAX_MEMORY };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function checkParams(params: ScryptParams): void {
  const { N, r, p } = params;
  const ok = Number.isInteger(N) && N >= 2 && (N & (N - 1)) === 0 && Number.isInteger(r) && r >= 1 && Number.isInteger(p) && p >= 1;
  if (!ok || 128 * N * r * p > MAX_MEMORY) throw new RangeError(`Unusable scrypt parameters N=${N} r=${r} p=${p}`);
}

/** Hashes a password with a fresh random salt; the result is what the auth store keeps. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  checkParams(params);
  const salt = randomBytes(SALT_LENGTH);
  const key = await scryptAsync(password, salt, KEY_LENGTH, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * True when `password` matches `stored` (a {@link hashPassword} result). Constant-time in the
 * key comparison (`timingSafeEqual`); a malformed stored hash is `false`, never an exception.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const params = { N: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]) };
  try {
    checkParams(params);
  } catch {
    return false;
  }
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (salt.length === 0 || expected.length === 0) return false;
  const actual = await scryptAsync(password, salt, expected.length, params);
  return timingSafeEqual(actual, expected);
}

/**
 * Checks a username for creation.
 * @throws LablogError INVALID_PARAMETER_VALUE naming the rule broken.
 */
export function validateUsername(username: unknown): string {
  if (typeof username !== 'string' || username.trim() === '') throw invalidParameter('Username cannot be empty.');
  if (username.length > MAX_USERNAME_LENGTH) throw invalidParameter(`Username must be at most ${MAX_USERNAME_LENGTH} characters.`);
  if (username.includes(':') || CONTROL_CHARS.test(username)) throw invalidParameter("Username must not contain ':' or control characters.");
  return username;
}

/**
 * Checks a new password.
 * @throws LablogError INVALID_PARAMETER_VALUE naming the rule broken (never echoing the password).
 */
export function validatePassword(password: unknown): string {
  if (typeof password !== 'string' || password === '') throw invalidParameter('Password cannot be empty.');
  if ([...password].length < MIN_PASSWORD_LENGTH) throw invalidParameter(`Password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  if (password.length > MAX_PASSWORD_LENGTH) throw invalidParameter(`Password must be at most ${MAX_PASSWORD_LENGTH} characters long.`);
  return password;
}
