export { Tenancy, DEFAULT_TENANT, assertRole, type Principal, type CreatedKey, type KeySummary } from './tenancy.ts';
export { ROLES, type Role, generateKey } from './keys.ts';
export { TenantRateLimits, rateLimitInput, MAX_REQUESTS_PER_SECOND, type RateLimitInput, type RateLimitView } from './rate-limits.ts';
