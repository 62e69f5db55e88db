import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../common/index.ts';

export const ROLES = ['admin', 'reviewer', 'client', 'child_safety'] as const;
export type Role = (typeof ROLES)[number];

export const MIN_KEY_LENGTH = 32;

/** A new secret: 32 random bytes, prefixed so it is recognisable in a leak scanner. */
export function generateKey(): string {
  return `wdn_${randomBytes(32).toString('base64url')}`;
}

/** A key's digest: its first 32 hex characters find the key's row (see keyLookup); all 64 name a verified key in memory. */
export function keyDigest(key: string): string {
  return sha256Hex(`warden-key-lookup:${key}`);
}

/** Finds a key's row without storing anything that could be turned back into the key. */
export function keyLookup(key: string): string {
  return lookupOf(keyDigest(key));
}

/** The row lookup within a key's digest. */
export function lookupOf(digest: string): string {
  return digest.slice(0, 32);
}

export function hashKey(key: string, salt: string): string {
  return createHmac('sha256', salt).update(key).digest('hex');
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

export function keyMatches(key: string, salt: string, storedHash: string): boolean {
  const actual = Buffer.from(hashKey(key, salt), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
