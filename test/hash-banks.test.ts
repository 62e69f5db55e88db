import sharp from 'sharp';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { hashImage } from '../src/images/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { syntheticImage } from './support/images.ts';
import { type TestServer, expectApiError, startTestServer } from './support/server.ts';

const H = (n: number) => n.toString(16).padStart(2, '0').repeat(32);

describeEachBackend('hash banks (/v1/hash-banks)', (backend) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(backend);
  });
  afterEach(async () => server.close());

  const createBank = async (body: object = { name: 'Known CSAM (test list)', clause_id: 'universal.1', category: 'sexual/minors' }) => {
    const res = await server.request('/v1/hash-banks', { method: 'POST', json: body });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { id: string; threshold: number; child_safety: boolean; category: string; enabled: boolean; hash_count: number };
  };
  const match = async (hashes: { md5: string; sha256: string; pdq: string }, tenant = 'default') =>
    server.services.hashBanks.match((await server.services.tenancy.ensureTenant(tenant, 'test')).id, hashes);
  const json = async <T>(res: Response, status = 200) => {
    expect(res.status, await res.clone().text()).toBe(status);
    return (await res.json()) as T;
  };

  it('creates a bank tied to a clause of the tenant policy, and refuses clauses and categories it does not have', async () => {
    const bank = await createBank();
    expect(bank).toMatchObject({ threshold: 31, child_safety: true, category: 'sexual/minors', enabled: true, hash_count: 0 });
    const sexual = await createBank({ name: 'Adult content', clause_id: 'api.4.1' });
    expect(sexual).toMatchObject({ category: 'sexual', child_safety: false });

    expect((await expectApiError(await server.request('/v1/hash-banks', { method: 'POST', json: { name: 'x', clause_id: 'nope.1' } }), 400)).param).toBe('clause_id');
    expect((await expectApiError(await server.request('/v1/hash-banks', { method: 'POST', json: { name: 'x', clause_id: 'universal.1' } }), 400)).param).toBe('category');
    await expectApiError(await server.request('/v1/hash-banks', { method: 'POST', json: { name: 'x', clause_id: 'universal.1', category: 'hate' } }), 400);
    await expectApiError(await server.request('/v1/hash-banks', { method: 'POST', json: { name: 'x', clause_id: 'api.4.1', threshold: 64 } }), 400);
    const list = await json<{ data: { id: string }[] }>(await server.request('/v1/hash-banks'));
    expect(list.data.map((b) => b.id).sort()).toEqual([bank.id, sexual.id].sort());
  });

  it('adds and removes hashes singly and in bulk, idempotently; a bad hash changes nothing', async () => {
    const bank = await createBank();
    const path = `/v1/hash-banks/${bank.id}/hashes`;
    expect(await json(await server.request(path, { method: 'POST', json: { hashes: [{ hash: H(1), quality: 90 }] } }))).toEqual({ added: 1, already_present: 0 });
    const bulk = { hashes: [{ hash: H(1).toUpperCase() }, { hash: H(2) }, { hash: H(3) }, { hash: H(3) }, { kind: 'md5', hash: 'a'.repeat(32) }, { kind: 'sha256', hash: 'b'.repeat(64) }] };
    expect(await json(await server.request(path, { method: 'POST', json: bulk }))).toEqual({ added: 4, already_present: 1 });
    expect(await json(await server.request(path, { method: 'POST', json: bulk }))).toEqual({ added: 0, already_present: 5 });

    const bad = await expectApiError(await server.request(path, { method: 'POST', json: { hashes: [{ hash: H(9) }, { hash: 'abc' }] } }), 400);
    expect(bad.param).toBe('hashes[1].hash');
    await expectApiError(await server.request(path, { method: 'POST', json: { hashes: [{ kind: 'md5', hash: 'a'.repeat(32), quality: 50 }] } }), 400);
    expect((await json<{ hash_count: number }>(await server.request(`/v1/hash-banks/${bank.id}`))).hash_count).toBe(5);

    const listed = await json<{ data: { kind: string; hash: string; quality: number | null }[] }>(await server.request(`${path}?limit=2`));
    expect(listed.data).toMatchObject([{ kind: 'pdq', hash: H(1), quality: 90 }, { kind: 'pdq', hash: H(2), quality: null }]);

    expect(await json(await server.request(`${path}/remove`, { method: 'POST', json: { hashes: [{ hash: H(2) }, { hash: H(7) }, { kind: 'md5', hash: 'a'.repeat(32) }] } }))).toEqual({ removed: 2, not_present: 1 });
    expect(await json(await server.request(`${path}/${H(3)}`, { method: 'DELETE' }))).toEqual({ removed: 1, not_present: 0 });
    expect(await json(await server.request(`${path}/${H(3)}`, { method: 'DELETE' }))).toEqual({ removed: 0, not_present: 1 });
    expect((await json<{ hash_count: number }>(await server.request(`/v1/hash-banks/${bank.id}`))).hash_count).toBe(2);
  });

  it("imports and exports ThreatExchange's PDQ text format; one bad line refuses the whole import", async () => {
    const bank = await createBank();
    const text = `# exported list\n${H(1)},100\n${H(2)}\n\n${H(3)},47,photos/c.jpg\n${H(1)},100\n`;
    const imported = await server.request(`/v1/hash-banks/${bank.id}/import`, { method: 'POST', body: text, headers: { 'content-type': 'text/plain' } });
    expect(await json(imported)).toEqual({ added: 3, already_present: 0 });
    const exported = await server.request(`/v1/hash-banks/${bank.id}/export`);
    expect(exported.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await exported.text()).toBe(`${H(1)},100\n${H(2)}\n${H(3)},47\n`);

    const broken = await server.request(`/v1/hash-banks/${bank.id}/import`, { method: 'POST', body: `${H(4)}\nnot-a-hash\n${H(5)},101\n`, headers: { 'content-type': 'text/plain' } });
    const error = await expectApiError(broken, 400);
    expect(error.code).toBe('invalid_hash_list');
    expect(error.message).toContain('line 2');
    expect(error.message).toContain('line 3');
    expect((await json<{ hash_count: number }>(await server.request(`/v1/hash-banks/${bank.id}`))).hash_count).toBe(3);
  });

  it('matches a resized, re-encoded copy of a banked image; disabled banks and a tighter threshold do not match', async () => {
    const original = await syntheticImage({ width: 640, height: 480, seed: 11 });
    const copy = await sharp(original).resize(200).png().toBuffer();
    const bank = await createBank();
    const { hashes } = await hashImage(original);
    await json(await server.request(`/v1/hash-banks/${bank.id}/import`, { method: 'POST', body: `${hashes.pdq},${hashes.quality}\n`, headers: { 'content-type': 'text/plain' } }));
    const copyHashes = (await hashImage(copy)).hashes;
    const [found] = await match(copyHashes);
    expect(found).toMatchObject({ bank_id: bank.id, clause_id: 'universal.1', category: 'sexual/minors', child_safety: true, kind: 'pdq', hash: hashes.pdq });
    expect(found!.distance).toBeGreaterThan(0);
    expect(found!.distance).toBeLessThanOrEqual(31);
    expect(await match((await hashImage(await syntheticImage({ seed: 12 }))).hashes)).toEqual([]);

    await json(await server.request(`/v1/hash-banks/${bank.id}`, { method: 'PATCH', json: { threshold: found!.distance - 1 } }));
    expect(await match(copyHashes)).toEqual([]);
    await json(await server.request(`/v1/hash-banks/${bank.id}`, { method: 'PATCH', json: { threshold: 31, enabled: false } }));
    expect(await match(copyHashes)).toEqual([]);
    await json(await server.request(`/v1/hash-banks/${bank.id}`, { method: 'PATCH', json: { enabled: true } }));
    expect(await match(copyHashes)).toHaveLength(1);

    // An exact hash of the bytes matches at distance 0, even for an image PDQ would not match.
    const exactBank = await createBank({ name: 'exact', clause_id: 'api.4.1' });
    const other = (await hashImage(await syntheticImage({ seed: 13 }))).hashes;
    await json(await server.request(`/v1/hash-banks/${exactBank.id}/hashes`, { method: 'POST', json: { hashes: [{ kind: 'sha256', hash: other.sha256 }] } }));
    expect(await match(other)).toMatchObject([{ bank_id: exactBank.id, kind: 'sha256', distance: 0 }]);

    await json(await server.request(`/v1/hash-banks/${bank.id}`, { method: 'DELETE' }));
    expect(await match(copyHashes)).toEqual([]);
    await expectApiError(await server.request(`/v1/hash-banks/${bank.id}`), 404);
  });

  it('checks roles on every route and keeps tenants apart; every change is audited', async () => {
    const bank = await createBank();
    await json(await server.request(`/v1/hash-banks/${bank.id}/hashes`, { method: 'POST', json: { hashes: [{ hash: H(1) }] } }));
    const client = await server.createKey('client');
    const reviewer = await server.createKey('reviewer');
    for (const [method, path, body] of [
      ['POST', '/v1/hash-banks', { name: 'x', clause_id: 'api.4.1' }],
      ['GET', '/v1/hash-banks', undefined],
      ['PATCH', `/v1/hash-banks/${bank.id}`, { enabled: false }],
      ['DELETE', `/v1/hash-banks/${bank.id}`, undefined],
      ['POST', `/v1/hash-banks/${bank.id}/hashes`, { hashes: [{ hash: H(2) }] }],
      ['GET', `/v1/hash-banks/${bank.id}/export`, undefined],
    ] as const) {
      await expectApiError(await server.request(path, { method, json: body, key: client }), 403);
    }
    expect((await json<{ data: unknown[] }>(await server.request('/v1/hash-banks', { key: reviewer }))).data).toHaveLength(1);
    await expectApiError(await server.request(`/v1/hash-banks/${bank.id}/export`, { key: reviewer }), 403);
    await expectApiError(await server.request(`/v1/hash-banks/${bank.id}/hashes`, { key: reviewer }), 403);

    const otherAdmin = await server.createKey('admin', 'other-tenant');
    expect((await json<{ data: unknown[] }>(await server.request('/v1/hash-banks', { key: otherAdmin }))).data).toEqual([]);
    await expectApiError(await server.request(`/v1/hash-banks/${bank.id}`, { key: otherAdmin }), 404);
    await expectApiError(await server.request(`/v1/hash-banks/${bank.id}/hashes`, { method: 'POST', json: { hashes: [{ hash: H(5) }] }, key: otherAdmin }), 404);
    await expectApiError(await server.request(`/v1/hash-banks/${bank.id}/export`, { key: otherAdmin }), 404);
    expect(await match({ md5: '', sha256: '', pdq: H(1) }, 'other-tenant')).toEqual([]);

    await json(await server.request(`/v1/hash-banks/${bank.id}/hashes/remove`, { method: 'POST', json: { hashes: [{ hash: H(1) }] } }));
    await json(await server.request(`/v1/hash-banks/${bank.id}`, { method: 'PATCH', json: { enabled: false } }));
    await json(await server.request(`/v1/hash-banks/${bank.id}`, { method: 'DELETE' }));
    const audit = await json<{ data: { action: string; target: string; payload: Record<string, unknown> }[] }>(await server.request('/v1/audit?limit=500'));
    const actions = audit.data.filter((e) => e.target === bank.id).map((e) => e.action);
    expect(actions).toEqual(['hash_bank.created', 'hash_bank.hashes_added', 'hash_bank.hashes_removed', 'hash_bank.updated', 'hash_bank.deleted']);
    expect(audit.data.find((e) => e.action === 'hash_bank.hashes_added')!.payload).toMatchObject({ added: 1, already_present: 0 });
  });
});
