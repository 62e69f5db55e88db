import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** How often the checkpointer copies the write-ahead log into the database file. */
export const CHECKPOINT_EVERY_MS = 200;
/** SQLite's own default: checkpoint on commit once the WAL holds this many pages. */
const AUTOCHECKPOINT_PAGES = 1000;

/**
 * The thread's code, plain CommonJS so that it runs the same from the sources (tests, tsx) and from
 * dist/: its own connection to the database, checkpointing PASSIVE (never waiting for, nor blocking,
 * the server's readers and writer) on a timer until told to stop.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // A busy database skips one round; anything else ends the thread, and the server checkpoints itself.
    if (error.code !== 'SQLITE_BUSY' && error.code !== 'SQLITE_LOCKED') throw error;
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints of a WAL database off the event loop. SQLite checkpoints inside a commit once the WAL
 * holds 1,000 pages: that commit then copies megabytes into the database file and syncs it, which
 * held the event loop for tens of milliseconds (33 ms seen) every few dozen commits. Here the
 * server's connection has automatic checkpoints off and a worker thread with its own connection
 * checkpoints every CHECKPOINT_EVERY_MS instead. Should the thread fail, the server's connection
 * goes back to automatic checkpoints, so the WAL never grows without bound.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private stopped = false;
  private readonly exited: Promise<void>;

  constructor(
    private readonly database: SqliteDatabase.Database,
    path: string,
  ) {
    database.pragma('wal_autocheckpoint = 0');
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { module, path, everyMs: CHECKPOINT_EVERY_MS }, name: 'warden-checkpoint' });
    this.worker.unref();
    this.worker.on('error', () => undefined);
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', () => {
        if (!this.stopped && this.database.open) this.database.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
        resolve();
      }),
    );
  }

  /** Stops the thread (after its checkpoint in progress, if any); the server's connection checkpoints when it closes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // Held while it stops: an unreferenced thread would let a process with nothing else to do exit before close() resolves.
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
  }
}
