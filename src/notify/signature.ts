import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Warden-Signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "${t}.${body}" under the subscription's secret>`. */
export function signatureHeader(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${hmacHex(secret, `${t}.${body}`)}`;
}

/**
 * What a receiver runs: true when some `v1` in the header matches the body and `t` is within
 * `toleranceSeconds` of `now` (which stops replays of old deliveries).
 */
export function verifySignature(secret: string, body: string, header: string, now: Date, toleranceSeconds = 300): boolean {
  const parts = header.split(',').map((part) => part.trim().split('='));
  const t = Number(parts.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, `${t}.${body}`));
  return parts
    .filter(([key]) => key === 'v1')
    .some(([, value]) => value !== undefined && value.length === expected.length && timingSafeEqual(Buffer.from(value), expected));
}

function hmacHex(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message).digest('hex');
}
