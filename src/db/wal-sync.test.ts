import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from './connection.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SQLite commits (WalSync)', () => {
  it('commits writes in WAL mode and reads them back, from this connection and a fresh one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-wal-'));
    dirs.push(dir);
    const url = `sqlite:${join(dir, 'w.db')}`;
    const store = await openStore(url);
    const at = new Date(0).toISOString();
    // Concurrent transactions and an autocommit write: each resolves once its fsync has run.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.db.transaction().execute((tx) => tx.insertInto('tenants').values({ id: `t${i}`, name: `t${i}`, created_at: at }).execute()),
      ),
    );
    await store.db.insertInto('tenants').values({ id: 'solo', name: 'solo', created_at: at }).execute();
    expect((await store.db.selectFrom('tenants').select('id').execute()).length).toBe(21);
    await store.close();
    const again = await openStore(url);
    expect((await again.db.selectFrom('tenants').select('id').execute()).length).toBe(21);
    await again.close();
  });
});
