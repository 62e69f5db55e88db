import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyChain } from '../src/audit/index.ts';
import { openStore } from '../src/db/index.ts';
import { bundledPolicies } from '../src/policy/index.ts';
import { type TestDatabase, createTestDatabase, describeEachBackend } from './support/backends.ts';
import { startWardenServe } from './support/cli.ts';

describeEachBackend('a server killed mid-write', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
  });
  afterAll(async () => database?.drop());

  it('leaves every published version with its audit entry, and the chain intact', async () => {
    const adminKey = 'crash-test-admin-key-0123456789abcdef';
    const server = await startWardenServe(['--db', database.url], { WARDEN_ADMIN_KEY: adminKey });
    const publish = (i: number) => {
      const doc = structuredClone(bundledPolicies()[0]!);
      doc.version = `crash-${i}`;
      doc.changelog.unshift({ date: '2026-03-01', summary: `Version ${i}.` });
      return fetch(`${server.url}/v1/policies`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(doc),
      }).then((r) => r.status, () => 'aborted' as const);
    };
    const inFlight = Array.from({ length: 40 }, (_, i) => publish(i));
    await inFlight[0];
    server.child.kill('SIGKILL');
    const outcomes = await Promise.all(inFlight);
    expect(outcomes).toContain(201);

    const store = await openStore(database.url);
    try {
      const versions = await store.db.selectFrom('policy_versions').select('version').where('version', 'like', 'crash-%').execute();
      const audited = await store.db.selectFrom('audit_log').select('target').where('action', '=', 'policy.published').execute();
      expect(audited.map((a) => a.target).sort()).toEqual(versions.map((v) => v.version).sort());
      expect(versions.length).toBeGreaterThanOrEqual(outcomes.filter((o) => o === 201).length);
      expect(await verifyChain(store)).toMatchObject({ ok: true });
    } finally {
      await store.close();
    }
  });
});
