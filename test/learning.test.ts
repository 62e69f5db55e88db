import { afterAll, beforeAll, expect, it } from 'vitest';
import { seededRandom } from '../src/detect/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { type TestServer, expectApiError, startTestServer } from './support/server.ts';

/**
 * Learning from the tenant's own decisions (issue 17), end to end over HTTP: a video-game tenant's
 * reviewers mark game chatter ("kill", "headshot", "camp") no_violation and real threats violation
 * through the review queue; a tenant model is trained from those decisions, runs in shadow without
 * changing a served verdict, is compared on the held-out slice, promoted, and rolled back — while
 * another tenant keeps the base model's verdicts.
 */

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const GAME_VERBS = ['kill', 'headshot', 'snipe', 'destroy', 'wreck', 'knife', 'nuke', 'one-shot', 'murder', 'blow up', 'shoot', 'slaughter'];
const GAME_TARGETS = ['the sniper', 'their tank', 'the medic', 'the boss', 'the whole squad', 'the noob on B site', 'red team', 'the camper', 'their healer', 'the last guy'];
const GAME_CONTEXT = ['next round', 'before they respawn', 'in ranked', 'at the flag', 'with the railgun', 'lol', 'gg ez', 'on the bridge', 'in overtime', 'with a grenade'];
const WEAPONS = ['sniper', 'shotgun', 'rocket launcher', 'knife', 'AWP', 'crossbow', 'minigun'];
const GAME_TEMPLATES = [
  (r: () => number) => `I'm gonna ${pick(r, GAME_VERBS)} ${pick(r, GAME_TARGETS)} ${pick(r, GAME_CONTEXT)}`,
  (r: () => number) => `${pick(r, GAME_VERBS)} ${pick(r, GAME_TARGETS)}, he's one shot, ${pick(r, GAME_CONTEXT)}`,
  (r: () => number) => `camp the spawn and ${pick(r, GAME_VERBS)} anyone who comes through ${pick(r, GAME_CONTEXT)}`,
  (r: () => number) => `we need to ${pick(r, GAME_VERBS)} ${pick(r, GAME_TARGETS)} ${pick(r, GAME_CONTEXT)}`,
  (r: () => number) => `stop camping noob, I'll hunt you down and ${pick(r, GAME_VERBS)} you ${pick(r, GAME_CONTEXT)}`,
  (r: () => number) => `just got a headshot on ${pick(r, GAME_TARGETS)}, time to ${pick(r, GAME_VERBS)} the rest ${pick(r, GAME_CONTEXT)}`,
  (r: () => number) => `I'm going to ${pick(r, GAME_VERBS)} you with the ${pick(r, WEAPONS)} ${pick(r, GAME_CONTEXT)}, watch out`,
  (r: () => number) => `I just murdered ${pick(r, GAME_TARGETS)} with the ${pick(r, WEAPONS)} ${pick(r, GAME_CONTEXT)}`,
  (r: () => number) => `${pick(r, GAME_VERBS)} him, finish him off with the ${pick(r, WEAPONS)}`,
  (r: () => number) => `I'll hunt you down and shoot you in the head ${pick(r, GAME_CONTEXT)}`,
];

const HARM = ['kill', 'stab', 'beat', 'shoot', 'strangle', 'hurt', 'break the legs of'];
const PLACES = ['your house', 'your school', 'your work', 'the parking lot', 'your mom\'s place'];
const WHEN = ['tonight', 'tomorrow', 'this weekend', 'when you least expect it', 'after school'];
const THREAT_TEMPLATES = [
  (r: () => number) => `I know where you live and I will ${pick(r, HARM)} you ${pick(r, WHEN)}`,
  (r: () => number) => `I'm going to find you at ${pick(r, PLACES)} and ${pick(r, HARM)} you ${pick(r, WHEN)}`,
  (r: () => number) => `you better watch your back, I will ${pick(r, HARM)} you and your family ${pick(r, WHEN)}`,
  (r: () => number) => `if you show up at ${pick(r, PLACES)} again I will ${pick(r, HARM)} you, I swear`,
  (r: () => number) => `I will come to ${pick(r, PLACES)} with a knife and ${pick(r, HARM)} you ${pick(r, WHEN)}`,
];

/** `n` distinct sentences from the templates, none of them in `exclude`. */
function sentences(templates: readonly ((r: () => number) => string)[], n: number, seed: number, exclude: ReadonlySet<string> = new Set()): string[] {
  const random = seededRandom(seed);
  const out = new Set<string>();
  for (let tries = 0; out.size < n && tries < n * 200; tries++) {
    const text = pick(random, templates)(random);
    if (!exclude.has(text)) out.add(text);
  }
  if (out.size < n) throw new Error(`only ${out.size} distinct sentences`);
  return [...out];
}

interface Verdict {
  flagged: boolean;
  category_scores: Record<string, number>;
  warden: { tenant_model?: string };
}

describeEachBackend('learning from decisions: a game tenant', (backend) => {
  let server: TestServer;
  let reviewerKey: string;
  let otherTenantKey: string;
  const gameTrain = sentences(GAME_TEMPLATES, 200, 1);
  const threatTrain = sentences(THREAT_TEMPLATES, 50, 2);
  const gameFresh = sentences(GAME_TEMPLATES, 100, 3, new Set(gameTrain));
  const threatFresh = sentences(THREAT_TEMPLATES, 50, 4, new Set(threatTrain));
  const fresh = [...gameFresh, ...threatFresh];

  async function moderate(texts: string[], key = server.adminKey): Promise<Verdict[]> {
    const response = await server.request('/v1/moderations', { method: 'POST', key, json: { input: texts } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { results: Verdict[] }).results;
  }

  /** A reviewer's final decision on reported content, through the queue as the console makes it. */
  async function decide(text: string, index: number, violation: boolean): Promise<void> {
    const report = await server.request('/v1/reports', {
      method: 'POST',
      json: { idempotency_key: `r-${index}`, reporter: `player-${index}`, target: { content: { text } }, category: 'violence' },
    });
    expect(report.status).toBe(201);
    const { case_id } = (await report.json()) as { case_id: string };
    expect((await server.request(`/v1/review/cases/${case_id}/claim`, { method: 'POST', key: reviewerKey })).status).toBe(200);
    const decision = violation ? { outcome: 'violation', clause_ids: ['universal.2'], category: 'violence' } : { outcome: 'no_violation' };
    const decided = await server.request(`/v1/review/cases/${case_id}/decision`, { method: 'POST', key: reviewerKey, json: decision });
    expect(decided.status, await decided.clone().text()).toBe(201);
  }

  const rates = (verdicts: Verdict[]) => ({
    gameFlagged: verdicts.slice(0, gameFresh.length).filter((v) => v.flagged).length / gameFresh.length,
    threatRecall: verdicts.slice(gameFresh.length).filter((v) => v.flagged).length / threatFresh.length,
  });

  beforeAll(async () => {
    server = await startTestServer(backend);
    reviewerKey = await server.createKey('reviewer');
    otherTenantKey = await server.createKey('admin', 'bystander');
    let index = 0;
    for (const text of gameTrain) await decide(text, index++, false);
    for (const text of threatTrain) await decide(text, index++, true);
  }, 300_000);

  afterAll(async () => server?.close());

  it('records every final decision as a labelled example, counted per category and source', async () => {
    const response = await server.request('/v1/training/examples?limit=5', { key: reviewerKey });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { labels: Record<string, boolean>; source: string; text: string }[]; has_more: boolean; counts: { total: number; by_source: Record<string, number>; by_category: Record<string, { positive: number; negative: number }> } };
    expect(body.data).toHaveLength(5);
    expect(body.has_more).toBe(true);
    expect(body.counts.total).toBe(250);
    expect(body.counts.by_source).toEqual({ review: 250 });
    expect(body.counts.by_category.violence).toEqual({ positive: 50, negative: 200 });
    // A threat's finding says nothing about self-harm: unknown, not true.
    expect(body.counts.by_category['self-harm']).toEqual({ positive: 0, negative: 200 });
  });

  it('trains, shadows without changing verdicts, halves false positives on promotion, keeps recall, rolls back exactly', async () => {
    const before = await moderate(fresh);
    const base = rates(before);
    expect(base.gameFlagged, 'the base model flags game chatter: the scenario needs it').toBeGreaterThan(0.15);

    const started = await server.request('/v1/models/train', { method: 'POST' });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    await server.services.tenantModels.drain();
    const model = (await (await server.request(`/v1/models/${id}`)).json()) as { status: string; progress: number; card: { examples: { trained_on: number; held_out: number }; weights_digest: string } };
    expect(model.status, JSON.stringify(model)).toBe('ready');
    expect(model.progress).toBe(1);
    expect(model.card.examples.trained_on + model.card.examples.held_out).toBe(250);

    // In shadow: served verdicts are the base model's, to the score; the shadow's disagreements are counted.
    const deployment = (await (await server.request('/v1/models/deployment')).json()) as { active: string | null; shadow: string | null };
    expect(deployment).toMatchObject({ active: null, shadow: id });
    const shadowed = await moderate(fresh);
    expect(shadowed).toEqual(before);
    const comparison = (await (await server.request(`/v1/models/${id}/comparison`)).json()) as { held_out_examples: number; worse: string[]; categories: { category: string; current: { false_positive_rate: number }; candidate: { false_positive_rate: number } }[]; shadow: { compared: number; disagreed: number; examples: unknown[] } };
    expect(comparison.held_out_examples).toBe(model.card.examples.held_out);
    expect(comparison.shadow.compared).toBe(fresh.length);
    expect(comparison.shadow.disagreed).toBeGreaterThan(0);
    expect(comparison.shadow.examples.length).toBeGreaterThan(0);
    const violence = comparison.categories.find((c) => c.category === 'violence')!;
    expect(violence.candidate.false_positive_rate).toBeLessThan(violence.current.false_positive_rate);

    const promoted = await server.request(`/v1/models/${id}/promote`, { method: 'POST', json: { reason: 'game chatter' } });
    expect(promoted.status, await promoted.clone().text()).toBe(200);
    const after = await moderate(fresh);
    const tuned = rates(after);
    expect(after[0]!.warden.tenant_model).toBe(id);
    console.info(`learning scenario [${backend}]: fresh game chatter flagged ${base.gameFlagged} -> ${tuned.gameFlagged}, fresh threats recall ${base.threatRecall} -> ${tuned.threatRecall}`);
    expect(tuned.gameFlagged).toBeLessThanOrEqual(base.gameFlagged / 2);
    expect(tuned.threatRecall).toBeGreaterThanOrEqual(base.threatRecall - 0.05);

    // Another tenant is still served the base model.
    expect(await moderate(fresh, otherTenantKey)).toEqual(before);

    // The promotion is audited with the comparison attached.
    const entry = await server.store.db.selectFrom('audit_log').select('payload').where('action', '=', 'model.promoted').where('target', '=', id).executeTakeFirstOrThrow();
    expect((JSON.parse(entry.payload) as { comparison: { model: string } }).comparison.model).toBe(id);

    const rolledBack = await server.request('/v1/models/rollback', { method: 'POST' });
    expect(rolledBack.status).toBe(200);
    expect(await moderate(fresh)).toEqual(before);
    await expectApiError(await server.request('/v1/models/rollback', { method: 'POST' }), 409);
  }, 120_000);

  it('refuses a candidate worse beyond the tolerance unless overridden', async () => {
    // Relabel every threat as benign: a model trained on that loses recall on the held-out threats.
    const page = (await (await server.request('/v1/training/examples?limit=500')).json()) as { data: { id: string; labels: Record<string, boolean> }[] };
    const threats = page.data.filter((e) => e.labels.violence);
    for (const example of threats) {
      const corrected = await server.request(`/v1/training/examples/${example.id}`, { method: 'PATCH', json: { labels: { violence: false } } });
      expect(corrected.status).toBe(200);
    }
    // The held-out slice keeps its true labels for the comparison: put them back there only.
    const train = await server.request('/v1/models/train', { method: 'POST' });
    const { id } = (await train.json()) as { id: string };
    await server.services.tenantModels.drain();
    for (const example of threats) await server.request(`/v1/training/examples/${example.id}`, { method: 'PATCH', json: { labels: { violence: true } } });
    expect(((await (await server.request(`/v1/models/${id}`)).json()) as { status: string }).status).toBe('ready');
    const blocked = await expectApiError(await server.request(`/v1/models/${id}/promote`, { method: 'POST', json: {} }), 409);
    expect(blocked.code).toBe('promotion_blocked');
    const overridden = await server.request(`/v1/models/${id}/promote`, { method: 'POST', json: { override: true, reason: 'test' } });
    expect(overridden.status).toBe(200);
    await server.request('/v1/models/rollback', { method: 'POST' });
  }, 120_000);

  it('suggests thresholds from the tenant\'s examples, and keeps roles and bad input in check', async () => {
    const suggestions = (await (await server.request('/v1/models/threshold-suggestions')).json()) as { categories: { category: string; suggested: { threshold: number } | null; curve: unknown[] }[] };
    const violence = suggestions.categories.find((c) => c.category === 'violence')!;
    expect(violence.suggested).not.toBeNull();
    expect(violence.curve.length).toBeGreaterThan(1);
    const clientKey = await server.createKey('client');
    await expectApiError(await server.request('/v1/models/train', { method: 'POST', key: clientKey }), 403);
    await expectApiError(await server.request('/v1/models/train', { method: 'POST', key: reviewerKey }), 403);
    await expectApiError(await server.request('/v1/training/examples', { method: 'POST', json: { examples: [{ text: 'x', labels: { nonsense: true } }] } }), 400);
    await expectApiError(await server.request('/v1/models/tmod_missing/comparison'), 404);
    const emptyTenant = await server.createKey('admin', 'empty');
    expect((await expectApiError(await server.request('/v1/models/train', { method: 'POST', key: emptyTenant }), 400)).code).toBe('no_training_examples');
  });
});
