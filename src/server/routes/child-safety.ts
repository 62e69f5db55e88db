import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { CREATED_KEY, listPage, pageQuery } from '../pagination.ts';
import { childSafetyReport, childSafetyReportPage } from '../responses/enforcement.ts';
import type { ZodTypeProvider } from '../zod.ts';

const reportParams = z.object({ id: z.string().min(1).max(100) }).strict();
const reportQuery = pageQuery.extend({ status: z.enum(['pending_submission', 'submitted']).optional() }).strict();
const submissionBody = z.object({ external_report_id: z.string().min(1).max(200) }).strict();

/** Mandatory child-safety reports and their evidence: only the child_safety role sees them. */
export async function childSafetyRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { enforcement } = services;
  const childSafetyOnly = { roles: ['child_safety'] as const };

  app.get('/v1/child-safety/reports', { schema: { querystring: reportQuery, response: { 200: childSafetyReportPage } }, config: childSafetyOnly }, async (request) =>
    listPage(request.query, CREATED_KEY, (page) => enforcement.childSafetyReports(principalOf(request).tenantId, { ...page, status: request.query.status }), (row) => [row.created_at, row.id]),
  );

  app.get('/v1/child-safety/reports/:id', { schema: { params: reportParams, response: { 200: childSafetyReport } }, config: childSafetyOnly }, async (request) =>
    enforcement.childSafetyReport(principalOf(request).tenantId, request.params.id),
  );

  app.post('/v1/child-safety/reports/:id/submission', { schema: { params: reportParams, body: submissionBody, response: { 200: childSafetyReport } }, config: childSafetyOnly }, async (request) =>
    enforcement.recordReportSubmission(principalOf(request).tenantId, request.params.id, request.body, actorOf(request)),
  );
}
