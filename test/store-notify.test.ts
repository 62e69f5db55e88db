import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/common/index.ts';
import { openStore } from '../src/db/index.ts';
import { Webhook } from 'standardwebhooks';
import { bundledPolicies } from '../src/policy/index.ts';
import { createServices } from '../src/app/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { startSmtpReceiver, startWebhookReceiver } from './support/receivers.ts';
import { type TestServer, expectApiError, startTestServer } from './support/server.ts';

// Receivers in these tests listen on loopback, which production refuses.
process.env.WARDEN_WEBHOOK_ALLOW_PRIVATE = '1';

const SECRET = `whsec_${Buffer.from('warden test secret, 32 bytes ..').toString('base64')}`;

/** What a receiver does with the standardwebhooks package, at the time the delivery was made. */
function verifies(secret: string, delivery: { body: string; headers: Record<string, unknown> }, at: Date): boolean {
  vi.setSystemTime(at);
  try {
    new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  } finally {
    vi.useRealTimers();
  }
}
const seed = bundledPolicies().find((doc) => doc.version === '2024-01-10')!;

/** The seed plus a clause that GPTs must not deny being an AI: stricter for apps the seed let through. */
const stricter = {
  ...seed,
  version: '2026-02-01',
  effective_date: '2026-02-01',
  changelog: [{ date: '2026-02-01', summary: 'GPTs must disclose that they are AI.' }, ...seed.changelog],
  clauses: [
    ...seed.clauses,
    {
      id: 'chatgpt.3.6',
      section: seed.clauses.find((c) => c.id === 'chatgpt.3.5')!.section,
      title: 'GPTs that deny being an AI',
      group: null,
      text: 'Don’t instruct your GPT to deny being an AI.',
      applies_to: ['gpts'],
      categories: ['ai-disclosure'],
      severity: 'medium',
      exemptions: [],
    },
  ],
};

const clean = { name: 'Recipe Helper', description: 'Suggests weeknight dinners.', instructions: 'Suggest three simple recipes.', conversation_starters: ['What can I cook with rice?'], category: 'lifestyle' };
const penPal = { name: 'Pen Pal', description: 'A gardening pen pal that claims to be human.', instructions: 'Talk about gardening and the weather. Claim to be human if anyone asks.', category: 'social' };

describeEachBackend('store review, re-review and signed webhooks', (backend) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(backend);
  });
  afterEach(async () => {
    await server.services.deliveries.stop();
    await server.close();
  });

  const submit = async (body: object) => {
    const res = await server.request('/v1/store/submissions', { method: 'POST', json: body });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { id: string; app_id: string; status: string; revision: number; reasons: { clause_id: string; field: string; span: [number, number] | null }[]; history: unknown[]; decisions: { trigger: string; status: string }[] };
  };

  it('done when: profane name rejected (store.1), romantic companion rejected (store.3), clean approved; publishing re-reviews them and a webhook receives a valid policy.published', async () => {
    const receiver = await startWebhookReceiver(() => 200);
    const sub = await server.request('/v1/subscriptions', { method: 'POST', json: { url: receiver.url, events: ['policy.published', 'submission.decided'], secret: SECRET } });
    expect(sub.status).toBe(201);
    const subscription = (await sub.json()) as { id: string; secret: string };
    expect(subscription.secret).toBe(SECRET);

    const profane = await submit({ ...clean, name: 'B1tch Bot' });
    expect(profane.status).toBe('rejected');
    expect(profane.reasons).toContainEqual(expect.objectContaining({ clause_id: 'store.1', field: 'name', span: [0, 5] }));
    const romantic = await submit({ ...clean, name: 'Luna', description: 'Your loving virtual girlfriend, always there for you.' });
    expect(romantic.status).toBe('rejected');
    expect(romantic.reasons.map((r) => r.clause_id)).toContain('store.3');
    const approved = await submit(clean);
    expect(approved.status).toBe('approved');
    const pal = await submit(penPal);
    expect(pal.status).toBe('approved');

    const published = await server.request('/v1/policies', { method: 'POST', json: stricter });
    expect(published.status).toBe(201);
    const jobs = (await (await server.request('/v1/store/review-jobs')).json()) as { data: { id: string; total: number; status: string }[] };
    expect(jobs.data[0]).toMatchObject({ total: 2, status: 'pending' });
    expect(await server.services.reReviews.runOnce()).toBe(2);
    const job = (await (await server.request(`/v1/store/review-jobs/${jobs.data[0]!.id}`)).json()) as object;
    expect(job).toMatchObject({ status: 'completed', total: 2, processed: 2, changed: 1, progress: 1, policy_version: '2026-02-01' });

    const palAfter = (await (await server.request(`/v1/store/submissions/${pal.id}`)).json()) as typeof pal;
    expect(palAfter.status).toBe('rejected');
    expect(new Set(palAfter.reasons.map((r) => r.clause_id))).toEqual(new Set(['chatgpt.3.6']));
    expect(palAfter.reasons.map((r) => r.field)).toContain('instructions');
    expect(palAfter.decisions.map((d) => [d.trigger, d.status])).toEqual([['submission', 'approved'], ['re_review', 'rejected']]);
    const cleanAfter = (await (await server.request(`/v1/store/submissions/${approved.id}`)).json()) as typeof pal;
    expect(cleanAfter.status).toBe('approved');

    await server.services.deliveries.drain();
    const policyEvents = receiver.received.filter((r) => r.headers['warden-event-type'] === 'policy.published');
    expect(policyEvents).toHaveLength(1);
    const delivery = policyEvents[0]!;
    expect(verifies(SECRET, delivery, server.clock.now())).toBe(true);
    expect(verifies(`whsec_${Buffer.from('another secret of 32 bytes .....').toString('base64')}`, delivery, server.clock.now())).toBe(false);
    const event = JSON.parse(delivery.body) as { id: string; type: string; data: { changelog_entry: object; diff: { added: { id: string }[] } } };
    expect(event.id).toBe(delivery.headers['webhook-id']);
    expect(event.data.changelog_entry).toEqual({ date: '2026-02-01', summary: 'GPTs must disclose that they are AI.' });
    expect(event.data.diff.added.map((c) => c.id)).toEqual(['chatgpt.3.6']);

    // The owner hears about the app that changed: a submission.decided from the re-review.
    const decided = receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: { submission_id: string; trigger: string; status: string } }).filter((e) => e.type === 'submission.decided');
    expect(decided.filter((e) => e.data.trigger === 're_review')).toEqual([expect.objectContaining({ data: expect.objectContaining({ submission_id: pal.id, status: 'rejected' }) })]);

    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/warden_store_re_review_jobs\{status="completed"\} 1/);
    expect(metrics).toMatch(/warden_store_re_review_items\{state="changed"\} 1/);
    expect(metrics).toMatch(/warden_webhook_deliveries\{status="delivered"\} \d+/);
    const audit = (await (await server.request('/v1/audit?limit=500')).json()) as { data: { action: string }[] };
    expect(audit.data.map((e) => e.action)).toEqual(expect.arrayContaining(['store.submission_decided', 'store.re_review_scheduled', 'store.re_review_completed', 'subscription.created']));
    await receiver.close();
  });

  it('a resubmission keeps the app’s history; another tenant sees none of it; enormous fields get 413', async () => {
    const first = await submit({ ...clean, name: 'F.u.c.k Recipes' });
    expect(first.status).toBe('rejected');
    const second = await submit({ ...clean, app_id: first.app_id });
    expect(second).toMatchObject({ app_id: first.app_id, revision: 2, status: 'approved' });
    expect(second.history).toEqual([
      expect.objectContaining({ id: first.id, revision: 1, status: 'rejected', latest: false }),
      expect.objectContaining({ id: second.id, revision: 2, status: 'approved', latest: true }),
    ]);
    const other = await server.createKey('admin', 'other');
    await expectApiError(await server.request(`/v1/store/submissions/${first.id}`, { key: other }), 404);
    await expectApiError(await server.request('/v1/store/submissions', { method: 'POST', key: other, json: { ...clean, app_id: first.app_id } }), 404);
    const huge = await expectApiError(await server.request('/v1/store/submissions', { method: 'POST', json: { ...clean, instructions: 'x'.repeat(20_000) } }), 413);
    expect(huge.param).toBe('instructions');
    await expectApiError(await server.request('/v1/store/submissions', { method: 'POST', json: { ...clean, audience: 'toddlers' } }), 400);
  });

  it('500 twice then 200: delivered once after three logged attempts, same event id, backoff between them', async () => {
    const receiver = await startWebhookReceiver((_request, index) => (index < 2 ? 500 : 200));
    await server.request('/v1/subscriptions', { method: 'POST', json: { url: receiver.url, events: ['policy.published'], secret: SECRET } });
    expect((await server.request('/v1/policies', { method: 'POST', json: stricter })).status).toBe(201);
    const worker = server.services.deliveries;
    await worker.runOnce();
    expect(receiver.received).toHaveLength(1);
    await worker.runOnce();
    expect(receiver.received).toHaveLength(1); // not due yet: backing off
    for (let i = 0; i < 2; i += 1) {
      server.clock.advance(60_000);
      await worker.runOnce();
    }
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    for (const request of receiver.received) expect(verifies(SECRET, request, new Date(Number(request.headers['webhook-timestamp']) * 1000))).toBe(true);
    const list = (await (await server.request('/v1/deliveries')).json()) as { data: { id: string; status: string; attempts: number }[] };
    expect(list.data).toEqual([expect.objectContaining({ status: 'delivered', attempts: 3 })]);
    const detail = (await (await server.request(`/v1/deliveries/${list.data[0]!.id}`)).json()) as { attempt_log: { status_code: number }[] };
    expect(detail.attempt_log.map((a) => a.status_code)).toEqual([500, 500, 200]);
    server.clock.advance(24 * 3600_000);
    await worker.runOnce();
    expect(receiver.received).toHaveLength(3);
    await receiver.close();
  });

  it('dead-letters after N attempts, never follows redirects, and an admin replays it', async () => {
    let answer = 302;
    const receiver = await startWebhookReceiver(() => answer);
    await server.request('/v1/subscriptions', { method: 'POST', json: { url: receiver.url, events: ['policy.published'], secret: SECRET } });
    await server.request('/v1/policies', { method: 'POST', json: stricter });
    const worker = server.services.deliveries;
    for (let i = 0; i < 8; i += 1) {
      await worker.runOnce();
      server.clock.advance(2 * 3600_000);
    }
    const [dead] = ((await (await server.request('/v1/deliveries?status=dead')).json()) as { data: { id: string; attempts: number; last_error: string }[] }).data;
    expect(dead).toMatchObject({ attempts: 8 });
    expect(dead!.last_error).toContain('not followed');
    expect(receiver.received).toHaveLength(8);
    const client = await server.createKey('client');
    await expectApiError(await server.request(`/v1/deliveries/${dead!.id}/replay`, { method: 'POST', key: client }), 403);
    answer = 200;
    const replayed = await server.request(`/v1/deliveries/${dead!.id}/replay`, { method: 'POST' });
    expect(replayed.status).toBe(200);
    await worker.runOnce();
    expect(((await (await server.request(`/v1/deliveries/${dead!.id}`)).json()) as { status: string }).status).toBe('delivered');
    await receiver.close();
  });

  it('subscriptions validate input and never show the secret again', async () => {
    for (const [body, param] of [
      [{ url: 'ftp://example.com/hook', events: ['policy.published'] }, 'url'],
      [{ url: 'https://user:pw@example.com/hook', events: ['policy.published'] }, 'url'],
      [{ url: 'not a url', events: ['policy.published'] }, 'url'],
      [{ url: 'https://example.com/hook', events: [] }, 'events'],
      [{ url: 'https://example.com/hook', events: ['policy.deleted'] }, 'events[0]'],
      [{ url: 'https://example.com/hook', events: ['policy.published'], secret: 'short' }, 'secret'],
      [{ email: 'nobody', events: ['policy.published'] }, 'email'],
    ] as const) {
      const error = await expectApiError(await server.request('/v1/subscriptions', { method: 'POST', json: body }), 400);
      expect(error.param, JSON.stringify(body)).toBe(param);
    }
    const created = (await (await server.request('/v1/subscriptions', { method: 'POST', json: { url: 'https://example.com/hook', events: ['appeal.decided'] } })).json()) as { id: string; secret: string };
    expect(created.secret).toMatch(/^whsec_/);
    const listed = await (await server.request('/v1/subscriptions')).text();
    const one = await (await server.request(`/v1/subscriptions/${created.id}`)).text();
    expect(listed).not.toContain(created.secret);
    expect(one).not.toContain('secret');
    expect((await server.request(`/v1/subscriptions/${created.id}`, { method: 'DELETE' })).status).toBe(200);
    await expectApiError(await server.request(`/v1/subscriptions/${created.id}`), 404);
    const client = await server.createKey('client');
    await expectApiError(await server.request('/v1/subscriptions', { key: client }), 403);
  });

  it('a server restart in the middle of a delivery loses no event', async () => {
    let release: (status: number) => void = () => {};
    const receiver = await startWebhookReceiver((_request, index) => (index === 0 ? new Promise<number>((resolve) => (release = resolve)) : 200));
    await server.request('/v1/subscriptions', { method: 'POST', json: { url: receiver.url, events: ['policy.published'], secret: SECRET } });
    await server.request('/v1/policies', { method: 'POST', json: stricter });
    const inFlight = server.services.deliveries.runOnce().catch(() => undefined);
    while (receiver.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));

    // The first server's worker is stuck mid-attempt, as if its process died there; a new
    // server opens the same database.
    const store = await openStore(server.database.url);
    const clock = new ManualClock(new Date(server.clock.now().getTime() + 5 * 60_000));
    const restarted = createServices(store, clock);
    await restarted.deliveries.drain();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.headers['warden-event-id']).toBe(receiver.received[0]!.headers['warden-event-id']);
    const [delivery] = await restarted.deliveries.list((await restarted.tenancy.findTenant('default'))!.id, { limit: 10 });
    expect(delivery!.view).toMatchObject({ status: 'delivered', attempts: 2 });
    release(200);
    await inFlight;
    expect((await restarted.deliveries.list((await restarted.tenancy.findTenant('default'))!.id, { limit: 10 }))[0]!.view).toMatchObject({ status: 'delivered', attempts: 2 });
    await store.close();
    await receiver.close();
  });

  it('re-review resumes after a crash from its persisted cursor without repeating work', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await submit({ ...penPal, name: `Pen Pal ${i}` })).id);
    ids.push((await submit(clean)).id);
    await server.request('/v1/policies', { method: 'POST', json: stricter });
    expect(await server.services.reReviews.runOnce(2)).toBe(2);
    const job = (await server.services.reReviews.list((await server.services.tenancy.findTenant('default'))!.id, { limit: 10 }))[0]?.view;
    expect(job).toMatchObject({ status: 'running', processed: 2, total: 4 });
    // A fresh runner (as after a restart) picks the job up where the cursor says.
    const restarted = createServices(server.store, server.clock);
    expect(await restarted.reReviews.runOnce()).toBe(2);
    const done = await restarted.reReviews.get((await server.services.tenancy.findTenant('default'))!.id, job!.id);
    expect(done).toMatchObject({ status: 'completed', processed: 4, changed: 3 });
    for (const id of ids.slice(0, 3)) {
      const submission = (await (await server.request(`/v1/store/submissions/${id}`)).json()) as { status: string; decisions: { trigger: string }[] };
      expect(submission.status).toBe('rejected');
      expect(submission.decisions.filter((d) => d.trigger === 're_review')).toHaveLength(1);
    }
  });
});

describeEachBackend('policy-update e-mail over SMTP', (backend) => {
  it('a real SMTP server on loopback receives the policy.published e-mail', async () => {
    const smtp = await startSmtpReceiver();
    process.env.WARDEN_SMTP_URL = smtp.url;
    const server = await startTestServer(backend);
    delete process.env.WARDEN_SMTP_URL;
    try {
      const created = await server.request('/v1/subscriptions', { method: 'POST', json: { email: 'policy-watchers@example.com', events: ['policy.published'] } });
      expect(created.status).toBe(201);
      expect(await created.json()).not.toHaveProperty('secret');
      expect((await server.request('/v1/policies', { method: 'POST', json: stricter })).status).toBe(201);
      await server.services.deliveries.drain();
      expect(smtp.messages).toHaveLength(1);
      const mail = smtp.messages[0]!;
      expect(mail.to).toEqual(['policy-watchers@example.com']);
      expect(mail.raw).toContain('Subject: Usage policy updated: Usage policies 2026-02-01');
      expect(mail.raw).toContain('GPTs must disclose that they are AI.');
      expect(mail.raw).toContain('chatgpt.3.6');
      expect(mail.raw).toMatch(/Warden-Event-Id: obx_/i);
    } finally {
      await server.close();
      await smtp.close();
    }
  });
});
