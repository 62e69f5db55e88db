import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_EVERY_MS, WalCheckpointer } from './checkpointer.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function walDatabase(): { database: SqliteDatabase.Database; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'warden-checkpoint-'));
  dirs.push(dir);
  const path = join(dir, 'w.db');
  const database = new SqliteDatabase(path);
  database.pragma('journal_mode = WAL');
  database.exec('create table t (id integer primary key, body text)');
  return { database, path };
}

/** About 4 MB of rows: four times what SQLite's automatic checkpoint would have let the WAL hold. */
function write(database: SqliteDatabase.Database): void {
  const insert = database.prepare('insert into t (body) values (?)');
  const body = 'x'.repeat(4000);
  for (let i = 0; i < 1000; i += 1) insert.run(body);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, CHECKPOINT_EVERY_MS * 4));

describe('WAL checkpoints off the event loop (WalCheckpointer)', () => {
  it('turns automatic checkpoints off and copies the WAL into the database file from its thread', async () => {
    const { database, path } = walDatabase();
    const checkpointer = new WalCheckpointer(database, path);
    expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = statSync(path).size;
    write(database);
    await settle();
    // The rows reached the database file without this connection checkpointing.
    expect(statSync(path).size).toBeGreaterThan(before + 3_000_000);
    expect(database.prepare('select count(*) as n from t').get()).toEqual({ n: 1000 });
    await checkpointer.stop();
    expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    database.close();
  });

  it('gives checkpoints back to the connection when its thread dies', async () => {
    const { database, path } = walDatabase();
    const checkpointer = new WalCheckpointer(database, path);
    await (checkpointer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await new Promise((resolve) => setImmediate(resolve));
    expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    database.close();
  });
});
