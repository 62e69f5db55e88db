import { type FileHandle, open } from 'node:fs/promises';
import type SqliteDatabase from 'better-sqlite3';
import { type CompiledQuery, type DatabaseConnection, type QueryResult, SqliteDialect, type SqliteDialectConfig, SqliteDriver } from 'kysely';

/**
 * Durable SQLite commits that do not hold the event loop. With `synchronous = FULL`, every commit
 * fsyncs the write-ahead log inside better-sqlite3's synchronous call: the whole process waits for
 * the disk (6 ms a commit on the development machine's disk), and no request is parsed, detected or
 * answered meanwhile. Here the connection runs with `synchronous = NORMAL` (SQLite writes the WAL
 * frames but does not fsync them) and each commit, or write outside a transaction, then waits for an
 * fsync of the WAL file run on libuv's thread pool; commits that land while one fsync is in flight
 * share the next. A caller's `await` of a write still returns only once it is on disk, as before, so
 * an answer is never sent for a write a power loss could undo; what differs is that another reader
 * may see a commit during the few milliseconds its fsync takes. Checkpoints are unchanged (SQLite
 * syncs the WAL before copying it into the database, and the database after).
 */
export class WalSync {
  private inFlight: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private handle: FileHandle | null = null;

  constructor(private readonly walPath: string) {}

  /** Resolves once every frame written to the WAL before this call is on disk. */
  sync(): Promise<void> {
    if (!this.inFlight) return (this.inFlight = this.fsync());
    // The fsync in flight may have started before this caller's commit: it needs the next one.
    this.next ??= this.inFlight.then(
      () => this.startNext(),
      () => this.startNext(),
    );
    return this.next;
  }

  private startNext(): Promise<void> {
    this.next = null;
    return (this.inFlight = this.fsync());
  }

  private async fsync(): Promise<void> {
    try {
      const handle = await this.file();
      if (handle) await handle.sync();
    } finally {
      this.inFlight = null;
    }
  }

  /** The WAL file, opened once it exists (SQLite keeps it while the database is open, and truncates rather than deletes it). */
  private async file(): Promise<FileHandle | null> {
    if (this.handle) return this.handle;
    try {
      this.handle = await open(this.walPath, 'r+');
    } catch (error) {
      // No WAL file yet: nothing has been written to it.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return this.handle;
  }

  async close(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }
}

/**
 * Kysely's SQLite dialect with {@link WalSync}'s commits: after a statement that leaves the
 * connection outside a transaction having written (a `commit`, or a write in autocommit), the
 * statement's promise waits for the WAL's fsync. The connection stays held meanwhile, as it was
 * during the synchronous fsync, but the event loop is free.
 */
export function durableSqliteDialect(config: SqliteDialectConfig, database: SqliteDatabase.Database, wal: WalSync): SqliteDialect {
  class DurableDriver extends SqliteDriver {
    private wrapped: DatabaseConnection | null = null;

    override async acquireConnection(): Promise<DatabaseConnection> {
      const connection = await super.acquireConnection();
      this.wrapped ??= {
        executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
          const result = await connection.executeQuery<R>(query);
          if (!database.inTransaction && writes(query.sql)) await wal.sync();
          return result;
        },
        streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
      };
      return this.wrapped;
    }

    override async destroy(): Promise<void> {
      await wal.close();
      await super.destroy();
    }
  }
  return new (class extends SqliteDialect {
    override createDriver() {
      return new DurableDriver(config);
    }
  })(config);
}

/** Whether a statement that ran outside a transaction may have written (`insert … returning` reads rows too); a select or a rollback has nothing to sync. */
function writes(sql: string): boolean {
  return !/^\s*(select|rollback)\b/i.test(sql);
}
