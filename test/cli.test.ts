import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/db/index.ts';
import { type TestDatabase, createTestDatabase, describeEachBackend } from './support/backends.ts';
import { runWarden, startWardenServe, stopProcess } from './support/cli.ts';

const NO_DB = 'sqlite:/nonexistent-dir-for-warden-tests/warden.db';

describe('warden policy (bundled, no database)', () => {
  it('`policy show --json` lists the 38 clauses', async () => {
    const result = await runWarden(['policy', 'show', '--json', '--db', NO_DB]);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { clauses: { id: string }[] };
    expect(doc.clauses).toHaveLength(38);
  });

  it('`policy list` and `policy diff` work on the bundled versions', async () => {
    const list = await runWarden(['policy', 'list', '--json', '--db', NO_DB]);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ version: '2024-01-10', clauses: 38, current: true })]);
    const diff = await runWarden(['policy', 'diff', '2024-01-10', '2024-01-10', '--json', '--db', NO_DB]);
    expect(JSON.parse(diff.stdout)).toMatchObject({ added: [], removed: [], changed: [], unchanged: 38 });
  });

  it('`policy validate` names the offending field and exits 1', async () => {
    const result = await runWarden(['policy', 'validate', 'test/fixtures/broken-policy.yaml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('clauses[0].severity');
    const ok = await runWarden(['policy', 'validate', 'policies/usage-policies/2024-01-10.yaml']);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toContain('38 clauses');
  });

  it('an unknown version exits non-zero with a clear message', async () => {
    const result = await runWarden(['policy', 'show', '1999-01-01', '--db', NO_DB]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Policy version "1999-01-01" not found/);
  });

  it('an unsupported database URL exits non-zero with a clear message', async () => {
    const result = await runWarden(['audit', 'verify', '--db', 'mysql://x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Unsupported database URL/);
  });
});

describeEachBackend('warden keys and audit', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
  });
  afterAll(async () => database?.drop());

  it('`keys create --json` prints {key, tenant, role}; a bad role exits 1 and creates nothing', async () => {
    const created = await runWarden(['keys', 'create', '--tenant', 'acme', '--role', 'reviewer', '--json', '--db', database.url]);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ key: expect.stringMatching(/^wdn_/), tenant: 'acme', role: 'reviewer' });

    const bad = await runWarden(['keys', 'create', '--tenant', 'acme', '--role', 'root', '--db', database.url]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Unknown role "root"/);
    const list = await runWarden(['keys', 'list', '--tenant', 'acme', '--json', '--db', database.url]);
    expect(JSON.parse(list.stdout)).toHaveLength(1);
  });

  it('`audit verify` passes, then exits 1 naming the entry altered by hand', async () => {
    const ok = await runWarden(['audit', 'verify', '--json', '--db', database.url]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true });

    const store = await openStore(database.url);
    const row = await store.db.selectFrom('audit_log').select('seq').where('action', '=', 'key.created').executeTakeFirstOrThrow();
    await store.db.updateTable('audit_log').set({ actor: 'someone-else' }).where('seq', '=', row.seq).execute();
    await store.close();

    const broken = await runWarden(['audit', 'verify', '--db', database.url]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`entry #${row.seq} (key.created)`);
  });
});

describeEachBackend('warden serve', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
  });
  afterAll(async () => database?.drop());

  it('on first start creates the default tenant and prints a one-time admin key that works', async () => {
    const server = await startWardenServe(['--db', database.url]);
    try {
      const key = /\n\s+(wdn_\S+)\n/.exec(server.output())?.[1];
      expect(key).toBeDefined();
      const res = await fetch(`${server.url}/v1/policies`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
    } finally {
      await stopProcess(server.child);
    }
    const again = await startWardenServe(['--db', database.url]);
    try {
      expect(again.output()).not.toMatch(/wdn_/);
    } finally {
      await stopProcess(again.child);
    }
  });
});

describe('warden serve with WARDEN_ADMIN_KEY', () => {
  it('uses the given key instead of printing one', async () => {
    const database = await createTestDatabase('sqlite');
    const adminKey = 'my-own-admin-key-0123456789abcdefghij';
    const server = await startWardenServe(['--db', database.url], { WARDEN_ADMIN_KEY: adminKey });
    try {
      expect(server.output()).toContain('WARDEN_ADMIN_KEY');
      const res = await fetch(`${server.url}/v1/keys`, { headers: { authorization: `Bearer ${adminKey}` } });
      expect(res.status).toBe(200);
    } finally {
      await stopProcess(server.child);
      await database.drop();
    }
  });
});
