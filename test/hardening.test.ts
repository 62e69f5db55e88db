import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend } from './support/backends.ts';
import { type TestServer, expectApiError, startTestServer } from './support/server.ts';

/** Sends raw bytes on a fresh connection and returns everything the server wrote back. */
function rawExchange(baseUrl: string, text: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    let out = '';
    const socket = connect(Number(port), hostname, () => socket.end(text));
    socket.on('data', (chunk: Buffer) => (out += chunk.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', () => resolve(out));
  });
}

/** Parses a raw HTTP/1.1 answer into its status, headers and JSON body. */
function parseRaw(answer: string) {
  const [head, body = ''] = answer.split('\r\n\r\n');
  return { status: Number(head!.split(' ')[1]), head: head!, body: JSON.parse(body) as Record<string, unknown> };
}

const event = (id: string, account: string) => ({ id, account, violations: [{ clause_id: 'store.1' }] });

describeEachBackend('hardening: bad input answers 4xx in the OpenAI shape', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => server?.close());

  it('reaches accounts whose ids are 101-256 characters long (Fastify stopped at 100)', async () => {
    for (const id of ['a'.repeat(101), 'é'.repeat(256)]) {
      expect((await server.request('/v1/events', { method: 'POST', json: event(`ev-${id.length}-${id[0]}`, id) })).status).toBe(201);
      const res = await server.request(`/v1/accounts/${encodeURIComponent(id)}/standing`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ account: { id } });
    }
    await expectApiError(await server.request(`/v1/accounts/${'a'.repeat(257)}/standing`), 400);
  });

  it('answers an over-long path segment with 414 and oversized headers with 431, both OpenAI-shaped', async () => {
    expect((await expectApiError(await server.request(`/v1/accounts/${'a'.repeat(5000)}/standing`), 414)).code).toBe('uri_too_long');
    expect((await expectApiError(await server.request('/v1/policies', { headers: { 'x-big': 'y'.repeat(100_000) } }), 431)).code).toBe('headers_too_large');
  });

  it('answers a Content-Length that does not fit the request with a 400 in the OpenAI shape', async () => {
    const head = `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.adminKey}\r\nContent-Type: application/json\r\n`;
    for (const length of ['abc', '2', '-1']) {
      const answer = parseRaw(await rawExchange(server.baseUrl, `${head}Content-Length: ${length}\r\nConnection: close\r\n\r\n{"a":1}`));
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: expect.any(String) } });
    }
    const garbage = parseRaw(await rawExchange(server.baseUrl, 'NOT HTTP AT ALL\r\n\r\n'));
    expect(garbage.status).toBe(400);
    expect(garbage.body).toHaveProperty('error.code');
  });

  it('answers a method a route does not have with 405 and Allow', async () => {
    const res = await server.request('/v1/policies', { method: 'PATCH', json: {} });
    expect((await expectApiError(res, 405)).code).toBe('method_not_allowed');
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
    await expectApiError(await server.request('/v1/no-such-route'), 404);
  });

  it('refuses an absurd queue age, SLA or audit cursor with 400 instead of failing on the date', async () => {
    expect((await expectApiError(await server.request('/v1/review/queue?min_age_minutes=1000000000000000'), 400)).param).toBe('min_age_minutes');
    expect((await expectApiError(await server.request('/v1/review/queue?max_age_minutes=1000000000000000'), 400)).param).toBe('max_age_minutes');
    expect((await server.request('/v1/review/queue?min_age_minutes=52000000')).status).toBe(200);
    expect((await expectApiError(await server.request('/v1/audit?after=1e300'), 400)).param).toBe('after');
    const settings = (await (await server.request('/v1/review/settings')).json()) as Record<string, unknown>;
    const { object: _object, updated_at: _at, updated_by: _by, ...editable } = settings;
    const res = await server.request('/v1/review/settings', { method: 'PUT', json: { ...editable, sla_hours: { low: 1e300, medium: 1, high: 1, critical: 1 } } });
    expect((await expectApiError(res, 400)).param).toBe('sla_hours.low');
  });

  it('refuses evidence nested thousands of levels deep with 400 (it overflowed the stack)', async () => {
    const deep = `${'{"a":'.repeat(8000)}1${'}'.repeat(8000)}`;
    const body = `{"id":"deep","account":"x","violations":[{"clause_id":"store.1","evidence":[${deep}]}]}`;
    const res = await server.request('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await expectApiError(res, 400)).code).toBe('too_deep');
    const shallow = `{"id":"shallow","account":"x","violations":[{"clause_id":"store.1","evidence":[${'{"a":'.repeat(20)}1${'}'.repeat(20)}]}]}`;
    expect((await server.request('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: shallow })).status).toBe(201);
    expect((await expectApiError(await server.request('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `[${'['.repeat(100_000)}${']'.repeat(100_000)}]` }), 400)).code).toBe('too_deep');
  });

  it('refuses a NUL character in ids, accounts, users, paths and queries with 400 on every backend', async () => {
    const nul = 'a\u0000b';
    const cases: [Response, string | null][] = [
      [await server.request('/v1/events', { method: 'POST', json: event(nul, 'acct') }), 'id'],
      [await server.request('/v1/events', { method: 'POST', json: event('nul-account', nul) }), 'account'],
      [await server.request('/v1/moderations', { method: 'POST', json: { input: 'hello', user: nul } }), 'user'],
      [await server.request('/v1/accounts/a%00b/standing'), 'id'],
      [await server.request('/v1/exemptions?account=a%00b'), 'account'],
      [await server.request('/v1/events', { method: 'POST', json: { ...event('nul-key', 'acct'), [nul]: 1 } }), nul],
    ];
    for (const [res, param] of cases) expect((await expectApiError(res, 400)).param).toBe(param);
    // Nothing was recorded.
    expect((await server.request('/v1/accounts/acct/standing')).status).toBe(404);
  });
});

describeEachBackend('hardening: review queue filters', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
    const report = { idempotency_key: 'r-1', reporter: 'u', target: { account: 'acct-1' }, clause_id: 'universal.3', text: 'threat' };
    expect((await server.request('/v1/reports', { method: 'POST', json: report })).status).toBe(201);
  });
  afterAll(async () => server?.close());

  it('matches a clause filter literally: "_" is not a wildcard and "%" is not a clause id', async () => {
    const queue = async (clause: string) => server.request(`/v1/review/queue?clause=${encodeURIComponent(clause)}`);
    expect(((await (await queue('universal.3')).json()) as { data: unknown[] }).data).toHaveLength(1);
    expect(((await (await queue('universal_3')).json()) as { data: unknown[] }).data).toHaveLength(0);
    expect((await expectApiError(await queue('%'), 400)).param).toBe('clause');
  });
});

describe.each(['sqlite'] as const)('hardening: store submissions by role [%s]', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => server?.close());

  it('lets admin and client keys submit, and refuses reviewer and child_safety keys with 403', async () => {
    for (const role of ['admin', 'client'] as const) {
      const res = await server.request('/v1/store/submissions', { method: 'POST', key: await server.createKey(role), json: { name: `App by ${role}` } });
      expect(res.status).toBe(201);
    }
    for (const role of ['reviewer', 'child_safety'] as const) {
      const key = await server.createKey(role);
      const res = await server.request('/v1/store/submissions', { method: 'POST', key, json: { name: `App by ${role}` } });
      expect((await expectApiError(res, 403)).code).toBe('insufficient_role');
      expect((await server.request('/v1/store/review-jobs', { key })).status).toBe(200);
    }
  });
});

describeEachBackend('hardening: webhook subscriptions go to public addresses only', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => server?.close());

  it('refuses IP literals in loopback, private and link-local ranges however written, and internal names', async () => {
    const urls = [
      'https://[::127.0.0.1]/hook',
      'https://[::ffff:169.254.169.254]/hook',
      'https://[64:ff9b::a00:1]/hook',
      'https://[2002:7f00:1::]/hook',
      'https://[fd12::1]/hook',
      'https://100.64.0.1/hook',
      'https://2130706433/hook',
      'https://metadata.google.internal/computeMetadata/v1/',
      'https://localhost/hook',
    ];
    for (const url of urls) {
      const error = await expectApiError(await server.request('/v1/subscriptions', { method: 'POST', json: { url, events: ['policy.published'] } }), 400);
      expect(error.param, url).toBe('url');
    }
    expect(((await (await server.request('/v1/subscriptions')).json()) as { data: unknown[] }).data).toHaveLength(0);
    const ok = await server.request('/v1/subscriptions', { method: 'POST', json: { url: 'https://93.184.216.34/hook', events: ['policy.published'] } });
    expect(ok.status).toBe(201);
  });
});
