import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IMAGE_BODY_LIMIT } from '../../images/index.ts';
import { moderationRequestSchema } from '../../moderation/index.ts';
import { effectiveThresholds, thresholdOverridesSchema } from '../../policy/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import { idempotencyKeyOf } from '../idempotency.ts';
import type { Services } from '../../app/index.ts';
import { moderationResponse, thresholdsResponse } from '../responses.ts';
import type { ZodTypeProvider } from '../zod.ts';

const thresholdsBody = z.object({ thresholds: thresholdOverridesSchema }).strict();

/** OpenAI's moderation endpoint, judged against the caller's tenant policy; and the tenant's thresholds. */
export async function moderationRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { moderations, thresholds } = services;

  app.post('/v1/moderations', { schema: { body: moderationRequestSchema, response: { 200: moderationResponse } }, bodyLimit: IMAGE_BODY_LIMIT }, async (request) =>
    moderations.moderate({ principal: principalOf(request), request: request.body, idempotencyKey: idempotencyKeyOf(request) }),
  );

  app.get('/v1/moderation/thresholds', { schema: { response: { 200: thresholdsResponse } } }, async (request) => thresholdsView(services, principalOf(request).tenantId));

  app.put('/v1/moderation/thresholds', { schema: { body: thresholdsBody, response: { 200: thresholdsResponse } }, config: { roles: ['admin'] } }, async (request) => {
    const { tenantId } = principalOf(request);
    await thresholds.replace(tenantId, request.body.thresholds, actorOf(request));
    return thresholdsView(services, tenantId);
  });
}

async function thresholdsView(services: Services, tenantId: string) {
  const defaults = services.moderation.defaultThresholds;
  const overrides = await services.thresholds.get(tenantId);
  return { object: 'moderation.thresholds' as const, defaults, overrides, effective: effectiveThresholds(defaults, overrides) };
}
