import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { SEQ_KEY, listPage, pageQuery } from '../pagination.ts';
import { auditPage } from '../responses/audit.ts';
import type { ZodTypeProvider } from '../zod.ts';

/** The tenant's own audit entries, oldest first, paged by sequence number. */
export async function auditRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.get('/v1/audit', { schema: { querystring: pageQuery, response: { 200: auditPage } }, config: { roles: ['admin'] } }, async (request) => {
    const page = await listPage(request.query, SEQ_KEY, (req) => services.audit.list(principalOf(request).tenantId, req), (row) => [Number(row.seq)]);
    // PostgreSQL reads the bigint sequence as a string: both databases answer a number.
    return { ...page, data: page.data.map((row) => ({ ...row, seq: Number(row.seq), payload: JSON.parse(row.payload) as unknown })) };
  });
}
