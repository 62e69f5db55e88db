import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/audit/index.ts';
import { bundledPolicies } from '../src/policy/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { type TestServer, expectApiError, startTestServer } from './support/server.ts';

function customVersion(version: string, summary = `Publish ${version}.`) {
  const doc = structuredClone(bundledPolicies()[0]!);
  doc.version = version;
  doc.changelog.unshift({ date: '2026-02-01', summary });
  doc.clauses.find((c) => c.id === 'store.1')!.severity = 'high';
  return doc;
}

describeEachBackend('foundation API', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => server?.close());

  describe('health and metrics', () => {
    it('answers /healthz without a key', async () => {
      const res = await server.request('/healthz', { key: null });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', database: backend });
    });

    it('exposes request counts and latency by route at /metrics', async () => {
      await server.request('/v1/policies');
      const text = await (await server.request('/metrics', { key: null })).text();
      expect(text).toMatch(/warden_http_requests_total\{method="GET",route="\/v1\/policies",status="200"\} \d+/);
      expect(text).toContain('warden_http_request_duration_seconds_bucket');
    });
  });

  describe('policies', () => {
    it('lists the bundled version as the starting, current version', async () => {
      const res = await server.request('/v1/policies');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { object: string; data: { version: string; clauses: number; current: boolean }[] };
      expect(body.object).toBe('list');
      expect(body.data).toEqual([expect.objectContaining({ version: '2024-01-10', clauses: 38, current: true })]);
    });

    it('returns a version with its clauses and changelog', async () => {
      const body = (await (await server.request('/v1/policies/2024-01-10')).json()) as {
        version: string;
        document: { clauses: { id: string }[]; changelog: { date: string }[] };
      };
      expect(body.version).toBe('2024-01-10');
      expect(body.document.clauses).toHaveLength(38);
      expect(body.document.changelog[0]!.date).toBe('2024-01-10');
    });

    it('publishes a new version (admin), which becomes current, is audited and diffs field by field', async () => {
      const res = await server.request('/v1/policies', { method: 'POST', json: customVersion('acme-1') });
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ version: 'acme-1', current: true, clauses: 38 });

      const diff = (await (await server.request('/v1/policies/2024-01-10/diff/acme-1')).json()) as Record<string, unknown>;
      expect(diff).toMatchObject({ from: '2024-01-10', to: 'acme-1', added: [], removed: [], unchanged: 37 });
      expect(diff.changed).toEqual([{ id: 'store.1', changes: [{ field: 'severity', from: 'medium', to: 'high' }] }]);

      const audit = (await (await server.request('/v1/audit')).json()) as { data: { action: string; target: string }[] };
      expect(audit.data).toContainEqual(expect.objectContaining({ action: 'policy.published', target: 'acme-1' }));
    });

    it('accepts a policy document as YAML', async () => {
      const { stringify } = await import('yaml');
      const res = await server.request('/v1/policies', {
        method: 'POST',
        headers: { 'content-type': 'application/yaml' },
        body: stringify(customVersion('acme-yaml')),
      });
      expect(res.status).toBe(201);
    });

    it('refuses a second version with the same name: 409, nothing changed', async () => {
      const before = await server.services.policies.list(tenantId());
      const error = await expectApiError(await server.request('/v1/policies', { method: 'POST', json: customVersion('acme-1', 'Again.') }), 409);
      expect(error.param).toBe('version');
      expect(await server.services.policies.list(tenantId())).toEqual(before);
    });

    it('never stores two versions with the same name under concurrent publishes', async () => {
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) => server.request('/v1/policies', { method: 'POST', json: customVersion('race-1', `Racer ${i}.`) })),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
      const versions = (await server.services.policies.list(tenantId())).filter((v) => v.version === 'race-1');
      expect(versions).toHaveLength(1);
    });

    it('requires a new changelog entry to publish', async () => {
      const doc = customVersion('acme-2');
      doc.changelog.shift();
      const error = await expectApiError(await server.request('/v1/policies', { method: 'POST', json: doc }), 400);
      expect(error.code).toBe('changelog_required');
    });

    it('names the offending field of a broken document and stores nothing', async () => {
      const doc = customVersion('broken-1') as unknown as { clauses: Record<string, unknown>[] };
      doc.clauses[2]!.applies_to = ['everywhere'];
      const error = await expectApiError(await server.request('/v1/policies', { method: 'POST', json: doc }), 400);
      expect(error.param).toBe('clauses[2].applies_to[0]');
      expect(error.type).toBe('invalid_request_error');
      await expectApiError(await server.request('/v1/policies/broken-1'), 404);
    });

    it('refuses duplicate clause ids and unknown fields', async () => {
      const dup = customVersion('dup-1');
      dup.clauses[1]!.id = dup.clauses[0]!.id;
      expect((await expectApiError(await server.request('/v1/policies', { method: 'POST', json: dup }), 400)).param).toBe('clauses[1].id');
      const extra = { ...customVersion('extra-1'), owner: 'me' };
      expect((await expectApiError(await server.request('/v1/policies', { method: 'POST', json: extra }), 400)).param).toBe('owner');
    });

    it('answers unknown versions and bad version names with 404 and 400', async () => {
      await expectApiError(await server.request('/v1/policies/1999-01-01'), 404);
      await expectApiError(await server.request('/v1/policies/2024-01-10/diff/nope'), 404);
      await expectApiError(await server.request('/v1/policies/bad%20name'), 400);
    });
  });

  describe('bad requests', () => {
    it('malformed JSON is a 400 in the OpenAI error shape', async () => {
      const res = await server.request('/v1/policies', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": ' });
      expect((await expectApiError(res, 400)).code).toBe('invalid_json');
    });

    it('an oversized body is a 413', async () => {
      const res = await server.request('/v1/policies', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ padding: 'x'.repeat(1_100_000) }),
      });
      expect((await expectApiError(res, 413)).code).toBe('payload_too_large');
    });

    it('tags every answer with x-request-id: the caller\'s when it sends a plausible one, else a new one', async () => {
      const mine = await server.request('/v1/policies', { headers: { 'x-request-id': 'trace-42.a:b' } });
      expect(mine.headers.get('x-request-id')).toBe('trace-42.a:b');
      const error = await server.request('/v1/nothing-here', { headers: { 'x-request-id': 'no spaces or <tags> please' } });
      expect(error.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const ids = await Promise.all([1, 2].map(async () => (await server.request('/healthz', { key: null })).headers.get('x-request-id')));
      expect(new Set(ids).size).toBe(2);
    });

    it('an unknown route is a 404 in the OpenAI error shape', async () => {
      expect((await expectApiError(await server.request('/v1/nothing-here'), 404)).code).toBe('not_found');
    });
  });

  describe('keys and roles', () => {
    it('refuses a missing, malformed or unknown key with 401', async () => {
      for (const key of [null, 'wdn_not-a-real-key-but-long-enough-to-look-like-one']) {
        const response = await server.request('/v1/policies', { key });
        expect(response.headers.get('www-authenticate')).toBe(key ? 'Bearer realm="warden", error="invalid_token"' : 'Bearer realm="warden"');
        const error = await expectApiError(response, 401);
        expect(error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
      }
      const res = await server.request('/v1/policies', { key: null, headers: { authorization: 'Basic abc' } });
      await expectApiError(res, 401);
    });

    it('lets an admin create a key that works at once, lists it without the secret, and revokes it', async () => {
      const created = await server.request('/v1/keys', { method: 'POST', json: { role: 'client', label: 'ci bot' } });
      expect(created.status).toBe(201);
      const { id, key } = (await created.json()) as { id: string; key: string };
      expect(key).toMatch(/^wdn_[A-Za-z0-9_-]{43}$/);
      expect((await server.request('/v1/policies', { key })).status).toBe(200);

      const listed = await (await server.request('/v1/keys')).text();
      expect(listed).toContain(id);
      expect(listed).not.toContain(key);

      expect((await server.request(`/v1/keys/${id}`, { method: 'DELETE' })).status).toBe(200);
      await expectApiError(await server.request('/v1/policies', { key }), 401);
    });

    it('stores only a salted hash of each key', async () => {
      const key = await server.createKey('client');
      const rows = await server.store.db.selectFrom('api_keys').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(key);
      expect(new Set(rows.map((r) => r.salt)).size).toBe(rows.length);
    });

    it('checks roles on every admin route: 403 for reviewer and client keys', async () => {
      for (const role of ['reviewer', 'client'] as const) {
        const key = await server.createKey(role);
        const error = await expectApiError(await server.request('/v1/policies', { method: 'POST', key, json: customVersion(`r-${role}`) }), 403);
        expect(error.type).toBe('permission_error');
        await expectApiError(await server.request('/v1/keys', { key }), 403);
        await expectApiError(await server.request('/v1/audit', { key }), 403);
        expect((await server.request('/v1/policies', { key })).status).toBe(200);
      }
    });

    it('refuses a bad role in a key request with 400 naming the field', async () => {
      const error = await expectApiError(await server.request('/v1/keys', { method: 'POST', json: { role: 'root' } }), 400);
      expect(error.param).toBe('role');
    });

    it('answers 404 for revoking another tenant’s key', async () => {
      const otherAdmin = await server.createKey('admin', 'tenant-other');
      const ids = (await (await server.request('/v1/keys')).json()) as { data: { id: string }[] };
      await expectApiError(await server.request(`/v1/keys/${ids.data[0]!.id}`, { method: 'DELETE', key: otherAdmin }), 404);
    });
  });

  describe('tenant isolation', () => {
    it("a key of tenant B cannot read or diff tenant A's versions (404), and sees only its own", async () => {
      const bKey = await server.createKey('admin', 'tenant-b');
      await expectApiError(await server.request('/v1/policies/acme-1', { key: bKey }), 404);
      await expectApiError(await server.request('/v1/policies/2024-01-10/diff/acme-1', { key: bKey }), 404);
      const list = (await (await server.request('/v1/policies', { key: bKey })).json()) as { data: { version: string }[] };
      expect(list.data.map((v) => v.version)).toEqual(['2024-01-10']);

      expect((await server.request('/v1/policies', { method: 'POST', key: bKey, json: customVersion('acme-1') })).status).toBe(201);
      const aDoc = (await (await server.request('/v1/policies/acme-1')).json()) as { published_by: string };
      const bDoc = (await (await server.request('/v1/policies/acme-1', { key: bKey })).json()) as { published_by: string };
      expect(aDoc.published_by).not.toBe(bDoc.published_by);
      const bAudit = (await (await server.request('/v1/audit', { key: bKey })).json()) as { data: { tenant_id: string }[] };
      expect(new Set(bAudit.data.map((e) => e.tenant_id)).size).toBe(1);
    });
  });

  describe('audit chain', () => {
    it('verifies, then names the first entry altered by hand', async () => {
      const intact = await verifyChain(server.store);
      expect(intact.ok).toBe(true);
      if (!intact.ok) return;
      expect(intact.entries).toBeGreaterThan(5);

      const victim = await server.store.db.selectFrom('audit_log').select(['seq', 'payload']).where('action', '=', 'key.created').orderBy('seq').limit(1).executeTakeFirstOrThrow();
      await server.store.db.updateTable('audit_log').set({ payload: '{"role":"client"}' }).where('seq', '=', victim.seq).execute();
      const broken = await verifyChain(server.store);
      expect(broken).toMatchObject({ ok: false, firstBad: { seq: victim.seq, action: 'key.created' } });
      await server.store.db.updateTable('audit_log').set({ payload: victim.payload }).where('seq', '=', victim.seq).execute();

      const later = await server.store.db.selectFrom('audit_log').select('seq').orderBy('seq', 'desc').limit(2).execute();
      await server.store.db.deleteFrom('audit_log').where('seq', '=', later[1]!.seq).execute();
      expect(await verifyChain(server.store)).toMatchObject({ ok: false, firstBad: { seq: later[0]!.seq } });
    });
  });

  let defaultTenantId = '';
  beforeAll(async () => {
    defaultTenantId = (await server.services.tenancy.findTenant('default'))!.id;
  });
  const tenantId = () => defaultTenantId;
});

describeEachBackend('rate limiting', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { rateLimitPerSecond: 2 });
  });
  afterAll(async () => server?.close());

  it('answers 429 with Retry-After once a key exceeds its rate, without affecting other keys', async () => {
    const first = await server.request('/v1/policies');
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toMatch(/^[01]$/);
    expect(first.headers.get('ratelimit-reset')).toMatch(/^\d+$/);
    const responses = await Promise.all(Array.from({ length: 6 }, () => server.request('/v1/policies')));
    const limited = responses.find((response) => response.status === 429);
    expect(limited).toBeDefined();
    expect(limited!.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(limited!.headers.get('ratelimit-remaining')).toBe('0');
    expect((await expectApiError(limited!, 429)).type).toBe('rate_limit_error');
    expect((await server.request('/healthz', { key: null })).headers.get('ratelimit-limit')).toBeNull();
    const other = await server.createKey('client');
    expect((await server.request('/v1/policies', { key: other })).status).toBe(200);
  });
});

describeEachBackend('tenant-configurable rate limits', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { rateLimitPerSecond: 50 });
  });
  afterAll(async () => server?.close());

  it('lets an admin set its tenant\'s rate per key, audited, holding at once, and null restores the default', async () => {
    expect(await (await server.request('/v1/rate-limit')).json()).toEqual({ object: 'rate_limit', requests_per_second: 50, source: 'default', default: 50 });
    const set = await server.request('/v1/rate-limit', { method: 'PUT', json: { requests_per_second: 3 } });
    expect(await set.json()).toEqual({ object: 'rate_limit', requests_per_second: 3, source: 'tenant', default: 50 });
    const client = await server.createKey('client');
    const next = await server.request('/v1/policies', { key: client });
    expect(next.headers.get('ratelimit-limit')).toBe('3');
    const burst = await Promise.all(Array.from({ length: 6 }, () => server.request('/v1/policies', { key: client })));
    expect(burst.some((response) => response.status === 429)).toBe(true);
    // Another tenant keeps the server's default.
    const other = await server.createKey('admin', 'other-tenant');
    expect((await server.request('/v1/policies', { key: other })).headers.get('ratelimit-limit')).toBe('50');
    expect(((await (await server.request('/v1/rate-limit', { key: other })).json()) as { source: string }).source).toBe('default');
    const entries = await server.services.audit.list((await server.services.tenancy.findTenant('default'))!.id, { limit: 1000 });
    expect(JSON.parse(entries.filter((e) => e.action === 'rate_limit.set').at(-1)!.payload)).toEqual({ before: null, after: 3 });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the admin key's own window passes
    const reset = await server.request('/v1/rate-limit', { method: 'PUT', json: { requests_per_second: null } });
    expect(((await reset.json()) as { requests_per_second: number }).requests_per_second).toBe(50);
    expect((await server.request('/v1/policies', { key: client })).headers.get('ratelimit-limit')).toBe('50');
  });

  it('refuses bad values and other roles without changing anything', async () => {
    const before = await (await server.request('/v1/rate-limit')).json();
    for (const json of [{ requests_per_second: 0 }, { requests_per_second: 1.5 }, { requests_per_second: 2_000_000 }, { requests_per_second: '5' }, {}, { requests_per_second: 5, extra: 1 }]) {
      await expectApiError(await server.request('/v1/rate-limit', { method: 'PUT', json }), 400);
    }
    const reviewer = await server.createKey('reviewer');
    await expectApiError(await server.request('/v1/rate-limit', { method: 'PUT', json: { requests_per_second: 5 }, key: reviewer }), 403);
    await expectApiError(await server.request('/v1/rate-limit', { key: reviewer }), 403);
    expect(await (await server.request('/v1/rate-limit')).json()).toEqual(before);
  });
});
