import { sql } from 'kysely';
import { sha256Hex } from '../common/index.ts';
import type { Store, Tx } from './connection.ts';

// SQLite gives up waiting for the write lock after its busy timeout, or refuses a stale snapshot;
// PostgreSQL may end a transaction as a deadlock or serialization victim. Each rolled back entirely.
const TRANSIENT_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', '40001', '40P01']);

/** True when a write failed on a UNIQUE constraint, on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** True when a transaction failed only because of other transactions, so running it again is safe. */
export function isTransient(error: unknown): boolean {
  return TRANSIENT_CODES.has(String((error as { code?: unknown } | null)?.code));
}

export interface TransactionOptions {
  /** Attempts in all when the transaction fails transiently (1: no retry). */
  attempts?: number;
  /**
   * Also run it again after a unique violation: another process inserted the same key at the same
   * moment, and the next attempt sees its row (and replays or merges instead of inserting).
   */
  retryUniqueViolation?: boolean;
}

/** Work to do once a transaction run by withTransaction has committed, by transaction. */
const committedCallbacks = new WeakMap<Tx, (() => Promise<void> | void)[]>();

/**
 * Runs `callback` once `tx` has committed (never if it rolls back): e.g. dropping a cache entry
 * that the transaction made stale, which must not happen before others can read the new value.
 */
export function afterCommit(tx: Tx, callback: () => Promise<void> | void): void {
  const callbacks = committedCallbacks.get(tx);
  if (!callbacks) throw new Error('afterCommit needs a transaction run by withTransaction');
  callbacks.push(callback);
}

/** Work to do inside a transaction run by withTransaction once its function has returned, just before it commits. */
const beforeCommitCallbacks = new WeakMap<Tx, (() => Promise<void>)[]>();

/**
 * Runs `callback` inside `tx` after the transaction's own work, just before it commits (in the order
 * registered; a callback may register another): e.g. writing rows collected over the transaction in
 * one statement. False, and nothing registered, when `tx` was not run by withTransaction: the caller
 * does the work at once instead.
 *
 * @example
 * if (!beforeCommit(tx, () => flush(tx))) await flush(tx);
 */
export function beforeCommit(tx: Tx, callback: () => Promise<void>): boolean {
  const callbacks = beforeCommitCallbacks.get(tx);
  if (!callbacks) return false;
  callbacks.push(callback);
  return true;
}

/**
 * Runs `fn` in a transaction, again after a transient failure (with a short random pause), up to
 * `attempts` times; then whatever the committed attempt registered with afterCommit.
 */
export async function withTransaction<T>(store: Store, fn: (tx: Tx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 1;
  for (let attempt = 1; ; attempt += 1) {
    let callbacks: (() => Promise<void> | void)[] = [];
    try {
      const result = await store.db.transaction().execute(async (tx) => {
        callbacks = [];
        committedCallbacks.set(tx, callbacks);
        const before: (() => Promise<void>)[] = [];
        beforeCommitCallbacks.set(tx, before);
        const value = await fn(tx);
        for (let i = 0; i < before.length; i += 1) await before[i]!();
        return value;
      });
      for (const callback of callbacks) await callback();
      return result;
    } catch (error) {
      const retryable = isTransient(error) || (options.retryUniqueViolation === true && isUniqueViolation(error));
      if (!retryable || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

/**
 * Locks the selected rows for the rest of the transaction on PostgreSQL, where writers run
 * concurrently; SQLite serialises writers itself and has no row locks.
 */
export function forUpdate<Query extends { forUpdate(): Query }>(store: Store, query: Query): Query {
  return store.dialect === 'postgres' ? query.forUpdate() : query;
}

/**
 * Serialises every transaction that takes the same `key` until it ends, across processes: a
 * PostgreSQL advisory lock; on SQLite, where one writer runs at a time, there is nothing to take.
 */
export async function lockExclusively(store: Store, tx: Tx, key: number): Promise<void> {
  if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${key})`.execute(tx);
}

/**
 * Takes, for the rest of the transaction, an exclusive lock on each of `keys` (any strings naming what
 * the transaction is about to change: an account, a review target), all in one sorted order: transactions
 * that take their keys this way before touching those rows never deadlock over them, they queue. A
 * PostgreSQL advisory lock per key (two 32-bit halves of a hash: a collision only makes two transactions
 * queue); on SQLite, where one writer runs at a time, there is nothing to take.
 */
export async function lockKeysExclusively(store: Store, tx: Tx, keys: Iterable<string>): Promise<void> {
  if (store.dialect !== 'postgres') return;
  const hashed = [...new Set([...keys].map(keyHash))].sort();
  if (hashed.length === 0) return;
  const high = hashed.map((key) => Number(BigInt.asIntN(32, BigInt(`0x${key.slice(0, 8)}`))));
  const low = hashed.map((key) => Number(BigInt.asIntN(32, BigInt(`0x${key.slice(8, 16)}`))));
  // unnest returns the pairs in the arrays' order, and each row's lock is taken before the next row's.
  await sql`select pg_advisory_xact_lock(high, low) from unnest(${high}::int[], ${low}::int[]) as keys(high, low)`.execute(tx);
}

/** A lock key's 64-bit hash, as 16 hex digits (sorting these sorts the locks). */
function keyHash(key: string): string {
  return sha256Hex(key).slice(0, 16);
}
