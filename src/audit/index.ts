export { AuditLog, verifyChain, GENESIS_HASH, type AuditEntry, type ChainHead, type VerifyOptions, type VerifyResult } from './chain.ts';
