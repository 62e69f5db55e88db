import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFound } from '../../common/index.ts';
import { ROLES, rateLimitInput } from '../../tenancy/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { CREATED_KEY, listPage, pageQuery } from '../pagination.ts';
import { createdKey, keySummary, pageOf, rateLimit, revokedKey } from '../responses.ts';
import type { ZodTypeProvider } from '../zod.ts';

const createKeyBody = z.object({ role: z.enum(ROLES), label: z.string().max(200).optional() }).strict();
const keyParams = z.object({ id: z.string().min(1).max(100) }).strict();

/** An admin manages its own tenant's keys (secrets are returned once, at creation) and the rate each key may use. */
export async function keyRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { tenancy } = services;
  const adminOnly = { roles: ['admin'] as const };

  app.post('/v1/keys', { schema: { body: createKeyBody, response: { 201: createdKey } }, config: adminOnly }, async (request, reply) => {
    const principal = principalOf(request);
    const tenant = await tenancy.tenantById(principal.tenantId);
    if (!tenant) throw new NotFound('Tenant');
    const created = await tenancy.createKey({ tenant, role: request.body.role, label: request.body.label, actor: actorOf(request) });
    return reply.status(201).send({ object: 'api_key', id: created.id, key: created.key, tenant: created.tenant, role: created.role });
  });

  app.get('/v1/keys', { schema: { querystring: pageQuery, response: { 200: pageOf(keySummary) } }, config: adminOnly }, async (request) =>
    listPage(request.query, CREATED_KEY, (page) => tenancy.listKeys(principalOf(request).tenantId, page), (row) => [row.created_at, row.id]),
  );

  app.delete('/v1/keys/:id', { schema: { params: keyParams, response: { 200: revokedKey } }, config: adminOnly }, async (request) => ({
    object: 'api_key' as const,
    ...(await tenancy.revokeKey(principalOf(request).tenantId, request.params.id, actorOf(request))),
  }));

  app.get('/v1/rate-limit', { schema: { response: { 200: rateLimit } }, config: adminOnly }, async (request) => services.rateLimits.get(principalOf(request).tenantId));

  app.put('/v1/rate-limit', { schema: { body: rateLimitInput, response: { 200: rateLimit } }, config: adminOnly }, async (request) =>
    services.rateLimits.set(principalOf(request).tenantId, request.body, actorOf(request)),
  );
}
