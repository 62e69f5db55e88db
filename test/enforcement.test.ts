import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { describeEachBackend } from './support/backends.ts';
import { type TestServer, expectApiError, startTestServer } from './support/server.ts';

const DAY = 24 * 60 * 60 * 1000;

interface EventBody {
  id: string;
  rung: string;
  in_force: string;
  score: number;
  counted: boolean;
  action: { id: string; rung: string; trigger: string; ends_at: string | null } | null;
  child_safety_report: string | null;
  violations: { clause_id: string; exempt: boolean; exemption_id: string | null; child_safety: boolean }[];
}

interface Standing {
  rung: string;
  in_force: string;
  score: number;
  suspension: { action_id: string; ends_at: string | null } | null;
  current_actions: { id: string; rung: string; reasons: { clause_ids: string[]; event_ids: string[] } }[];
  actions: { id: string; rung: string; status: string }[];
  events: { id: string; counted: boolean; evidence: unknown; child_safety: boolean; violations: { exempt: boolean }[] }[];
  appeals: { id: string; state: string }[];
}

describeEachBackend('enforcement over HTTP', (backend) => {
  let server: TestServer;
  let client: string;
  let childSafety: string;

  beforeEach(async () => {
    server = await startTestServer(backend);
    client = await server.createKey('client');
    const tenant = await server.services.tenancy.ensureTenant('default', 'test');
    childSafety = (await server.services.tenancy.createKey({ tenant, role: 'child_safety', actor: 'test' })).key;
  });
  afterEach(async () => server?.close());

  async function post<T>(path: string, json: unknown, key = server.adminKey, status = 201): Promise<T> {
    const response = await server.request(path, { method: 'POST', json, key });
    const body = (await response.json()) as T;
    if (response.status !== status) throw new Error(`POST ${path}: expected ${status}, got ${response.status}: ${JSON.stringify(body)}`);
    return body;
  }

  async function standing(account: string, key = server.adminKey): Promise<Standing> {
    const response = await server.request(`/v1/accounts/${encodeURIComponent(account)}/standing`, { key });
    expect(response.status).toBe(200);
    return (await response.json()) as Standing;
  }

  /** A real /v1/moderations call naming the account: a payment card number breaks universal.1 (high) and api.1.1. */
  async function moderationStrike(account: string, field: 'user' | 'warden' = 'user') {
    // Each call's text differs: an identical request within the retry window would be taken for a retry and count once.
    const json = { input: `my card is 4111 1111 1111 1111, charge it (${field})`, ...(field === 'user' ? { user: account } : { warden: { account } }) };
    const moderation = await post<{ id: string; results: { warden: { violations: { clause_id: string }[] } }[] }>('/v1/moderations', json, client, 200);
    expect(moderation.results[0]!.warden.violations.map((v) => v.clause_id)).toEqual(['universal.1', 'api.1.1']);
    const standingNow = await standing(account);
    const event = standingNow.events[0]!;
    expect(event.id).toBe(`moderation:${moderation.id}:0`);
    return { moderationId: moderation.id, standing: standingNow };
  }

  async function outboxTypes(): Promise<string[]> {
    const rows = await server.store.db.selectFrom('outbox').select('type').orderBy('seq').execute();
    return rows.map((r) => r.type);
  }

  it('climbs the ladder, honours an exemption, escalates child safety at once, and restores standing by reversal and appeal', async () => {
    // Moderation calls naming the user produce strikes: 4 (high) → warning, one rung at a time.
    const first = await moderationStrike('user-1');
    expect(first.standing).toMatchObject({ rung: 'warning', score: 4 });
    const second = await moderationStrike('user-1', 'warden');
    expect(second.standing).toMatchObject({ rung: 'sharing_restricted', score: 8 });
    const third = await post<EventBody>('/v1/events', { id: 'evt-3', account: 'user-1', violations: [{ clause_id: 'api.3.1', category: 'deception/disinformation' }] }, client);
    expect(third).toMatchObject({ rung: 'store_ineligible', score: 10, action: { rung: 'store_ineligible', trigger: 'threshold' } });
    // A moderation call without an account changes no standing.
    await post('/v1/moderations', { input: 'my card is 4111 1111 1111 1111' }, client, 200);

    // A sanctioned red-team exemption for universal.4: recorded and visible, but it does not count.
    const exemption = await post<{ id: string; status: string }>('/v1/exemptions', {
      account: 'user-1',
      clause_ids: ['universal.4'],
      reason: 'Red Teaming Network engagement #12',
      expires_at: new Date(server.clock.now().getTime() + 7 * DAY).toISOString(),
    });
    expect(exemption.status).toBe('active');
    const exempted = await post<EventBody>('/v1/events', { id: 'evt-4', account: 'user-1', violations: [{ clause_id: 'universal.4', category: 'safeguard-circumvention' }] }, client);
    expect(exempted).toMatchObject({ counted: false, score: 10, rung: 'store_ineligible', action: null });
    expect(exempted.violations[0]).toMatchObject({ exempt: true, exemption_id: exemption.id });

    const fifth = await post<EventBody>('/v1/events', { id: 'evt-5', account: 'user-1', source: 'review', reviewer: 'reviewer-2', violations: [{ clause_id: 'universal.2', category: 'weapons' }] }, client);
    expect(fifth).toMatchObject({ rung: 'monetization_ineligible', score: 14 });

    // sexual/minors suspends at once and opens a mandatory report only the child_safety role can read.
    const digest = createHash('sha256').update('the content').digest('hex');
    const csam = await post<EventBody>('/v1/events', {
      id: 'evt-6',
      account: 'user-1',
      source: 'review',
      reviewer: 'reviewer-7',
      content: { digest, type: 'image' },
      violations: [{ clause_id: 'universal.1', category: 'sexual/minors', score: 0.99, evidence: [{ region: 'full' }] }],
    });
    expect(csam).toMatchObject({ rung: 'suspended', in_force: 'suspended', action: { rung: 'suspended', trigger: 'child_safety', ends_at: null } });
    expect(csam.child_safety_report).toMatch(/^csr_/);
    await expectApiError(await server.request(`/v1/child-safety/reports/${csam.child_safety_report}`), 403);
    const report = (await (await server.request(`/v1/child-safety/reports/${csam.child_safety_report}`, { key: childSafety })).json()) as Record<string, unknown>;
    expect(report).toMatchObject({
      status: 'pending_submission',
      retention_hold: true,
      account: { id: 'user-1' },
      tenant: { name: 'default' },
      content: { digest, type: 'image' },
      detection_source: 'review',
      reviewer: 'reviewer-7',
      clause_ids: ['universal.1'],
      evidence: [{ clause_id: 'universal.1', category: 'sexual/minors', score: 0.99, evidence: [{ region: 'full' }] }],
    });
    const suspended = await standing('user-1');
    expect(suspended.suspension).toMatchObject({ action_id: csam.action!.id, ends_at: null });
    expect(suspended.events[0]).toMatchObject({ id: 'evt-6', child_safety: true, evidence: 'restricted to the child_safety role' });
    expect(JSON.stringify(suspended)).not.toContain('"region"');

    // The evidence is under a retention hold: the database refuses to delete it.
    await expect(server.store.db.deleteFrom('child_safety_reports').execute()).rejects.toThrow(/retention hold/);
    await expect(server.store.db.deleteFrom('enforcement_events').where('child_safety', '=', 1).execute()).rejects.toThrow(/retention hold/);
    const submitted = await post<{ status: string; external_report_id: string }>(
      `/v1/child-safety/reports/${csam.child_safety_report}/submission`,
      { external_report_id: 'CT-2026-0001' },
      childSafety,
      200,
    );
    expect(submitted).toMatchObject({ status: 'submitted', external_report_id: 'CT-2026-0001' });
    await expectApiError(await server.request(`/v1/child-safety/reports/${csam.child_safety_report}/submission`, { method: 'POST', key: childSafety, json: { external_report_id: 'x' } }), 409);

    // A reversal restores the previous rung.
    const reversed = await post<{ status: string; restored_rung: string }>(`/v1/accounts/user-1/actions/${csam.action!.id}/reverse`, { reason: 'reviewer misread the image' }, server.adminKey, 200);
    expect(reversed).toMatchObject({ status: 'reversed', restored_rung: 'monetization_ineligible' });
    expect((await standing('user-1')).in_force).toBe('monetization_ineligible');
    // The report stays whatever happens to the action.
    expect((await (await server.request('/v1/child-safety/reports', { key: childSafety })).json()) as { data: unknown[] }).toMatchObject({ data: [{ id: csam.child_safety_report }] });

    // An appeal overturned reverses its action; one upheld keeps it.
    const appeal = await post<{ id: string; state: string }>('/v1/accounts/user-1/appeals', { action_id: fifth.action!.id, statement: 'That was a quote from a novel.' }, client);
    expect(appeal.state).toBe('open');
    await expectApiError(await server.request('/v1/accounts/user-1/appeals', { method: 'POST', key: client, json: { action_id: fifth.action!.id, statement: 'again' } }), 409);
    const overturned = await post<{ state: string }>(`/v1/appeals/${appeal.id}/decision`, { outcome: 'overturned', reason: 'fiction' }, server.adminKey, 200);
    expect(overturned.state).toBe('overturned');
    let now = await standing('user-1');
    expect(now.rung).toBe('store_ineligible');
    expect(now.appeals).toMatchObject([{ id: appeal.id, state: 'overturned' }]);

    const second_appeal = await post<{ id: string }>('/v1/accounts/user-1/appeals', { action_id: third.action!.id, statement: 'Also fiction.' }, client);
    await post(`/v1/appeals/${second_appeal.id}/decision`, { outcome: 'upheld', reason: 'instructions for a weapon' }, server.adminKey, 200);
    now = await standing('user-1');
    expect(now.rung).toBe('store_ineligible');
    expect(now.current_actions.map((a) => a.rung)).toEqual(['warning', 'sharing_restricted', 'store_ineligible']);
    expect(now.current_actions[2]!.reasons).toMatchObject({ clause_ids: ['api.3.1'], event_ids: ['evt-3'] });
    expect(now.current_actions[0]!.reasons).toMatchObject({ clause_ids: ['universal.1', 'api.1.1'], event_ids: [`moderation:${first.moderationId}:0`] });

    expect(await outboxTypes()).toEqual([
      'account.action_taken',
      'account.action_taken',
      'account.action_taken',
      'account.action_taken',
      'account.action_taken',
      'account.action_reversed',
      'appeal.opened',
      'account.action_reversed',
      'appeal.decided',
      'appeal.opened',
      'appeal.decided',
    ]);
    const audit = (await (await server.request('/v1/audit?limit=500')).json()) as { data: { action: string }[] };
    const actions = audit.data.map((e) => e.action);
    expect(actions.filter((a) => a === 'enforcement.event_recorded')).toHaveLength(6);
    expect(actions).toContain('child_safety.report_opened');
    expect(actions).toContain('exemption.granted');
  });

  it('decays strikes and ends a suspension on the clock, without sleeping', async () => {
    for (let i = 0; i < 5; i += 1) await post('/v1/events', { id: `e${i}`, account: 'u', violations: [{ clause_id: 'universal.2' }] });
    let view = await standing('u');
    expect(view).toMatchObject({ rung: 'suspended', in_force: 'suspended', score: 20 });
    const endsAt = view.suspension!.ends_at!;
    expect(new Date(endsAt).getTime() - server.clock.now().getTime()).toBe(14 * DAY);

    server.clock.advance(30 * DAY); // one half-life
    view = await standing('u');
    expect(view.score).toBe(10);
    expect(view.in_force).toBe('monetization_ineligible');
    expect(view.suspension).toBeNull();
    expect(view.actions.find((a) => a.rung === 'suspended')!.status).toBe('ended');

    // The next strike does not reach the termination threshold on the decayed score.
    const next = await post<EventBody>('/v1/events', { id: 'e5', account: 'u', violations: [{ clause_id: 'universal.2' }] });
    expect(next).toMatchObject({ score: 14, rung: 'suspended', action: null });
  });

  it('answers bad input with a clear 4xx and changes nothing', async () => {
    const body = { id: 'dup', account: 'acct', violations: [{ clause_id: 'api.3.3' }] };
    const original = await post<EventBody>('/v1/events', body);
    const replay = await server.request('/v1/events', { method: 'POST', json: body });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual(original);
    const countBefore = async () => ({
      events: (await server.store.db.selectFrom('enforcement_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n,
      audit: (await server.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n,
      exemptions: (await server.store.db.selectFrom('exemptions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n,
    });
    const reviewer = await server.createKey('reviewer');
    const before = await countBefore();

    const conflict = await expectApiError(await server.request('/v1/events', { method: 'POST', json: { ...body, violations: [{ clause_id: 'api.3.4' }] } }), 409);
    expect(conflict.param).toBe('id');
    const unknownClause = await expectApiError(await server.request('/v1/events', { method: 'POST', json: { id: 'x', account: 'acct', violations: [{ clause_id: 'api.9.9' }] } }), 400);
    expect(unknownClause).toMatchObject({ param: 'violations[0].clause_id', code: 'unknown_clause' });
    const wrongCategory = await expectApiError(await server.request('/v1/events', { method: 'POST', json: { id: 'x', account: 'acct', violations: [{ clause_id: 'api.3.3', category: 'hate' }] } }), 400);
    expect(wrongCategory.param).toBe('violations[0].category');
    const otherTenantField = await expectApiError(await server.request('/v1/events', { method: 'POST', json: { ...body, id: 'y', tenant: 'other' } }), 400);
    expect(otherTenantField.param).toBe('tenant');
    const batch = await expectApiError(
      await server.request('/v1/events/batch', { method: 'POST', json: { events: [{ ...body, id: 'b1' }, { id: 'b2', account: 'acct', violations: [{ clause_id: 'nope.1' }] }] } }),
      400,
    );
    expect(batch.param).toBe('events[1].violations[0].clause_id');
    await expectApiError(await server.request('/v1/events', { method: 'POST', key: reviewer, json: { ...body, id: 'z' } }), 403);

    expect((await expectApiError(await server.request('/v1/accounts/nobody/standing'), 404)).param).toBe('id');
    expect((await expectApiError(await server.request('/v1/accounts/acct/actions/act_missing/reverse', { method: 'POST', json: { reason: 'r' } }), 404)).param).toBe('actionId');
    expect((await expectApiError(await server.request('/v1/accounts/acct/appeals', { method: 'POST', json: { action_id: 'act_missing', statement: 's' } }), 404)).param).toBe('action_id');
    await expectApiError(await server.request('/v1/appeals/apl_missing/decision', { method: 'POST', json: { outcome: 'upheld', reason: 'r' } }), 404);

    const expires_at = new Date(server.clock.now().getTime() + DAY).toISOString();
    const csClause = await expectApiError(await server.request('/v1/exemptions', { method: 'POST', json: { account: 'acct', clause_ids: ['universal.1'], reason: 'r', expires_at } }), 400);
    expect(csClause).toMatchObject({ param: 'clause_ids[0]', code: 'child_safety_not_exemptable' });
    const csCategory = await expectApiError(await server.request('/v1/exemptions', { method: 'POST', json: { account: 'acct', categories: ['violence', 'sexual/minors'], reason: 'r', expires_at } }), 400);
    expect(csCategory).toMatchObject({ param: 'categories[1]', code: 'child_safety_not_exemptable' });
    const expired = await expectApiError(await server.request('/v1/exemptions', { method: 'POST', json: { account: 'acct', clause_ids: ['api.3.3'], reason: 'r', expires_at: server.clock.now().toISOString() } }), 400);
    expect(expired.param).toBe('expires_at');

    expect(await countBefore()).toEqual(before);

    // Another tenant sees none of it.
    const otherAdmin = await server.createKey('admin', 'other');
    await expectApiError(await server.request('/v1/accounts/acct/standing', { key: otherAdmin }), 404);
    const action = original.action!;
    await expectApiError(await server.request(`/v1/accounts/acct/actions/${action.id}/reverse`, { method: 'POST', key: otherAdmin, json: { reason: 'r' } }), 404);
    const other = await post<EventBody>('/v1/events', body, otherAdmin);
    expect(other.score).toBe(1); // the same id in another tenant is another event
  });

  it('stops exempting when an exemption is revoked or expires', async () => {
    const expires_at = new Date(server.clock.now().getTime() + 2 * DAY).toISOString();
    const granted = await post<{ id: string }>('/v1/exemptions', { account: 'red', categories: ['safeguard-circumvention'], reason: 'red team', expires_at });
    const listed = (await (await server.request('/v1/exemptions?account=red')).json()) as { data: { id: string; status: string }[] };
    expect(listed.data).toMatchObject([{ id: granted.id, status: 'active' }]);
    const jailbreak = (id: string) => post<EventBody>('/v1/events', { id, account: 'red', violations: [{ clause_id: 'universal.4', category: 'safeguard-circumvention' }] });
    expect((await jailbreak('j1')).counted).toBe(false);

    server.clock.advance(3 * DAY);
    expect((await jailbreak('j2')).counted).toBe(true);
    expect(((await (await server.request(`/v1/exemptions/${granted.id}`)).json()) as { status: string }).status).toBe('expired');

    const second = await post<{ id: string }>('/v1/exemptions', { account: 'red', clause_ids: ['universal.4'], reason: 'renewed', expires_at: new Date(server.clock.now().getTime() + DAY).toISOString() });
    expect((await jailbreak('j3')).counted).toBe(false);
    const revoked = (await (await server.request(`/v1/exemptions/${second.id}`, { method: 'DELETE' })).json()) as { status: string };
    expect(revoked.status).toBe('revoked');
    expect((await jailbreak('j4')).counted).toBe(true);
    await expectApiError(await server.request(`/v1/exemptions/${second.id}`, { method: 'DELETE' }), 409);
    await expectApiError(await server.request(`/v1/exemptions/${second.id}`, { key: await server.createKey('admin', 'other') }), 404);
  });

  it('loses no strike and skips no rung when events for one account arrive at once', async () => {
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => server.request('/v1/events', { method: 'POST', key: client, json: { id: `p${i}`, account: 'busy', violations: [{ clause_id: 'api.3.3' }] } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(30).fill(201));
    const view = await standing('busy');
    expect(view.score).toBe(30);
    expect(view.actions.map((a) => a.rung)).toEqual(['warning', 'sharing_restricted', 'store_ineligible', 'monetization_ineligible', 'suspended', 'terminated']);
  });

  it('ingests a batch in one transaction and replays repeated ids', async () => {
    const events = Array.from({ length: 20 }, (_, i) => ({ id: `b${i}`, account: `acct-${i % 3}`, violations: [{ clause_id: 'api.3.3' }] }));
    const response = await server.request('/v1/events/batch', { method: 'POST', json: { events } });
    expect(response.status).toBe(200);
    const first = (await response.json()) as { data: { replayed: boolean }[] };
    expect(first.data).toHaveLength(20);
    const again = (await (await server.request('/v1/events/batch', { method: 'POST', json: { events } })).json()) as { data: { replayed: boolean }[] };
    expect(again.data.every((r) => r.replayed)).toBe(true);
    expect((await standing('acct-0')).score).toBe(7);
  });

  it('publishes a tenant enforcement policy whose critical floor skips rungs', async () => {
    const current = (await (await server.request('/v1/enforcement/policy')).json()) as { version: string; source: string; document: Record<string, unknown> };
    expect(current.source).toBe('bundled');
    const strict = { ...current.document, version: 'strict-1', severity_floor: { high: 'store_ineligible' } };
    await expectApiError(await server.request('/v1/enforcement/policies', { method: 'POST', key: client, json: strict }), 403);
    const bad = await expectApiError(await server.request('/v1/enforcement/policies', { method: 'POST', json: { ...strict, ladder: [{ rung: 'suspended', threshold: 1 }] } }), 400);
    expect(bad.param).toBe('ladder[0].duration_days');
    await post('/v1/enforcement/policies', strict);
    const event = await post<EventBody>('/v1/events', { id: 'h1', account: 'v', violations: [{ clause_id: 'universal.2' }] });
    expect(event.action).toMatchObject({ rung: 'store_ineligible', trigger: 'severity_floor' });
    const versions = (await (await server.request('/v1/enforcement/policies')).json()) as { data: { version: string; current: boolean }[] };
    expect(versions.data.map((v) => [v.version, v.current])).toEqual([
      ['default-1', false],
      ['strict-1', true],
    ]);
  });
});
