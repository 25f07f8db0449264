import { describe, expect, it, vi } from 'vitest';
import * as crypto from 'node:crypto';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const { hashPassword, verifyPassword, validatePassword, validateUsername, MIN_PASSWORD_LENGTH } = await import('./passwords.js');
const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('hashes with scrypt, a per-hash salt, and records the cost', async () => {
    const a = await hashPassword('correct horse battery', FAST);
    const b = await hashPassword('correct horse battery', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b); // random salt
    expect(a).not.toContain('correct horse');
  });

  it('verifies with timingSafeEqual, and rejects wrong passwords and malformed hashes', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterx', stored)).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$3$8$1$AAAA$AAAA')).toBe(false); // N not a power of two
    expect(await verifyPassword('x', 'scrypt$1048576$64$1$AAAA$AAAA')).toBe(false); // cost above the memory cap
  });

  it('uses the default cost when none is given', async () => {
    expect(await hashPassword('correct horse battery')).toMatch(/^scrypt\$32768\$8\$1\$/);
  });
});

describe('credential rules (CVE-2025-1474, CVE-2025-11200)', () => {
  it('refuses empty and blank usernames, colons and control characters', () => {
    for (const bad of ['', '   ', 'a:b', 'a\nb', 'x'.repeat(256), undefined]) expect(() => validateUsername(bad)).toThrow(/Username/);
    expect(validateUsername('alice@example.com')).toBe('alice@example.com');
  });

  it('refuses empty and short passwords', () => {
    expect(() => validatePassword('')).toThrow('Password cannot be empty.');
    expect(() => validatePassword(undefined)).toThrow('Password cannot be empty.');
    expect(() => validatePassword('password123')).toThrow(`at least ${MIN_PASSWORD_LENGTH}`);
    expect(() => validatePassword('x'.repeat(1025))).toThrow('at most');
    expect(validatePassword('password1234')).toBe('password1234');
  });
});
