import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../auth.ts';
import type { Services } from '../services.ts';
import type { ZodTypeProvider } from '../zod.ts';

const auditQuery = z
  .object({
    after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/** The tenant's own audit entries, oldest first, paged by sequence number. */
export async function auditRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.get('/v1/audit', { schema: { querystring: auditQuery }, config: { roles: ['admin'] } }, async (request) => {
    const rows = await services.audit.list(principalOf(request).tenantId, request.query);
    return {
      object: 'list',
      data: rows.map((row) => ({ ...row, payload: JSON.parse(row.payload) as unknown })),
      has_more: rows.length === request.query.limit,
    };
  });
}
