import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Reviewer, decisionInput, queueFilters, reportInput } from '../../review/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import type { ZodTypeProvider } from '../zod.ts';

const caseParams = z.object({ id: z.string().min(1).max(100) }).strict();
const appealBody = z.object({ appeal_id: z.string().min(1).max(100) }).strict();
const metricsQuery = z.object({ window_hours: z.coerce.number().positive().max(24 * 90).default(24) }).strict();

const whoami = z.object({ object: z.literal('reviewer'), actor: z.string(), role: z.string(), tenant: z.string() });
const agreement = z.object({ n: z.number().int(), agreed: z.number().int(), rate: z.number().nullable() });
const reviewMetrics = z.object({
  object: z.literal('review_metrics'),
  window_hours: z.number(),
  as_of: z.string(),
  decisions: z.number().int(),
  decisions_per_hour: z.number(),
  reviewers: z.array(z.object({ reviewer: z.string(), decisions: z.number().int(), decisions_per_hour: z.number() })),
  classifier_agreement: agreement.extend({ flag_score: z.number() }),
  reviewer_agreement: agreement,
  judge_agreement: agreement,
});

const reporters = { roles: ['admin', 'client'] as const };
const reviewers = { roles: ['admin', 'reviewer', 'child_safety'] as const };
const adminOnly = { roles: ['admin'] as const };

function reviewerOf(request: FastifyRequest): Reviewer {
  const principal = principalOf(request);
  return { tenantId: principal.tenantId, actor: actorOf(request), role: principal.role };
}

/** Reports, the review queue with leases, decisions, appeals routing and reviewer metrics. */
export async function reviewRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { review } = services;

  app.post('/v1/reports', { schema: { body: reportInput }, config: reporters }, async (request, reply) => {
    const filed = await review.fileReport(principalOf(request).tenantId, request.body, actorOf(request));
    if (filed.replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(filed.replayed ? 200 : 201).send({ object: 'report', id: filed.reportId, case_id: filed.caseId, merged: filed.merged, replayed: filed.replayed });
  });

  app.get('/v1/review/whoami', { schema: { response: { 200: whoami } }, config: reviewers }, async (request) => {
    const principal = principalOf(request);
    return { object: 'reviewer' as const, actor: actorOf(request), role: principal.role, tenant: principal.tenantName };
  });

  app.get('/v1/review/queue', { schema: { querystring: queueFilters }, config: reviewers }, async (request) => review.queue(reviewerOf(request), request.query));

  app.get('/v1/review/cases/:id', { schema: { params: caseParams }, config: reviewers }, async (request) => review.caseDetail(reviewerOf(request), request.params.id));

  app.post('/v1/review/cases/:id/claim', { schema: { params: caseParams }, config: reviewers }, async (request) => review.claim(reviewerOf(request), request.params.id));

  app.post('/v1/review/cases/:id/release', { schema: { params: caseParams }, config: reviewers }, async (request) => review.release(reviewerOf(request), request.params.id));

  app.post('/v1/review/cases/:id/decision', { schema: { params: caseParams, body: decisionInput }, config: reviewers }, async (request, reply) =>
    reply.status(201).send(await review.decide(reviewerOf(request), request.params.id, request.body)),
  );

  app.post('/v1/review/appeals', { schema: { body: appealBody }, config: { roles: ['admin', 'client', 'reviewer'] as const } }, async (request, reply) => {
    const routed = await review.routeAppeal(principalOf(request).tenantId, request.body.appeal_id, actorOf(request));
    return reply.status(routed.created ? 201 : 200).send({ object: 'routed_appeal', appeal_id: request.body.appeal_id, case_id: routed.caseId, created: routed.created });
  });

  app.get('/v1/review/metrics', { schema: { querystring: metricsQuery, response: { 200: reviewMetrics } }, config: reviewers }, async (request) =>
    review.metrics(principalOf(request).tenantId, request.query.window_hours),
  );

  app.get('/v1/review/settings', { config: reviewers }, async (request) => ({ object: 'review_settings', ...(await review.settings(principalOf(request).tenantId)) }));

  app.put('/v1/review/settings', { config: adminOnly }, async (request) => ({
    object: 'review_settings',
    ...(await review.updateSettings(principalOf(request).tenantId, request.body, actorOf(request))),
  }));
}
