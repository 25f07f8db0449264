import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Authenticator, parseBasicAuthorization } from './credentials.js';
import { SqliteAuthStore } from './sqlite-auth-store.js';
import * as passwords from './passwords.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('parseBasicAuthorization', () => {
  it('reads Basic credentials, splitting at the first colon', () => {
    expect(parseBasicAuthorization(`Basic ${b64('alice:pa:ss')}`)).toEqual({ username: 'alice', password: 'pa:ss' });
    expect(parseBasicAuthorization(`basic ${b64('bob:ü-pass')}`)).toEqual({ username: 'bob', password: 'ü-pass' });
  });
  it('returns null for anything else', () => {
    for (const h of [undefined, '', 'Bearer abc', `Basic ${b64('nocolon')}`, `Basic ${b64(':pw')}`, 'Basic !!!', `Basic ${'A'.repeat(10_000)}`]) {
      expect(parseBasicAuthorization(h)).toBeNull();
    }
  });
});

describe('Authenticator', () => {
  let dir: string;
  let store: SqliteAuthStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lablog-authn-'));
    store = new SqliteAuthStore(join(dir, 'auth.db'));
    store.createUser('alice', await passwords.hashPassword('alice-password-1', FAST), false);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the right password only; unknown users cost a hash check too', async () => {
    const a = new Authenticator(store, { scrypt: FAST });
    const verify = vi.spyOn(passwords, 'verifyPassword');
    expect((await a.authenticate({ username: 'alice', password: 'alice-password-1' }))?.username).toBe('alice');
    expect(await a.authenticate({ username: 'alice', password: 'wrong-password-1' })).toBeNull();
    expect(await a.authenticate({ username: 'mallory', password: 'alice-password-1' })).toBeNull();
    expect(verify).toHaveBeenCalledTimes(3);
    verify.mockRestore();
  });

  it('caches successful logins by HMAC, and a password change ends them', async () => {
    let now = 1_000;
    const a = new Authenticator(store, { ttlSeconds: 60, scrypt: FAST, now: () => now });
    const creds = { username: 'alice', password: 'alice-password-1' };
    expect(await a.authenticate(creds)).not.toBeNull();
    expect(a.cachedCount).toBe(1);
    const verify = vi.spyOn(passwords, 'verifyPassword');
    expect(await a.authenticate(creds)).not.toBeNull();
    expect(verify).not.toHaveBeenCalled(); // served from the cache
    // Changed behind the cache's back (another server on the same database): the entry no longer counts.
    store.updatePasswordHash('alice', await passwords.hashPassword('alice-password-2', FAST));
    expect(await a.authenticate(creds)).toBeNull();
    expect(await a.authenticate({ username: 'alice', password: 'alice-password-2' })).not.toBeNull();
    // TTL
    verify.mockClear();
    now += 61_000;
    expect(await a.authenticate({ username: 'alice', password: 'alice-password-2' })).not.toBeNull();
    expect(verify).toHaveBeenCalledTimes(1);
    a.forget('alice');
    expect(a.cachedCount).toBe(0);
    verify.mockRestore();
  });

  it('never keeps the password in the cache', async () => {
    const a = new Authenticator(store, { ttlSeconds: 60, scrypt: FAST });
    await a.authenticate({ username: 'alice', password: 'alice-password-1' });
    const cache = (a as unknown as { cache: Map<string, unknown> }).cache;
    expect(JSON.stringify([...cache])).not.toContain('alice-password-1');
  });
});
