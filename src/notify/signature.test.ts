import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './delivery.ts';
import { signatureHeader, verifySignature } from './signature.ts';
import { isPrivateAddress } from './webhook.ts';

const at = new Date('2026-01-01T00:00:00Z');

describe('Warden-Signature', () => {
  it('is t=<seconds>,v1=<HMAC-SHA256 of "t.body">, checked with a tolerance', () => {
    const header = signatureHeader('secret-0123456789abcdef', '{"a":1}', at);
    expect(header).toMatch(/^t=1767225600,v1=[0-9a-f]{64}$/);
    expect(verifySignature('secret-0123456789abcdef', '{"a":1}', header, at)).toBe(true);
    expect(verifySignature('secret-0123456789abcdef', '{"a":2}', header, at)).toBe(false);
    expect(verifySignature('other-secret-0123456789', '{"a":1}', header, at)).toBe(false);
    expect(verifySignature('secret-0123456789abcdef', '{"a":1}', header, new Date(at.getTime() + 301_000))).toBe(false);
    expect(verifySignature('secret-0123456789abcdef', '{"a":1}', 'v1=abc', at)).toBe(false);
  });
});

describe('retry backoff', () => {
  const options = { baseDelayMs: 1000, maxDelayMs: 60_000 };
  it('doubles per attempt with up to half taken off by jitter, and is capped', () => {
    expect(retryDelayMs(1, { ...options, random: () => 0 })).toBe(500);
    expect(retryDelayMs(1, { ...options, random: () => 1 })).toBe(1000);
    expect(retryDelayMs(4, { ...options, random: () => 1 })).toBe(8000);
    expect(retryDelayMs(30, { ...options, random: () => 1 })).toBe(60_000);
  });
});

describe('private addresses', () => {
  it('covers loopback, private, link-local (cloud metadata) and mapped IPv4', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fd00::1', '::ffff:127.0.0.1', '0.0.0.0']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '2606:4700::1111']) expect(isPrivateAddress(address), address).toBe(false);
  });
});
