import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Reviewer, decisionInput, queueFilters, reportInput, reviewSettingsSchema } from '../../review/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { caseDetail, decided, filedReport, reviewCase, reviewMetrics, reviewQueue, reviewSettings, reviewer, routedAppeal } from '../responses/review.ts';
import type { ZodTypeProvider } from '../zod.ts';

const caseParams = z.object({ id: z.string().min(1).max(100) }).strict();
const appealBody = z.object({ appeal_id: z.string().min(1).max(100) }).strict();
const metricsQuery = z.object({ window_hours: z.coerce.number().positive().max(24 * 90).default(24) }).strict();

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

  app.post('/v1/reports', { schema: { body: reportInput, response: { 200: filedReport.describe('A replay of a report filed before.'), 201: filedReport } }, config: reporters }, async (request, reply) => {
    const filed = await review.fileReport(principalOf(request).tenantId, request.body, actorOf(request));
    if (filed.replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(filed.replayed ? 200 : 201).send({ object: 'report' as const, id: filed.reportId, case_id: filed.caseId, merged: filed.merged, replayed: filed.replayed });
  });

  app.get('/v1/review/whoami', { schema: { response: { 200: reviewer } }, config: reviewers }, async (request) => {
    const principal = principalOf(request);
    return { object: 'reviewer' as const, actor: actorOf(request), role: principal.role, tenant: principal.tenantName };
  });

  app.get('/v1/review/queue', { schema: { querystring: queueFilters, response: { 200: reviewQueue } }, config: reviewers }, async (request) => review.queue(reviewerOf(request), request.query));

  app.get('/v1/review/cases/:id', { schema: { params: caseParams, response: { 200: caseDetail } }, config: reviewers }, async (request) => review.caseDetail(reviewerOf(request), request.params.id));

  app.post('/v1/review/cases/:id/claim', { schema: { params: caseParams, response: { 200: reviewCase } }, config: reviewers }, async (request) => review.claim(reviewerOf(request), request.params.id));

  app.post('/v1/review/cases/:id/release', { schema: { params: caseParams, response: { 200: reviewCase } }, config: reviewers }, async (request) => review.release(reviewerOf(request), request.params.id));

  app.post('/v1/review/cases/:id/decision', { schema: { params: caseParams, body: decisionInput, response: { 201: decided } }, config: reviewers }, async (request, reply) =>
    reply.status(201).send(await review.decide(reviewerOf(request), request.params.id, request.body)),
  );

  app.post('/v1/review/appeals', { schema: { body: appealBody, response: { 200: routedAppeal.describe('The appeal already had a case.'), 201: routedAppeal } }, config: { roles: ['admin', 'client', 'reviewer'] as const } }, async (request, reply) => {
    const routed = await review.routeAppeal(principalOf(request).tenantId, request.body.appeal_id, actorOf(request));
    return reply.status(routed.created ? 201 : 200).send({ object: 'routed_appeal' as const, appeal_id: request.body.appeal_id, case_id: routed.caseId, created: routed.created });
  });

  app.get('/v1/review/metrics', { schema: { querystring: metricsQuery, response: { 200: reviewMetrics } }, config: reviewers }, async (request) =>
    review.metrics(principalOf(request).tenantId, request.query.window_hours),
  );

  app.get('/v1/review/settings', { schema: { response: { 200: reviewSettings } }, config: reviewers }, async (request) => ({ object: 'review_settings' as const, ...(await review.settings(principalOf(request).tenantId)) }));

  app.put('/v1/review/settings', { schema: { body: reviewSettingsSchema, response: { 200: reviewSettings } }, config: adminOnly }, async (request) => ({
    object: 'review_settings' as const,
    ...(await review.updateSettings(principalOf(request).tenantId, request.body, actorOf(request))),
  }));
}
