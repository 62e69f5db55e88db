export { Tenancy, DEFAULT_TENANT, assertRole, type Principal, type CreatedKey, type KeySummary } from './tenancy.ts';
export { ROLES, type Role, generateKey } from './keys.ts';
