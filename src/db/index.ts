export {
  openStore,
  parseDbUrl,
  containsText,
  DEFAULT_DB_URL,
  type Store,
  type Db,
  type Tx,
  type Queryable,
  type Dialect,
  type DbTarget,
} from './connection.ts';
export { afterKey } from './keyset.ts';
export { withTransaction, afterCommit, beforeCommit, isUniqueViolation, forUpdate, isTransient, lockExclusively, lockKeysExclusively, type TransactionOptions } from './transactions.ts';
export { GroupCommit, type CommitMany, type GroupCommitOptions } from './group-commit.ts';
export { ChangeFeed, CHANGE_POLL_MS } from './changes.ts';
export type * from './schema.ts';
