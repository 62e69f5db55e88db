import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../services.ts';
import type { ZodTypeProvider } from '../zod.ts';

const reportParams = z.object({ id: z.string().min(1).max(100) }).strict();
const reportQuery = z
  .object({
    status: z.enum(['pending_submission', 'submitted']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
const submissionBody = z.object({ external_report_id: z.string().min(1).max(200) }).strict();

/** Mandatory child-safety reports and their evidence: only the child_safety role sees them. */
export async function childSafetyRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { enforcement } = services;
  const childSafetyOnly = { roles: ['child_safety'] as const };

  app.get('/v1/child-safety/reports', { schema: { querystring: reportQuery }, config: childSafetyOnly }, async (request) => ({
    object: 'list',
    data: await enforcement.childSafetyReports(principalOf(request).tenantId, request.query),
  }));

  app.get('/v1/child-safety/reports/:id', { schema: { params: reportParams }, config: childSafetyOnly }, async (request) =>
    enforcement.childSafetyReport(principalOf(request).tenantId, request.params.id),
  );

  app.post('/v1/child-safety/reports/:id/submission', { schema: { params: reportParams, body: submissionBody }, config: childSafetyOnly }, async (request) =>
    enforcement.recordReportSubmission(principalOf(request).tenantId, request.params.id, request.body, actorOf(request)),
  );
}
