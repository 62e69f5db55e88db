import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundledPolicies } from '../src/policy/index.ts';
import { ROLES, type Role } from '../src/tenancy/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { type TestServer, startTestServer } from './support/server.ts';

/**
 * Tenant isolation: a victim tenant is seeded with every kind of object, then every registered
 * route is tried with a key of each role of an attacker tenant, aimed at the victim's objects. No
 * answer may be a 5xx, no answer may carry anything of the victim's that the request did not
 * itself name, no request aimed at a victim's object may succeed, and the victim's audit log (every
 * change writes to it) must not grow. A route registered without a case here fails the suite.
 */

/** What the seeded victim tenant holds. */
interface Victim {
  account: string;
  eventId: string;
  actionId: string;
  appealId: string;
  exemptionId: string;
  reportId: string;
  caseId: string;
  submissionId: string;
  jobId: string;
  subscriptionId: string;
  deliveryId: string;
  bankId: string;
  hash: string;
  keyId: string;
  policyVersion: string;
  ruleVersion: string;
  exampleId: string;
  modelId: string;
  judgeName: string;
  moderationId: string;
}

interface Attempt {
  path: string;
  body?: unknown;
  /** The request names a victim's object: it must not succeed. */
  aimed: boolean;
  contentType?: string;
}

const PDQ = 'f'.repeat(64);
const later = '2030-01-01T00:00:00Z';
/**
 * The attacker's own writes name its own account but reuse the victim's idempotency ids: ids are
 * per tenant, so they must neither replay the victim's answers nor collide with them.
 */
const ATTACKER_ACCOUNT = 'attacker-acct';

/** One attempt per registered route ("METHOD url"), built from the victim's ids. */
const CASES: Record<string, (v: Victim) => Attempt> = {
  'GET /v1/policies': () => ({ path: '/v1/policies', aimed: false }),
  'GET /v1/policies/:version': (v) => ({ path: `/v1/policies/${v.policyVersion}`, aimed: true }),
  'GET /v1/policies/:a/diff/:b': (v) => ({ path: `/v1/policies/2024-01-10/diff/${v.policyVersion}`, aimed: true }),
  'POST /v1/policies': () => ({ path: '/v1/policies', body: { version: 'x' }, aimed: false }),
  'POST /v1/keys': () => ({ path: '/v1/keys', body: { role: 'admin', label: 'attacker' }, aimed: false }),
  'GET /v1/keys': () => ({ path: '/v1/keys', aimed: false }),
  'DELETE /v1/keys/:id': (v) => ({ path: `/v1/keys/${v.keyId}`, aimed: true }),
  'GET /v1/audit': () => ({ path: '/v1/audit?limit=500', aimed: false }),
  'POST /v1/moderations': () => ({ path: '/v1/moderations', body: { input: 'hello', user: ATTACKER_ACCOUNT }, aimed: false }),
  'GET /v1/moderation/thresholds': () => ({ path: '/v1/moderation/thresholds', aimed: false }),
  'PUT /v1/moderation/thresholds': () => ({ path: '/v1/moderation/thresholds', body: { thresholds: { violence: 0.5 } }, aimed: false }),
  'GET /v1/rate-limit': () => ({ path: '/v1/rate-limit', aimed: false }),
  'PUT /v1/rate-limit': () => ({ path: '/v1/rate-limit', body: { requests_per_second: 5000 }, aimed: false }),
  'POST /v1/events': (v) => ({ path: '/v1/events', body: { id: v.eventId, account: ATTACKER_ACCOUNT, violations: [{ clause_id: 'store.1' }] }, aimed: false }),
  'POST /v1/events/batch': (v) => ({ path: '/v1/events/batch', body: { events: [{ id: v.eventId, account: ATTACKER_ACCOUNT, violations: [{ clause_id: 'store.1' }] }] }, aimed: false }),
  'GET /v1/accounts/:id/standing': (v) => ({ path: `/v1/accounts/${v.account}/standing`, aimed: true }),
  'POST /v1/accounts/:id/actions/:actionId/reverse': (v) => ({ path: `/v1/accounts/${v.account}/actions/${v.actionId}/reverse`, body: { reason: 'x' }, aimed: true }),
  'POST /v1/accounts/:id/appeals': (v) => ({ path: `/v1/accounts/${v.account}/appeals`, body: { action_id: v.actionId, statement: 'x' }, aimed: true }),
  'GET /v1/appeals/:id': (v) => ({ path: `/v1/appeals/${v.appealId}`, aimed: true }),
  'POST /v1/appeals/:id/decision': (v) => ({ path: `/v1/appeals/${v.appealId}/decision`, body: { outcome: 'overturned', reason: 'x' }, aimed: true }),
  'POST /v1/exemptions': () => ({ path: '/v1/exemptions', body: { account: ATTACKER_ACCOUNT, clause_ids: ['store.1'], reason: 'x', expires_at: later }, aimed: false }),
  'GET /v1/exemptions': (v) => ({ path: `/v1/exemptions?account=${v.account}`, aimed: false }),
  'GET /v1/exemptions/:id': (v) => ({ path: `/v1/exemptions/${v.exemptionId}`, aimed: true }),
  'DELETE /v1/exemptions/:id': (v) => ({ path: `/v1/exemptions/${v.exemptionId}`, aimed: true }),
  'GET /v1/enforcement/policy': () => ({ path: '/v1/enforcement/policy', aimed: false }),
  'GET /v1/enforcement/policies': () => ({ path: '/v1/enforcement/policies', aimed: false }),
  'POST /v1/enforcement/policies': () => ({ path: '/v1/enforcement/policies', body: { version: 'x' }, aimed: false }),
  'GET /v1/child-safety/reports': () => ({ path: '/v1/child-safety/reports', aimed: false }),
  'GET /v1/child-safety/reports/:id': (v) => ({ path: `/v1/child-safety/reports/${v.reportId}`, aimed: true }),
  'POST /v1/child-safety/reports/:id/submission': (v) => ({ path: `/v1/child-safety/reports/${v.reportId}/submission`, body: { external_report_id: 'x' }, aimed: true }),
  'POST /v1/reports': (v) => ({ path: '/v1/reports', body: { idempotency_key: v.eventId, reporter: 'x', target: { account: ATTACKER_ACCOUNT }, clause_id: 'universal.3' }, aimed: false }),
  'GET /v1/review/whoami': () => ({ path: '/v1/review/whoami', aimed: false }),
  'GET /v1/review/queue': () => ({ path: '/v1/review/queue?status=open&limit=200', aimed: false }),
  'GET /v1/review/cases/:id': (v) => ({ path: `/v1/review/cases/${v.caseId}`, aimed: true }),
  'POST /v1/review/cases/:id/claim': (v) => ({ path: `/v1/review/cases/${v.caseId}/claim`, aimed: true }),
  'POST /v1/review/cases/:id/release': (v) => ({ path: `/v1/review/cases/${v.caseId}/release`, aimed: true }),
  'POST /v1/review/cases/:id/decision': (v) => ({ path: `/v1/review/cases/${v.caseId}/decision`, body: { outcome: 'no_violation' }, aimed: true }),
  'POST /v1/review/appeals': (v) => ({ path: '/v1/review/appeals', body: { appeal_id: v.appealId }, aimed: true }),
  'GET /v1/review/metrics': () => ({ path: '/v1/review/metrics', aimed: false }),
  'GET /v1/review/settings': () => ({ path: '/v1/review/settings', aimed: false }),
  'PUT /v1/review/settings': () => ({ path: '/v1/review/settings', body: { lease_minutes: 5 }, aimed: false }),
  'POST /v1/store/submissions': (v) => ({ path: '/v1/store/submissions', body: { app_id: v.submissionId, name: 'x' }, aimed: true }),
  'GET /v1/store/submissions/:id': (v) => ({ path: `/v1/store/submissions/${v.submissionId}`, aimed: true }),
  'GET /v1/store/review-jobs': () => ({ path: '/v1/store/review-jobs', aimed: false }),
  'GET /v1/store/review-jobs/:id': (v) => ({ path: `/v1/store/review-jobs/${v.jobId}`, aimed: true }),
  'POST /v1/subscriptions': () => ({ path: '/v1/subscriptions', body: { email: 'x@example.com', events: ['policy.published'] }, aimed: false }),
  'GET /v1/subscriptions': () => ({ path: '/v1/subscriptions', aimed: false }),
  'GET /v1/subscriptions/:id': (v) => ({ path: `/v1/subscriptions/${v.subscriptionId}`, aimed: true }),
  'DELETE /v1/subscriptions/:id': (v) => ({ path: `/v1/subscriptions/${v.subscriptionId}`, aimed: true }),
  'GET /v1/rules/versions': () => ({ path: '/v1/rules/versions', aimed: false }),
  'GET /v1/rules/versions/:version': (v) => ({ path: `/v1/rules/versions/${v.ruleVersion}`, aimed: true }),
  'POST /v1/rules/versions': () => ({ path: '/v1/rules/versions', body: { version: 'attacker-rules', summary: 'x', rules: [] }, aimed: false }),
  'POST /v1/rules/versions/:version/publish': (v) => ({ path: `/v1/rules/versions/${v.ruleVersion}/publish`, aimed: true }),
  'GET /v1/rules/deployment': () => ({ path: '/v1/rules/deployment', aimed: false }),
  'PUT /v1/rules/shadow': (v) => ({ path: '/v1/rules/shadow', body: { version: v.ruleVersion }, aimed: true }),
  'GET /v1/rules/hits': () => ({ path: `/v1/rules/hits?from=2020-01-01T00:00:00Z&to=${later}`, aimed: false }),
  'POST /v1/rules/backtest': (v) => ({ path: '/v1/rules/backtest', body: { version: v.ruleVersion, from: '2025-12-01T00:00:00Z', to: '2026-02-01T00:00:00Z' }, aimed: true }),
  'GET /v1/trends': () => ({ path: `/v1/trends?granularity=day&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z`, aimed: false }),
  'GET /v1/trends/items': () => ({ path: `/v1/trends/items?from=2026-01-01T00:00:00Z&to=2026-01-20T00:00:00Z`, aimed: false }),
  'GET /v1/trends/spikes': () => ({ path: `/v1/trends/spikes?from=2020-01-01T00:00:00Z&to=${later}`, aimed: false }),
  'GET /v1/deliveries': (v) => ({ path: `/v1/deliveries?subscription=${v.subscriptionId}`, aimed: false }),
  'GET /v1/deliveries/:id': (v) => ({ path: `/v1/deliveries/${v.deliveryId}`, aimed: true }),
  'POST /v1/deliveries/:id/replay': (v) => ({ path: `/v1/deliveries/${v.deliveryId}/replay`, aimed: true }),
  'GET /v1/image-settings': () => ({ path: '/v1/image-settings', aimed: false }),
  'PUT /v1/image-settings': () => ({ path: '/v1/image-settings', body: { fetch_urls: true }, aimed: false }),
  'POST /v1/hash-banks': () => ({ path: '/v1/hash-banks', body: { name: 'x', clause_id: 'universal.1', category: 'illicit' }, aimed: false }),
  'GET /v1/hash-banks': () => ({ path: '/v1/hash-banks', aimed: false }),
  'GET /v1/hash-banks/:id': (v) => ({ path: `/v1/hash-banks/${v.bankId}`, aimed: true }),
  'PATCH /v1/hash-banks/:id': (v) => ({ path: `/v1/hash-banks/${v.bankId}`, body: { enabled: false }, aimed: true }),
  'DELETE /v1/hash-banks/:id': (v) => ({ path: `/v1/hash-banks/${v.bankId}`, aimed: true }),
  'GET /v1/hash-banks/:id/hashes': (v) => ({ path: `/v1/hash-banks/${v.bankId}/hashes`, aimed: true }),
  'POST /v1/hash-banks/:id/hashes': (v) => ({ path: `/v1/hash-banks/${v.bankId}/hashes`, body: { hashes: [{ hash: PDQ }] }, aimed: true }),
  'POST /v1/hash-banks/:id/hashes/remove': (v) => ({ path: `/v1/hash-banks/${v.bankId}/hashes/remove`, body: { hashes: [{ hash: v.hash }] }, aimed: true }),
  'DELETE /v1/hash-banks/:id/hashes/:hash': (v) => ({ path: `/v1/hash-banks/${v.bankId}/hashes/${v.hash}`, aimed: true }),
  'POST /v1/hash-banks/:id/import': (v) => ({ path: `/v1/hash-banks/${v.bankId}/import`, body: `${PDQ},100\n`, contentType: 'text/plain', aimed: true }),
  'GET /v1/hash-banks/:id/export': (v) => ({ path: `/v1/hash-banks/${v.bankId}/export`, aimed: true }),
  'GET /v1/training/examples': () => ({ path: '/v1/training/examples', aimed: false }),
  'POST /v1/training/examples': () => ({ path: '/v1/training/examples', body: { examples: [{ text: 'attacker example', labels: { violence: false } }] }, aimed: false }),
  'PATCH /v1/training/examples/:id': (v) => ({ path: `/v1/training/examples/${v.exampleId}`, body: { labels: { violence: true } }, aimed: true }),
  'DELETE /v1/training/examples/:id': (v) => ({ path: `/v1/training/examples/${v.exampleId}`, aimed: true }),
  'POST /v1/models/train': () => ({ path: '/v1/models/train', aimed: false }),
  'GET /v1/models': () => ({ path: '/v1/models', aimed: false }),
  'GET /v1/models/deployment': () => ({ path: '/v1/models/deployment', aimed: false }),
  'PUT /v1/models/shadow': (v) => ({ path: '/v1/models/shadow', body: { model: v.modelId }, aimed: true }),
  'PUT /v1/models/tolerance': () => ({ path: '/v1/models/tolerance', body: { tolerance: 0.1 }, aimed: false }),
  'POST /v1/models/rollback': () => ({ path: '/v1/models/rollback', aimed: false }),
  'GET /v1/models/threshold-suggestions': () => ({ path: '/v1/models/threshold-suggestions', aimed: false }),
  'GET /v1/models/:id': (v) => ({ path: `/v1/models/${v.modelId}`, aimed: true }),
  'GET /v1/models/:id/comparison': (v) => ({ path: `/v1/models/${v.modelId}/comparison`, aimed: true }),
  'POST /v1/models/:id/promote': (v) => ({ path: `/v1/models/${v.modelId}/promote`, body: { override: true }, aimed: true }),
  'POST /v1/judges': () => ({ path: '/v1/judges', body: { name: 'attacker-judge', base_url: PUBLIC_JUDGE, model: 'm', enabled: false }, aimed: false }),
  'GET /v1/judges': () => ({ path: '/v1/judges', aimed: false }),
  'GET /v1/judges/:name': (v) => ({ path: `/v1/judges/${v.judgeName}`, aimed: true }),
  'PUT /v1/judges/:name': (v) => ({ path: `/v1/judges/${v.judgeName}`, body: { base_url: PUBLIC_JUDGE, model: 'm', enabled: false }, aimed: true }),
  'DELETE /v1/judges/:name': (v) => ({ path: `/v1/judges/${v.judgeName}`, aimed: true }),
  'GET /v1/judges/:name/prompt': (v) => ({ path: `/v1/judges/${v.judgeName}/prompt`, aimed: true }),
  'GET /v1/judges/:name/stats': (v) => ({ path: `/v1/judges/${v.judgeName}/stats?from=2020-01-01T00:00:00Z&to=${later}`, aimed: true }),
  'GET /v1/moderations/:id': (v) => ({ path: `/v1/moderations/${v.moderationId}`, aimed: true }),
};

/** A public unicast address literal: judges there pass the address guard without DNS. */
const PUBLIC_JUDGE = 'https://93.184.216.34/v1';

describeEachBackend('tenant isolation', (backend) => {
  let server: TestServer;
  let victim: Victim;
  /** Strings only the victim's data contains: its ids and a marker in every text it wrote. */
  let secrets: string[];
  const attackerKeys = new Map<Role, string>();
  const marker = `victim-secret-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    server = await startTestServer(backend);
    victim = await seedVictim(server, marker);
    secrets = [marker, ...Object.values(victim).filter((value) => value !== victim.policyVersion)];
    for (const role of ROLES) attackerKeys.set(role, await server.createKey(role, 'attacker'));
  }, 120_000);
  afterAll(async () => server?.close());

  it('has an isolation case for every registered route', () => {
    const missing = server.app
      .registeredRoutes()
      .filter((route) => !route.public && !(`${route.method} ${route.url}` in CASES))
      .map((route) => `${route.method} ${route.url}`);
    expect(missing, 'add a case to CASES in test/tenant-isolation.test.ts').toEqual([]);
  });

  it('leaks nothing of the victim to any role of another tenant, and changes nothing of it', async () => {
    const victimId = (await server.services.tenancy.findTenant('victim'))!.id;
    const auditBefore = await auditCount(server, victimId);
    const routes = server.app.registeredRoutes().filter((route) => !route.public);
    const problems: string[] = [];
    let attempts = 0;
    for (const route of routes) {
      const attempt = CASES[`${route.method} ${route.url}`]!(victim);
      for (const [role, key] of attackerKeys) {
        attempts += 1;
        const text = JSON.stringify(attempt.body ?? '') + attempt.path;
        const init: RequestInit & { key: string } = { method: route.method, key };
        if (attempt.body !== undefined) {
          init.body = typeof attempt.body === 'string' ? attempt.body : JSON.stringify(attempt.body);
          init.headers = { 'content-type': attempt.contentType ?? 'application/json' };
        }
        const res = await server.request(attempt.path, init);
        const answer = await res.text();
        const where = `${route.method} ${route.url} as attacker ${role} -> ${res.status}`;
        if (res.status >= 500) problems.push(`${where}: server error ${answer}`);
        const leaked = secrets.filter((secret) => answer.includes(secret) && !text.includes(secret));
        if (leaked.length > 0) problems.push(`${where}: leaked ${leaked.join(', ')}`);
        if (attempt.aimed && res.status < 300) problems.push(`${where}: succeeded on the victim's object: ${answer.slice(0, 200)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await auditCount(server, victimId)).toBe(auditBefore);
    // What the closing note reports: routes x roles tried.
    console.log(`tenant isolation [${backend}]: ${routes.length} routes x ${attackerKeys.size} roles = ${attempts} attempts, 0 leaks`);
    expect(attempts).toBe(routes.length * ROLES.length);
  }, 120_000);
});

async function auditCount(server: TestServer, tenantId: string): Promise<number> {
  const row = await server.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number | string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Seeds every object kind in tenant "victim", through its own keys (and the delivery worker). */
async function seedVictim(server: TestServer, marker: string): Promise<Victim> {
  const admin = await server.createKey('admin', 'victim');
  const childSafety = await server.createKey('child_safety', 'victim');
  const call = async <T>(path: string, init: { method?: string; json?: unknown; key?: string; body?: string; headers?: Record<string, string> } = {}): Promise<T> => {
    const res = await server.request(path, { key: admin, ...init });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`seeding ${path}: ${res.status} ${text}`);
    return (text.startsWith('{') ? JSON.parse(text) : text) as T;
  };
  const account = `victim-acct-${marker}`;
  const eventId = `victim-event-${marker}`;

  const submission = await call<{ id: string; app_id: string }>('/v1/store/submissions', { method: 'POST', json: { name: `Planner ${marker}`, description: 'Plans trips.' } });
  const subscription = await call<{ id: string }>('/v1/subscriptions', { method: 'POST', json: { email: `${marker}@example.com`, events: ['policy.published'] } });
  const policy = structuredClone(bundledPolicies()[0]!);
  policy.version = `victim-${marker.slice(-6)}`;
  policy.changelog.unshift({ date: '2026-02-01', summary: `Published by ${marker}.` });
  await call('/v1/policies', { method: 'POST', json: policy });
  await server.services.deliveries.runOnce();
  const deliveries = await call<{ data: { id: string }[] }>('/v1/deliveries');
  const jobs = await call<{ data: { id: string }[] }>('/v1/store/review-jobs');

  await call('/v1/events', { method: 'POST', json: { id: eventId, account, violations: [{ clause_id: 'store.1', evidence: [{ note: marker }] }] } });
  const standing = await call<{ actions: { id: string }[] }>(`/v1/accounts/${account}/standing`);
  const actionId = standing.actions[0]!.id;
  const appeal = await call<{ id: string }>(`/v1/accounts/${account}/appeals`, { method: 'POST', json: { action_id: actionId, statement: `Not me, ${marker}` } });
  const exemption = await call<{ id: string }>('/v1/exemptions', { method: 'POST', json: { account, clause_ids: ['store.2'], reason: marker, expires_at: later } });
  await call('/v1/events', { method: 'POST', json: { id: `${eventId}-cs`, account: `${account}-cs`, violations: [{ clause_id: 'universal.1', category: 'sexual/minors', evidence: [{ note: marker }] }] } });
  const reports = await call<{ data: { id: string }[] }>('/v1/child-safety/reports', { key: childSafety });
  const filed = await call<{ case_id: string }>('/v1/reports', {
    method: 'POST',
    json: { idempotency_key: `victim-report-${marker}`, reporter: marker, target: { account, content: { text: `threat ${marker}` } }, clause_id: 'universal.3', text: marker },
  });
  const bank = await call<{ id: string }>('/v1/hash-banks', { method: 'POST', json: { name: `Bank ${marker}`, clause_id: 'universal.1', category: 'sexual/minors', description: marker } });
  const hash = `${'0123456789abcdef'.repeat(4)}`;
  await call(`/v1/hash-banks/${bank.id}/hashes`, { method: 'POST', json: { hashes: [{ hash, note: marker }] } });
  const key = await call<{ id: string }>('/v1/keys', { method: 'POST', json: { role: 'reviewer', label: marker } });
  await call('/v1/moderation/thresholds', { method: 'PUT', json: { thresholds: { violence: 0.61 } } });
  await call('/v1/rate-limit', { method: 'PUT', json: { requests_per_second: 4321 } });
  const ruleVersion = `victim-rules-${marker.slice(-6)}`;
  await call('/v1/rules/versions', { method: 'POST', json: { version: ruleVersion, summary: marker, rules: [{ id: 'r', when: { text: { pattern: marker } }, then: [{ label: 'x' }] }] } });
  await call(`/v1/rules/versions/${ruleVersion}/publish`, { method: 'POST' });
  const learnt = Array.from({ length: 12 }, (_, i) => ({ text: `${marker} game chatter ${i}: kill the boss`, labels: { violence: i % 3 === 0 } }));
  await call('/v1/training/examples', { method: 'POST', json: { examples: learnt } });
  const examples = await call<{ data: { id: string }[] }>('/v1/training/examples');
  const model = await call<{ id: string }>('/v1/models/train', { method: 'POST' });
  await server.services.tenantModels.drain();
  const judgeName = `j-${marker}`;
  const judge = await call<{ id: string }>('/v1/judges', { method: 'POST', json: { name: judgeName, base_url: PUBLIC_JUDGE, model: `model-${marker}`, enabled: false, api_key_env: 'WARDEN_JUDGE_KEY_VICTIM' } });
  // A judged moderation, as the cascade records one (the judge itself is never called here).
  const moderationId = `modr-victim-${marker}`;
  const tenantId = (await server.services.tenancy.findTenant('victim'))!.id;
  await server.store.db
    .insertInto('judge_verdicts')
    .values({ id: `jvd-${marker}`, tenant_id: tenantId, moderation_id: moderationId, item_index: 0, judge_id: judge.id, judge_name: judgeName, mode: 'always', status: 'applied', cached: 0, content_digest: 'd', policy_version: '2024-01-10', template_version: 't', categories: '[]', local_clause_ids: '[]', judge_clause_ids: '[]', agreed: 1, unsure: 0, decided_by: 'judge', answer: JSON.stringify({ rationale: marker }), error_kind: null, error: null, latency_ms: 1, result: JSON.stringify({ marker }), created_at: '2026-01-01T00:00:00.000Z', judged_at: null })
    .execute();

  const victim: Victim = {
    account,
    eventId,
    actionId,
    appealId: appeal.id,
    exemptionId: exemption.id,
    reportId: reports.data[0]!.id,
    caseId: filed.case_id,
    submissionId: submission.app_id,
    jobId: jobs.data[0]!.id,
    subscriptionId: subscription.id,
    deliveryId: deliveries.data[0]!.id,
    bankId: bank.id,
    hash,
    keyId: key.id,
    policyVersion: policy.version,
    ruleVersion,
    exampleId: examples.data[0]!.id,
    modelId: model.id,
    judgeName,
    moderationId,
  };
  for (const [name, value] of Object.entries(victim)) if (!value) throw new Error(`seeding left ${name} empty`);
  return victim;
}
