import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AuditLog, type AuditEntry, verifyChain } from '../src/audit/index.ts';
import { type Store, withTransaction } from '../src/db/index.ts';
import { describeEachBackend, openTestStore } from './support/backends.ts';
import { runWarden } from './support/cli.ts';

const entry = (i: number): AuditEntry => ({ tenantId: null, actor: 'test', action: 'test.appended', target: `t-${i}`, payload: { i } });

describeEachBackend('audit chain head', (backend) => {
  let opened: Awaited<ReturnType<typeof openTestStore>>;
  let store: Store;
  let log: AuditLog;
  const append = (from: number, count: number) =>
    store.db.transaction().execute((tx) => log.appendMany(tx, Array.from({ length: count }, (_, i) => entry(from + i))));
  const lastSeqs = async (n: number) => (await store.db.selectFrom('audit_log').select('seq').orderBy('seq', 'desc').limit(n).execute()).map((r) => r.seq);

  beforeEach(async () => {
    opened = await openTestStore(backend);
    store = opened.store;
    log = new AuditLog(store, opened.clock);
    await append(0, 30);
  });
  afterEach(async () => opened?.close());

  it('verifies a whole chain and reports its stored head', async () => {
    const [last] = await lastSeqs(1);
    expect(await verifyChain(store)).toMatchObject({ ok: true, entries: 30, head: { seq: last, hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
  });

  it('detects the last entry, the last 1,000 entries or every entry deleted', async () => {
    await append(30, 1470);
    const seqs = await lastSeqs(1000);
    await store.db.deleteFrom('audit_log').where('seq', '=', seqs[0]!).execute();
    expect(await verifyChain(store)).toMatchObject({ ok: false, entries: 1499, firstBad: { seq: seqs[0], action: null, reason: expect.stringContaining('truncated') } });
    await store.db.deleteFrom('audit_log').where('seq', '>=', seqs[999]!).execute();
    expect(await verifyChain(store)).toMatchObject({ ok: false, entries: 500 });
    await store.db.deleteFrom('audit_log').execute();
    expect(await verifyChain(store)).toMatchObject({ ok: false, entries: 0, head: { seq: seqs[0] } });
  });

  it('keeps a truncation visible after later appends, and refuses a deleted head', async () => {
    const [last] = await lastSeqs(1);
    await store.db.deleteFrom('audit_log').where('seq', '=', last!).execute();
    await append(2000, 3);
    expect(await verifyChain(store)).toMatchObject({ ok: false, firstBad: { seq: last! + 1, reason: expect.stringContaining('prev_hash') } });
    await store.db.deleteFrom('audit_head').execute();
    expect(await verifyChain(store)).toMatchObject({ ok: false, head: null });
  });

  it('checks a witnessed head: a chain rebuilt or cut below it fails even when its own head agrees', async () => {
    const witness = (await verifyChain(store)) as { head: { seq: number; hash: string } };
    await append(1500, 10);
    expect(await verifyChain(store, { witness: witness.head })).toMatchObject({ ok: true });
    // Cut back to before the witness and move the stored head to match: only the witness notices.
    const keep = (await lastSeqs(20))[19]!;
    const kept = await store.db.selectFrom('audit_log').select(['seq', 'hash']).where('seq', '=', keep).executeTakeFirstOrThrow();
    await store.db.deleteFrom('audit_log').where('seq', '>', keep).execute();
    await store.db.updateTable('audit_head').set({ seq: kept.seq, hash: kept.hash }).execute();
    expect((await verifyChain(store)).ok).toBe(true);
    expect(await verifyChain(store, { witness: witness.head })).toMatchObject({ ok: false, firstBad: { seq: witness.head.seq, reason: expect.stringContaining('witnessed') } });
  });

  it('writes the entries of a withTransaction when its work is done, chained in the order appended; a rollback writes none', async () => {
    const count = async () => Number((await store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    await withTransaction(store, async (tx) => {
      await log.append(tx, entry(100));
      // Not written yet: the transaction's entries go in one insert just before it commits.
      expect(Number((await tx.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(30);
      await log.appendMany(tx, [entry(101), entry(102)]);
    });
    const targets = await store.db.selectFrom('audit_log').select('target').orderBy('seq', 'desc').limit(3).execute();
    expect(targets.map((r) => r.target)).toEqual(['t-102', 't-101', 't-100']);
    expect(await verifyChain(store)).toMatchObject({ ok: true, entries: 33 });
    await expect(
      withTransaction(store, async (tx) => {
        await log.append(tx, entry(200));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await count()).toBe(33);
    expect(await verifyChain(store)).toMatchObject({ ok: true, entries: 33 });
  });

  it('`warden audit verify` prints the head, exits 1 on an emptied log, and keeps a witness file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-witness-'));
    const witnessFile = join(dir, 'head.json');
    const ok = await runWarden(['audit', 'verify', '--db', opened.database.url, '--witness', witnessFile]);
    expect(ok.code).toBe(0);
    const [last] = await lastSeqs(1);
    expect(ok.stdout).toMatch(new RegExp(`intact: 30 entries, head #${last} [0-9a-f]{64}`));
    expect(JSON.parse(readFileSync(witnessFile, 'utf8'))).toMatchObject({ seq: last });

    await store.db.deleteFrom('audit_log').execute();
    const emptied = await runWarden(['audit', 'verify', '--db', opened.database.url, '--json']);
    expect(emptied.code).toBe(1);
    expect(JSON.parse(emptied.stdout)).toMatchObject({ ok: false, entries: 0, head: { seq: last } });
  }, 120_000);
});
