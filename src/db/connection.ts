import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, type RawBuilder, type SqlBool, SqliteDialect, type SqliteDialectConfig, type Transaction, sql } from 'kysely';
import pg from 'pg';
import { InvalidInput } from '../common/index.ts';
import { ChangeFeed } from './changes.ts';
import { allMigrations } from './migrations/index.ts';
import { WalCheckpointer } from './checkpointer.ts';
import { WalSync, durableSqliteDialect } from './wal-sync.ts';
import type { Tables } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Tables>;
export type Tx = Transaction<Tables>;
/** Either the database or an open transaction: domain functions take whichever they are given. */
export type Queryable = Db | Tx;

export interface Store {
  readonly db: Db;
  readonly dialect: Dialect;
  /** Where it lives, with any password removed: safe to log. */
  readonly location: string;
  /** Changes to cached per-tenant settings, from this process and (polled) from others. */
  readonly changes: ChangeFeed;
  /**
   * How many write transactions are worth running at once: 1 on SQLite (one writer at a time, on one
   * connection), several on PostgreSQL, whose transactions run concurrently on the pool's connections.
   */
  readonly writeConcurrency: number;
  close(): Promise<void>;
}

export const DEFAULT_DB_URL = 'sqlite:./warden.db';

export interface DbTarget {
  dialect: Dialect;
  /** A file path (or `:memory:`) for SQLite, a connection string for PostgreSQL. */
  target: string;
}

/** `sqlite:PATH` or `postgres://…` / `postgresql://…`. */
export function parseDbUrl(url: string): DbTarget {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new InvalidInput('The SQLite URL needs a path, e.g. sqlite:./warden.db', 'db');
    return { dialect: 'sqlite', target: path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', target: url };
  throw new InvalidInput(`Unsupported database URL "${redact(url)}": use sqlite:PATH or postgres://…`, 'db');
}

export async function openStore(url: string): Promise<Store> {
  const { dialect, target } = parseDbUrl(url);
  const store = dialect === 'sqlite' ? openSqlite(target) : openPostgres(target);
  await migrate(store);
  return store;
}

function openSqlite(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const database = new SqliteDatabase(path);
  const wal = database.pragma('journal_mode = WAL', { simple: true }) === 'wal';
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const config = { database: withStatementCache(database) };
  // In WAL mode, durable all the same: each commit waits for an fsync of the WAL off the event loop (WalSync).
  database.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL');
  const dialect = wal ? durableSqliteDialect(config, database, new WalSync(`${resolve(path)}-wal`)) : new SqliteDialect(config);
  // Checkpoints, too, leave the event loop alone (WalCheckpointer).
  const checkpointer = wal ? new WalCheckpointer(database, resolve(path)) : null;
  const db = new Kysely<Tables>({ dialect });
  return withChanges(db, 'sqlite', `sqlite:${path}`, 1, () => checkpointer?.stop());
}

/** Prepared statements kept per SQL text; past this many, the least recently used is dropped. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every statement it runs, and preparing costs about as much as
 * running a small query: the hot path's statements are few and repeat, so they are prepared once.
 * Safe because the driver runs each statement to completion synchronously (it streams no query
 * here), so a cached statement is never busy when it is needed again.
 */
function withStatementCache(database: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare: (source: string) => {
      let statement = statements.get(source);
      if (statement) {
        statements.delete(source);
      } else {
        statement = database.prepare(source);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(source, statement);
      return statement;
    },
  } as SqliteDialectConfig['database'];
}

// PostgreSQL returns bigint (int8) as a string by default; our sequence numbers fit a JS number.
pg.types.setTypeParser(20, (value) => Number(value));

/** Connections in a PostgreSQL store's pool; of them, how many write transactions a writer such as a group commit runs at once (the rest serve reads). */
const POSTGRES_POOL_SIZE = 10;
const POSTGRES_WRITE_CONCURRENCY = 4;

function openPostgres(connectionString: string): Store {
  const pool = new pg.Pool({ connectionString, max: POSTGRES_POOL_SIZE });
  // An idle client can lose its server (restart, failover, a dropped database). The pool
  // replaces it on the next query; without a listener the error would crash the process.
  pool.on('error', () => {});
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return withChanges(db, 'postgres', redact(connectionString), POSTGRES_WRITE_CONCURRENCY);
}

function withChanges(db: Db, dialect: Dialect, location: string, writeConcurrency: number, beforeClose?: () => Promise<void> | undefined): Store {
  const changes = new ChangeFeed(db);
  const close = async () => {
    await changes.stop();
    await beforeClose?.();
    await db.destroy();
  };
  return { db, dialect, location, changes, writeConcurrency, close };
}

async function migrate(store: Store): Promise<void> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => allMigrations(store.dialect) },
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/**
 * `column LIKE '%text%'` with text's `%`, `_` and `\` matched literally (LIKE would read them as
 * wildcards), on either dialect.
 */
export function containsText(column: string, text: string): RawBuilder<SqlBool> {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\'`;
}
