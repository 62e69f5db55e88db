import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { InvalidInput } from '../../common/index.ts';
import { TEMPLATE_VERSION, buildPrompt, judgeInputSchema, judgeName, judgeReplaceSchema, judgeStats, judgedModeration } from '../../judge/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { judgedModerationResponse } from '../responses.ts';
import type { ZodTypeProvider } from '../zod.ts';

const nameParams = z.object({ name: judgeName }).strict();
const idParams = z.object({ id: z.string().min(1).max(200) }).strict();
const statsQuery = z.object({ from: z.string().datetime({ offset: true }), to: z.string().datetime({ offset: true }) }).strict();
const admin = { roles: ['admin'] as const };

/** Tenants' LLM judges (admin), their prompt and statistics, and the judged moderations. */
export async function judgeRoutes(root: FastifyInstance, { services, metrics }: { services: Services; metrics: Registry }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { judges, store, policies } = services;
  for (const metric of services.judgeCascade.metrics) metrics.registerMetric(metric);

  app.post('/v1/judges', { schema: { body: judgeInputSchema }, config: admin }, async (request, reply) =>
    reply.status(201).send(await judges.create(principalOf(request).tenantId, request.body, actorOf(request))),
  );

  app.get('/v1/judges', { config: admin }, async (request) => ({ object: 'list', data: await judges.list(principalOf(request).tenantId) }));

  app.get('/v1/judges/:name', { schema: { params: nameParams }, config: admin }, async (request) => judges.get(principalOf(request).tenantId, request.params.name));

  app.put('/v1/judges/:name', { schema: { params: nameParams, body: judgeReplaceSchema }, config: admin }, async (request) =>
    judges.replace(principalOf(request).tenantId, request.params.name, request.body, actorOf(request)),
  );

  app.delete('/v1/judges/:name', { schema: { params: nameParams }, config: admin }, async (request, reply) => {
    await judges.delete(principalOf(request).tenantId, request.params.name, actorOf(request));
    return reply.status(204).send();
  });

  // The system prompt the judge gets now, built from the tenant's current policy version.
  app.get('/v1/judges/:name/prompt', { schema: { params: nameParams }, config: admin }, async (request) => {
    const tenantId = principalOf(request).tenantId;
    const judge = await judges.stored(tenantId, request.params.name);
    const prompt = buildPrompt((await policies.current(tenantId)).document, judge.settings);
    return { object: 'judge.prompt', policy_version: prompt.policyVersion, template_version: TEMPLATE_VERSION, prompt_digest: prompt.digest, clause_ids: prompt.clauses.map((c) => c.id), system: prompt.system };
  });

  app.get('/v1/judges/:name/stats', { schema: { params: nameParams, querystring: statsQuery }, config: admin }, async (request) => {
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
