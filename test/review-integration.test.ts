import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EVIDENCE_BYTES } from '../src/review/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { type TestServer, expectApiError, startTestServer } from './support/server.ts';

interface Standing {
  in_force: string;
  actions: { id: string; rung: string; status: string; reversal_reason: string | null }[];
  events: { id: string }[];
  appeals: { id: string }[];
}
interface Report {
  id: string;
  reviewer: string | null;
  evidence: unknown;
  retention_hold: boolean;
  confirmation: { state: string; by: string | null } | null;
}
interface CaseDetail {
  id: string;
  kind: string;
  status: string;
  lease: { holder: string } | null;
  target: { app: string | null; content: { text?: string | null; digest: string | null } | null };
  clause_ids: string[];
  reports: { source: string; text: string | null; evidence: { value: string; note: string }[] }[];
  decisions: { stage: string; outcome: string; enforcement_event_id: string | null }[];
}

describeEachBackend('review across domains', (backend) => {
  let server: TestServer;
  let client: string;
  let alice: string;
  let bob: string;
  let safetyOne: string;
  let safetyTwo: string;
  let safetySenior: string;
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer(backend);
    [client, alice, bob, safetyOne, safetyTwo, safetySenior] = await Promise.all([
      server.createKey('client'),
      server.createKey('reviewer'),
      server.createKey('reviewer'),
      server.createKey('child_safety' as 'reviewer'),
      server.createKey('child_safety' as 'reviewer'),
      server.createKey('child_safety' as 'reviewer'),
    ]);
  });
  afterAll(async () => server?.close());

  async function fileReport(account: string, extra: Record<string, unknown> = {}): Promise<string> {
    seq += 1;
    const res = await server.request('/v1/reports', {
      method: 'POST',
      key: client,
      json: { idempotency_key: `integration-${seq}`, reporter: 'user-1', target: { account, content: { text: `reported post ${seq}` } }, clause_id: 'universal.3', ...extra },
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { case_id: string }).case_id;
  }

  const claim = async (id: string, key: string) => expect((await server.request(`/v1/review/cases/${id}/claim`, { method: 'POST', key })).status).toBe(200);
  const decide = (id: string, key: string, json: unknown) => server.request(`/v1/review/cases/${id}/decision`, { method: 'POST', key, json });
  const detail = async (id: string, key = alice) => (await (await server.request(`/v1/review/cases/${id}`, { key })).json()) as CaseDetail;
  const standing = async (account: string) => (await (await server.request(`/v1/accounts/${account}/standing`)).json()) as Standing;
  const reportsOf = async (account: string) =>
    ((await (await server.request('/v1/child-safety/reports?limit=100', { key: safetyOne })).json()) as { data: (Report & { account: { id: string } })[] }).data.filter(
      (r) => r.account.id === account,
    );

  /** A trigger that makes every write of `event` on `table` fail until `lift` is called. */
  async function injectFailure(table: string, event: 'insert' | 'update'): Promise<{ lift(): Promise<void> }> {
    const name = `fail_${table}_${event}`;
    if (server.store.dialect === 'sqlite') {
      await sql.raw(`create trigger ${name} before ${event} on ${table} begin select raise(abort, 'injected failure'); end`).execute(server.store.db);
      return { lift: async () => void (await sql.raw(`drop trigger ${name}`).execute(server.store.db)) };
    }
    await sql.raw(`create or replace function ${name}() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`).execute(server.store.db);
    await sql.raw(`create trigger ${name} before ${event} on ${table} for each row execute function ${name}()`).execute(server.store.db);
    return { lift: async () => void (await sql.raw(`drop trigger ${name} on ${table}`).execute(server.store.db)) };
  }

  describe('child-safety findings', () => {
    const finding = { outcome: 'violation', clause_ids: ['universal.1'], category: 'sexual/minors' };

    it('suspend at once and open a report awaiting confirmation; the second reviewer confirms it', async () => {
      const caseId = await fileReport('cs-confirmed', { clause_id: 'universal.1', category: 'sexual/minors' });
      await claim(caseId, safetyOne);
      const first = await decide(caseId, safetyOne, finding);
      expect(first.status).toBe(201);
      expect(await first.json()).toMatchObject({ case_status: 'awaiting_confirmation', enforcement: { event_id: `review:${caseId}` } });
      expect((await standing('cs-confirmed')).in_force).toBe('suspended');
      const [pending] = await reportsOf('cs-confirmed');
      expect(pending).toMatchObject({ reviewer: expect.stringMatching(/^key:/), retention_hold: true, confirmation: { state: 'pending', by: null } });

      await claim(caseId, safetyTwo);
      const second = (await (await decide(caseId, safetyTwo, { outcome: 'violation' })).json()) as { case_status: string; agreed: boolean; enforcement: { event_id: string } };
      expect(second).toMatchObject({ case_status: 'closed', agreed: true, enforcement: { event_id: `review:${caseId}` } });
      const [confirmed] = await reportsOf('cs-confirmed');
      expect(confirmed!.id).toBe(pending!.id);
      expect(confirmed!.confirmation).toMatchObject({ state: 'confirmed' });
      expect(confirmed!.confirmation!.by).not.toBe(pending!.reviewer);
      const after = await standing('cs-confirmed');
      expect(after.in_force).toBe('suspended');
      expect(after.events.map((e) => e.id)).toEqual([`review:${caseId}`]);
    });

    it('are reversed when the second reviewer disagrees, keeping the report as unconfirmed, and escalate', async () => {
      const caseId = await fileReport('cs-disputed', { clause_id: 'universal.1', category: 'sexual/minors' });
      await claim(caseId, safetyOne);
      expect((await decide(caseId, safetyOne, finding)).status).toBe(201);
      expect((await standing('cs-disputed')).in_force).toBe('suspended');

      await claim(caseId, safetyTwo);
      const second = (await (await decide(caseId, safetyTwo, { outcome: 'no_violation' })).json()) as { case_status: string; agreed: boolean; enforcement: { result: { reversed_actions: string[] } } };
      expect(second).toMatchObject({ case_status: 'escalated', agreed: false });
      expect(second.enforcement.result.reversed_actions).toHaveLength(1);
      const after = await standing('cs-disputed');
      expect(after.in_force).toBe('none');
      expect(after.actions[0]).toMatchObject({ rung: 'suspended', status: 'reversed', reversal_reason: 'not confirmed by second review' });
      const reports = await reportsOf('cs-disputed');
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({ retention_hold: true, confirmation: { state: 'unconfirmed' } });
      expect(reports[0]!.evidence).not.toEqual([]);
      await expectApiError(await server.request(`/v1/review/cases/${caseId}`), 404);

      // A senior who finds the violation after all records a new event; the first keeps its record.
      await claim(caseId, safetySenior);
      const senior = (await (await decide(caseId, safetySenior, finding)).json()) as { case_status: string; enforcement: { event_id: string } };
      expect(senior).toMatchObject({ case_status: 'closed', enforcement: { event_id: `review:${caseId}:escalation` } });
      expect((await standing('cs-disputed')).in_force).toBe('suspended');
      expect(await reportsOf('cs-disputed')).toHaveLength(2);
    });
  });

  describe('decisions and enforcement commit together', () => {
    it('leaves no decision without its event when enforcement fails, and the retry records both', async () => {
      const caseId = await fileReport('atomic-acct');
      await claim(caseId, alice);
      const failure = await injectFailure('enforcement_events', 'insert');
      const failed = await decide(caseId, alice, { outcome: 'violation', clause_ids: ['universal.3'] });
      expect(failed.status).toBe(500);
      await failure.lift();
      const kept = await detail(caseId);
      expect(kept).toMatchObject({ status: 'open', lease: { holder: expect.any(String) } });
      expect(kept.decisions).toEqual([]);
      await expectApiError(await server.request('/v1/accounts/atomic-acct/standing'), 404);

      const retried = await decide(caseId, alice, { outcome: 'violation', clause_ids: ['universal.3'] });
      expect(retried.status).toBe(201);
      expect((await detail(caseId)).decisions).toMatchObject([{ outcome: 'violation', enforcement_event_id: `review:${caseId}` }]);
      expect((await standing('atomic-acct')).events.map((e) => e.id)).toEqual([`review:${caseId}`]);
    });

    it('leaves an appeal case undecided when deciding the enforcement appeal fails', async () => {
      const caseId = await fileReport('atomic-appeal');
      await claim(caseId, alice);
      await decide(caseId, alice, { outcome: 'violation', clause_ids: ['universal.3'] });
      const actionId = (await standing('atomic-appeal')).actions[0]!.id;
      const appeal = (await (await server.request('/v1/accounts/atomic-appeal/appeals', { method: 'POST', key: client, json: { action_id: actionId, statement: 'Not me.' } })).json()) as { id: string };
      const routed = (await (await server.request('/v1/review/appeals', { method: 'POST', key: client, json: { appeal_id: appeal.id } })).json()) as { case_id: string };
      await claim(routed.case_id, bob);

      const failure = await injectFailure('appeals', 'update');
      expect((await decide(routed.case_id, bob, { outcome: 'overturn', notes: 'Mistaken identity.' })).status).toBe(500);
      await failure.lift();
      expect(await detail(routed.case_id, bob)).toMatchObject({ status: 'open', decisions: [] });
      expect((await standing('atomic-appeal')).actions[0]!.status).not.toBe('reversed');

      const decided = (await (await decide(routed.case_id, bob, { outcome: 'overturn', notes: 'Mistaken identity.' })).json()) as { appeal: { state: string } };
      expect(decided.appeal.state).toBe('overturned');
      expect((await standing('atomic-appeal')).actions[0]!.status).toBe('reversed');
    });
    it('opens no appeal when its review case cannot be queued, since both are written in one transaction', async () => {
      const caseId = await fileReport('atomic-appeal-queue');
      await claim(caseId, alice);
      await decide(caseId, alice, { outcome: 'violation', clause_ids: ['universal.3'] });
      const actionId = (await standing('atomic-appeal-queue')).actions[0]!.id;
      const fileAppeal = () => server.request('/v1/accounts/atomic-appeal-queue/appeals', { method: 'POST', key: client, json: { action_id: actionId, statement: 'Not me.' } });

      const failure = await injectFailure('review_cases', 'insert');
      expect((await fileAppeal()).status).toBe(500);
      await failure.lift();
      expect((await standing('atomic-appeal-queue')).appeals).toEqual([]);

      const appeal = (await (await fileAppeal()).json()) as { id: string };
      const routed = await server.request('/v1/review/appeals', { method: 'POST', key: client, json: { appeal_id: appeal.id } });
      const queued = (await routed.json()) as { case_id: string; created: boolean };
      expect(queued.created).toBe(false);
      await expectApiError(await server.request(`/v1/review/cases/${queued.case_id}/claim`, { method: 'POST', key: alice }), 403);
    });
  });

  describe('store submissions that need review', () => {
    const listing = {
      name: 'Lyrics Finder',
      description: 'Gives you the full lyrics of any song.',
      instructions: 'Ask for a song title and answer with its lyrics.',
      conversation_starters: ['Lyrics of a famous ballad?'],
      audience: 'everyone',
      category: 'music',
      surface: 'gpts',
    };
    type Submission = { id: string; app_id: string; status: string; reasons: { clause_id: string }[]; decisions: { trigger: string; status: string }[] };

    async function submitForReview(): Promise<{ submission: Submission; caseId: string }> {
      const res = await server.request('/v1/store/submissions', { method: 'POST', json: listing });
      expect(res.status).toBe(201);
      const submission = (await res.json()) as Submission;
      expect(submission.status).toBe('needs_review');
      const queue = (await (await server.request('/v1/review/queue?kind=store', { key: alice })).json()) as { data: { id: string; target: { app: string } }[] };
      const open = queue.data.find((c) => c.target.app === submission.app_id);
      expect(open).toBeDefined();
      return { submission, caseId: open!.id };
    }

    const submissionOf = async (id: string) => (await (await server.request(`/v1/store/submissions/${id}`)).json()) as Submission;
    const decidedEvents = async (submissionId: string) =>
      (await server.store.db.selectFrom('outbox').select(['type', 'payload']).where('type', '=', 'submission.decided').execute())
        .map((row) => JSON.parse(row.payload) as { submission_id: string; status: string; trigger: string })
        .filter((p) => p.submission_id === submissionId);

    it('open a review case on the app with the rules’ clauses, reasons and texts; a violation rejects the submission', async () => {
      const { submission, caseId } = await submitForReview();
      const opened = await detail(caseId);
      expect(opened).toMatchObject({ kind: 'store', target: { app: submission.app_id } });
      expect(opened.clause_ids).toEqual([...new Set(submission.reasons.map((r) => r.clause_id))]);
      expect(opened.reports[0]!.source).toBe('store');
      expect(opened.reports[0]!.text).toContain('chatgpt.3.4');
      expect(opened.reports[0]!.evidence).toContainEqual({ type: 'text', value: listing.description, note: 'description' });

      await claim(caseId, alice);
      expect((await decide(caseId, alice, { outcome: 'violation', clause_ids: ['chatgpt.3.4'], notes: 'Reproduces lyrics without a licence.' })).status).toBe(201);
      const after = await submissionOf(submission.id);
      expect(after.status).toBe('rejected');
      expect(after.reasons.map((r) => r.clause_id)).toEqual(['chatgpt.3.4']);
      expect(after.decisions.map((d) => [d.trigger, d.status])).toEqual([
        ['submission', 'needs_review'],
        ['review', 'rejected'],
      ]);
      expect((await decidedEvents(submission.id)).map((e) => [e.trigger, e.status])).toEqual([
        ['submission', 'needs_review'],
        ['review', 'rejected'],
      ]);
    });

    it('approve the submission when the reviewer finds no violation', async () => {
      const { submission, caseId } = await submitForReview();
      await claim(caseId, bob);
      expect((await decide(caseId, bob, { outcome: 'no_violation' })).status).toBe(201);
      const after = await submissionOf(submission.id);
      expect(after).toMatchObject({ status: 'approved', reasons: [] });
      expect(after.decisions.at(-1)).toMatchObject({ trigger: 'review', status: 'approved' });
    });
  });

  describe('automatic cases', () => {
    const moderate = async (input: string, user: string) => {
      const res = await server.request('/v1/moderations', { method: 'POST', key: client, json: { input, user } });
      expect(res.status).toBe(200);
    };
    const automaticCaseOf = async (account: string) => {
      const queue = (await (await server.request('/v1/review/queue?kind=automatic&limit=200', { key: alice })).json()) as { data: { id: string; target: { account: string } }[] };
      return queue.data.find((c) => c.target.account === account);
    };

    it('carry the moderated text for the reviewer, only for inputs that open a case', async () => {
      const text = 'my card is 4111 1111 1111 1111, charge it';
      await moderate(text, 'auto-text');
      const opened = await automaticCaseOf('auto-text');
      expect((await detail(opened!.id)).target.content).toMatchObject({ text });

      await moderate('What a lovely afternoon for a walk in the park.', 'auto-benign');
      expect(await automaticCaseOf('auto-benign')).toBeUndefined();
    });

    it('hold the carried text to the evidence limit', async () => {
      const text = `my card is 4111 1111 1111 1111. ${'é'.repeat(40_000)}`;
      await moderate(text, 'auto-long');
      const carried = (await detail((await automaticCaseOf('auto-long'))!.id)).target.content!.text!;
      expect(Buffer.byteLength(carried)).toBeLessThanOrEqual(MAX_EVIDENCE_BYTES);
      expect(carried.startsWith('my card is 4111 1111 1111 1111.')).toBe(true);
      expect(carried).toMatch(/\[truncated: \d+ bytes, the first 64 KiB shown\]$/);
    });
  });
});
