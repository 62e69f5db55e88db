import { afterEach, describe, expect, it, vi } from 'vitest';
import { retryDelayMs } from './delivery.ts';
import { Webhook } from 'standardwebhooks';
import { newSigningSecret, standardWebhookHeaders, validateSigningSecret } from './signature.ts';

const at = new Date('2026-01-01T00:00:00Z');

describe('Standard Webhooks signatures', () => {
  afterEach(() => vi.useRealTimers());
  const secret = newSigningSecret();
  const body = '{"id":"obx_1","type":"policy.published"}';

  it('verify with the standardwebhooks package, and fail when the body, secret or time is off', () => {
    const headers = standardWebhookHeaders(secret, 'obx_1', body, at);
    expect(headers['webhook-timestamp']).toBe('1767225600');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    vi.setSystemTime(at);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('1', '2'), headers)).toThrow();
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
    vi.setSystemTime(new Date(at.getTime() + 10 * 60_000));
    expect(() => new Webhook(secret).verify(body, headers)).toThrow(/timestamp/i);
  });

  it('generates whsec_ secrets of 24 random bytes and refuses callers\' secrets a verifier could not read', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(newSigningSecret()).not.toBe(secret);
    expect(validateSigningSecret(secret)).toBe(secret);
    for (const bad of ['short', 'whsec_', 'whsec_c2hvcnQ=', `whsec_${'-'.repeat(32)}`, secret.slice(6), `${secret}!`]) {
      expect(() => validateSigningSecret(bad)).toThrow(/secret/);
    }
  });

  it('signs secrets made before Standard Webhooks (base64url) with the same key bytes', () => {
    const bytes = Buffer.from('0123456789abcdef01234567');
    const legacy = `whsec_${bytes.toString('base64url')}`;
    const headers = standardWebhookHeaders(legacy, 'obx_2', body, at);
    vi.setSystemTime(at);
    expect(() => new Webhook(`whsec_${bytes.toString('base64')}`).verify(body, headers)).not.toThrow();
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
