import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { sha256Hex } from '../../common/index.ts';
import { IMAGE_BODY_LIMIT } from '../../images/index.ts';
import { moderationImages, moderationItems, moderationRequestSchema, resolveModel, withImageFindings } from '../../moderation/index.ts';
import { effectiveThresholds, thresholdOverridesSchema } from '../../policy/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../services.ts';
import type { ZodTypeProvider } from '../zod.ts';

const thresholdsBody = z.object({ thresholds: thresholdOverridesSchema }).strict();

/** OpenAI's moderation endpoint, judged against the caller's tenant policy; and the tenant's thresholds. */
export async function moderationRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { moderation, moderationContexts, thresholds } = services;

  app.post('/v1/moderations', { schema: { body: moderationRequestSchema }, bodyLimit: IMAGE_BODY_LIMIT }, async (request) => {
    const principal = principalOf(request);
    const model = resolveModel(request.body.model);
    const items = moderationItems(request.body.input);
    // Images are fetched, decoded and hashed first: a bad one refuses the request before anything is recorded.
    const findings = await services.images.judge(principal.tenantId, moderationImages(request.body.input));
    const { document, thresholds: inForce } = await moderationContexts.get(principal.tenantId);
    const results = moderation.moderate(items, { document, thresholds: inForce, surface: 'api' });
    if (findings.length) results[0] = withImageFindings(results[0]!, findings, document);
    const response = moderation.response(model, results);
    const account = request.body.warden?.account ?? request.body.user ?? null;
    // Only text is kept; an image is known by its hashes (in the result's evidence), never by its bytes.
    const contents = items.map((parts) => parts.join('\n'));
    const imageDigests = findings.map((f) => `\n${f.hashes.sha256}`).join('');
    const contentDigests = contents.map((text, index) => sha256Hex(index === 0 ? text + imageDigests : text));
    await services.onModerated(principal, account, { id: response.id, results, contentDigests, contents });
    return response;
  });

  app.get('/v1/moderation/thresholds', async (request) => thresholdsView(services, principalOf(request).tenantId));

  app.put('/v1/moderation/thresholds', { schema: { body: thresholdsBody }, config: { roles: ['admin'] } }, async (request) => {
    const { tenantId } = principalOf(request);
    await thresholds.replace(tenantId, request.body.thresholds, actorOf(request));
    services.moderationContexts.invalidate(tenantId);
    return thresholdsView(services, tenantId);
  });
}

async function thresholdsView(services: Services, tenantId: string) {
  const defaults = services.moderation.defaultThresholds;
  const overrides = await services.thresholds.get(tenantId);
  return { object: 'moderation.thresholds', defaults, overrides, effective: effectiveThresholds(defaults, overrides) };
}
