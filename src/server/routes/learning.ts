import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { correctionInput, uploadInput } from '../../learning/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { CREATED_KEY, listPage, pageQuery } from '../pagination.ts';
import type { ZodTypeProvider } from '../zod.ts';

const idParams = z.object({ id: z.string().min(1).max(100) }).strict();
const promoteBody = z
  .object({
    /** Promote although the candidate is worse than the tolerance allows on some category. */
    override: z.boolean().optional(),
    reason: z.string().max(2000).optional(),
  })
  .strict()
  .optional();
const shadowBody = z.object({ model: z.string().min(1).max(100).nullable() }).strict();
const toleranceBody = z.object({ tolerance: z.number().min(0).max(1) }).strict();

const ADMIN = { roles: ['admin'] as const };
const READERS = { roles: ['admin', 'reviewer'] as const };

/** The tenant's labelled examples and the tenant models trained from them (issue 17). */
export async function learningRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { trainingExamples: examples, tenantModels: models } = services;

  app.get('/v1/training/examples', { schema: { querystring: pageQuery }, config: READERS }, async (request) => {
    const tenantId = principalOf(request).tenantId;
    const page = await listPage(request.query, CREATED_KEY, (p) => examples.list(tenantId, p), (row) => [row.created_at, row.id]);
    return { ...page, counts: await examples.counts(tenantId) };
  });

  app.post('/v1/training/examples', { schema: { body: uploadInput }, config: ADMIN }, async (request, reply) =>
    reply.status(201).send({ object: 'training.upload', ...(await examples.upload(principalOf(request).tenantId, request.body.examples, actorOf(request))) }),
  );

  app.patch('/v1/training/examples/:id', { schema: { params: idParams, body: correctionInput }, config: ADMIN }, async (request) =>
    examples.correct(principalOf(request).tenantId, request.params.id, request.body.labels, actorOf(request)),
  );

  app.delete('/v1/training/examples/:id', { schema: { params: idParams }, config: ADMIN }, async (request) => {
    await examples.remove(principalOf(request).tenantId, request.params.id, actorOf(request));
    return { object: 'training.example', id: request.params.id, deleted: true };
  });

  app.post('/v1/models/train', { config: ADMIN }, async (request, reply) =>
    reply.status(202).send(await models.startTraining(principalOf(request).tenantId, actorOf(request))),
  );

  app.get('/v1/models', { schema: { querystring: pageQuery }, config: READERS }, async (request) =>
    listPage(request.query, CREATED_KEY, (p) => models.list(principalOf(request).tenantId, p), (row) => [row.created_at, row.id]),
  );

  app.get('/v1/models/deployment', { config: READERS }, async (request) => models.deployment(principalOf(request).tenantId));

  app.put('/v1/models/shadow', { schema: { body: shadowBody }, config: ADMIN }, async (request) =>
    models.setShadow(principalOf(request).tenantId, request.body.model, actorOf(request)),
  );

  app.put('/v1/models/tolerance', { schema: { body: toleranceBody }, config: ADMIN }, async (request) =>
    models.setTolerance(principalOf(request).tenantId, request.body.tolerance, actorOf(request)),
  );

  app.post('/v1/models/rollback', { config: ADMIN }, async (request) => models.rollback(principalOf(request).tenantId, actorOf(request)));

  app.get('/v1/models/threshold-suggestions', { config: READERS }, async (request) => models.thresholdSuggestions(principalOf(request).tenantId));

  app.get('/v1/models/:id', { schema: { params: idParams }, config: READERS }, async (request) => models.get(principalOf(request).tenantId, request.params.id));

  app.get('/v1/models/:id/comparison', { schema: { params: idParams }, config: READERS }, async (request) =>
    models.comparison(principalOf(request).tenantId, request.params.id),
  );

  app.post('/v1/models/:id/promote', { schema: { params: idParams, body: promoteBody }, config: ADMIN }, async (request) =>
    models.promote(principalOf(request).tenantId, request.params.id, request.body ?? {}, actorOf(request)),
  );
}
