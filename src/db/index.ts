export {
  openStore,
  parseDbUrl,
  isUniqueViolation,
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
export type * from './schema.ts';
