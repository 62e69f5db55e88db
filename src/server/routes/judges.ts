import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { InvalidInput } from '../../common/index.ts';
import { TEMPLATE_VERSION, buildPrompt, judgeInputSchema, judgeName, judgeReplaceSchema, judgeSettingsSchema, judgeStats, judgedModeration } from '../../judge/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { deleted, judgedModerationResponse } from '../responses.ts';
import type { ZodTypeProvider } from '../zod.ts';

const nameParams = z.object({ name: judgeName }).strict();
const idParams = z.object({ id: z.string().min(1).max(200) }).strict();
const statsQuery = z.object({ from: z.string().datetime({ offset: true }), to: z.string().datetime({ offset: true }) }).strict();
const admin = { roles: ['admin'] as const };

/** A judge as the API shows it: its settings (defaults filled in), never its API key. */
const judge = judgeSettingsSchema.extend({
  object: z.literal('judge'),
  id: z.string(),
  name: z.string(),
  api_key: z.object({ source: z.enum(['encrypted', 'env', 'none']), env: z.string().nullable() }).describe('Where the API key comes from: never the key itself.'),
  template_version: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
const judgePrompt = z.object({
  object: z.literal('judge.prompt'),
  policy_version: z.string(),
  template_version: z.string(),
  prompt_digest: z.string(),
  clause_ids: z.array(z.string()),
  system: z.string().describe('The system prompt the judge gets now, from the current policy version.'),
});
const counts = z.record(z.string(), z.number().int());
const agreement = z.object({ n: z.number().int(), agreed: z.number().int(), rate: z.number().nullable() });
const judgeStatsResponse = z.object({
  judge: z.string(),
  object: z.literal('judge.stats'),
  from: z.string(),
  to: z.string(),
  verdicts: z.number().int(),
  by_mode: counts,
  by_status: counts,
  failures: counts.describe('Failed calls by kind.'),
  cached: z.number().int(),
  unsure: z.number().int(),
  agreement_with_local: agreement.extend({ shadow: agreement }).describe('How often the judge agreed with the local model on the clauses it judged (shadow mode apart too).'),
  latency_ms: z.object({ n: z.number().int(), p50: z.number().nullable(), p99: z.number().nullable() }),
});

/** Tenants' LLM judges (admin), their prompt and statistics, and the judged moderations. */
export async function judgeRoutes(root: FastifyInstance, { services, metrics }: { services: Services; metrics: Registry }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { judges, store, policies } = services;
  for (const metric of services.judgeCascade.metrics) metrics.registerMetric(metric);

  app.post('/v1/judges', { schema: { body: judgeInputSchema, response: { 201: judge } }, config: admin }, async (request, reply) =>
    reply.status(201).send(await judges.create(principalOf(request).tenantId, request.body, actorOf(request))),
  );

  app.get('/v1/judges', { schema: { response: { 200: z.object({ object: z.literal('list'), data: z.array(judge) }) } }, config: admin }, async (request) => ({ object: 'list' as const, data: await judges.list(principalOf(request).tenantId) }));

  app.get('/v1/judges/:name', { schema: { params: nameParams, response: { 200: judge } }, config: admin }, async (request) => judges.get(principalOf(request).tenantId, request.params.name));

  app.put('/v1/judges/:name', { schema: { params: nameParams, body: judgeReplaceSchema, response: { 200: judge } }, config: admin }, async (request) =>
    judges.replace(principalOf(request).tenantId, request.params.name, request.body, actorOf(request)),
  );

  app.delete('/v1/judges/:name', { schema: { params: nameParams, response: { 204: deleted } }, config: admin }, async (request, reply) => {
    await judges.delete(principalOf(request).tenantId, request.params.name, actorOf(request));
    return reply.status(204).send(null);
  });

  // The system prompt the judge gets now, built from the tenant's current policy version.
  app.get('/v1/judges/:name/prompt', { schema: { params: nameParams, response: { 200: judgePrompt } }, config: admin }, async (request) => {
    const tenantId = principalOf(request).tenantId;
    const judge = await judges.stored(tenantId, request.params.name);
    const prompt = buildPrompt((await policies.current(tenantId)).document, judge.settings);
    return { object: 'judge.prompt' as const, policy_version: prompt.policyVersion, template_version: TEMPLATE_VERSION, prompt_digest: prompt.digest, clause_ids: prompt.clauses.map((c) => c.id), system: prompt.system };
  });

  app.get('/v1/judges/:name/stats', { schema: { params: nameParams, querystring: statsQuery, response: { 200: judgeStatsResponse } }, config: admin }, async (request) => {
    const tenantId = principalOf(request).tenantId;
    const judge = await judges.get(tenantId, request.params.name);
    const from = new Date(request.query.from);
    const to = new Date(request.query.to);
    if (from >= to) throw new InvalidInput('"from" must be before "to".', 'from');
    return { judge: judge.name, ...(await judgeStats(store.db, tenantId, judge.id, from, to)) };
  });

  // A moderation the judge saw: its judged results, the judge's verdict once a background judgement is in.
  app.get('/v1/moderations/:id', { schema: { params: idParams, response: { 200: judgedModerationResponse } }, config: { roles: ['admin', 'reviewer', 'client'] as const } }, async (request) =>
    judgedModeration(store.db, principalOf(request).tenantId, request.params.id),
  );
}
