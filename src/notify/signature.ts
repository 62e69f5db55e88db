import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { InvalidInput } from '../common/index.ts';

/**
 * Webhook signing by the Standard Webhooks specification (https://www.standardwebhooks.com), through its
 * reference library, so receivers verify with an off-the-shelf package instead of code copied from our README:
 *
 * @example
 * import { Webhook } from 'standardwebhooks';
 * const event = new Webhook(secret).verify(rawBody, request.headers); // throws when forged, altered or stale
 */
const PREFIX = 'whsec_';
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/** A new signing secret: `whsec_` and base64 of 24 random bytes, the format Standard Webhooks libraries read. */
export function newSigningSecret(): string {
  return `${PREFIX}${randomBytes(MIN_KEY_BYTES).toString('base64')}`;
}

/** Refuses a caller's secret that a Standard Webhooks verifier could not read, or that is too short to be safe. */
export function validateSigningSecret(secret: string): string {
  const key = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : '';
  const bytes = Buffer.from(key, 'base64').length;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0 || bytes < MIN_KEY_BYTES || bytes > MAX_KEY_BYTES) {
    throw new InvalidInput(`secret: "${PREFIX}" and the base64 of ${MIN_KEY_BYTES}–${MAX_KEY_BYTES} random bytes (Standard Webhooks format), or omit it to have one generated`, 'secret');
  }
  return secret;
}

/**
 * The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers of one delivery. `messageId` stays the
 * same on every retry of one event, so receivers de-duplicate on it.
 */
export function standardWebhookHeaders(secret: string, messageId: string, body: string, at: Date): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(signingKey(secret), { format: 'raw' }).sign(messageId, at, body),
  };
}

/**
 * The key bytes. Secrets generated before Standard Webhooks were base64url (`-`, `_`); Node decodes both
 * alphabets to the same bytes, and such a receiver reads its secret after swapping `-`→`+` and `_`→`/`.
 */
function signingKey(secret: string): Uint8Array {
  return secret.startsWith(PREFIX) ? Buffer.from(secret.slice(PREFIX.length), 'base64') : Buffer.from(secret, 'utf8');
}
