export { IdempotencyKeys, KEY_RETENTION_MS, type Claim } from './keys.ts';
