export { AuditLog, verifyChain, GENESIS_HASH, type AuditEntry, type VerifyResult } from './chain.ts';
