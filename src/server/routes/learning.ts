import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { correctionInput, uploadInput } from '../../learning/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { CREATED_KEY, listPage, pageQuery } from '../pagination.ts';
import { pageOf } from '../responses.ts';
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

const labels = z.record(z.string(), z.boolean()).describe('Per category: violating (true) or not (false).');
const positives = z.record(z.string(), z.object({ positive: z.number().int(), negative: z.number().int() }));
const trainingExample = z.object({
  id: z.string(),
  object: z.literal('training.example'),
  content_digest: z.string(),
  text: z.string().nullable(),
  labels,
  clause_ids: z.array(z.string()),
  source: z.string(),
  source_ref: z.string().nullable(),
  decided_by: z.string(),
  decided_at: z.string(),
  held_out: z.boolean().describe('In the held-out slice candidates are compared on (never trained on).'),
  created_at: z.string(),
});
const exampleCounts = z.object({ total: z.number().int(), without_text: z.number().int(), by_source: z.record(z.string(), z.number().int()), by_category: positives });

const metrics = z.object({ precision: z.number(), recall: z.number(), f1: z.number(), false_positive_rate: z.number(), auprc: z.number() });
const categoryComparison = z.object({ category: z.string(), n: z.number().int(), positives: z.number().int(), current: metrics, candidate: metrics, f1_change: z.number() });
const model = z.object({
  id: z.string(),
  object: z.literal('model'),
  status: z.string().describe('training, ready or failed.'),
  base_model: z.string(),
  progress: z.number().describe('Share of training done, 0..1.'),
  examples: z.number().int(),
  card: z
    .object({
      base_model: z.string(),
      examples: z.object({ trained_on: z.number().int(), held_out: z.number().int(), by_category: positives }),
      options: z.object({ epochs: z.number().int(), learningRate: z.number(), l2: z.number(), seed: z.number().int() }),
      held_out: z.array(categoryComparison).describe('The base model against this one on the held-out slice.'),
      weights_digest: z.string(),
      features: z.number().int(),
      training_ms: z.number(),
    })
    .nullable(),
  error: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
const modelDeployment = z.object({
  object: z.literal('model.deployment'),
  active: z.string().nullable().describe('The model served; null: the base model alone.'),
  shadow: z.string().nullable(),
  previous: z.array(z.string().nullable()).describe('The models served before, oldest first (null: the base model).'),
  tolerance: z.number(),
});
const modelComparison = z.object({
  object: z.literal('model.comparison'),
  model: z.string(),
  current: z.string().nullable(),
  held_out_examples: z.number().int(),
  tolerance: z.number(),
  categories: z.array(categoryComparison),
  worse: z.array(z.string()).describe('Categories where the candidate loses more F1 than the tolerance: promotion needs an override.'),
  shadow: z.object({
    compared: z.number().int(),
    disagreed: z.number().int(),
    disagreement_rate: z.number(),
    by_category: z.record(z.string(), z.object({ compared: z.number().int(), disagreed: z.number().int() })),
    examples: z.array(z.object({ content_digest: z.string(), excerpt: z.string(), served: z.array(z.string()), candidate: z.array(z.string()), at: z.string() })),
  }),
});
const curvePoint = z.object({ threshold: z.number(), precision: z.number(), recall: z.number(), false_positive_rate: z.number() });
const thresholdSuggestions = z.object({
  object: z.literal('model.threshold_suggestions'),
  model: z.string().nullable(),
  examples: z.number().int(),
  categories: z.array(
    z.object({
      category: z.string(),
      n: z.number().int(),
      positives: z.number().int(),
      current: curvePoint,
      suggested: curvePoint.extend({ f1: z.number() }).nullable(),
      curve: z.array(curvePoint),
    }),
  ),
});

const ADMIN = { roles: ['admin'] as const };
const READERS = { roles: ['admin', 'reviewer'] as const };

/** The tenant's labelled examples and the tenant models trained from them (issue 17). */
export async function learningRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { trainingExamples: examples, tenantModels: models } = services;

  app.get('/v1/training/examples', { schema: { querystring: pageQuery, response: { 200: pageOf(trainingExample).extend({ counts: exampleCounts }) } }, config: READERS }, async (request) => {
    const tenantId = principalOf(request).tenantId;
    const page = await listPage(request.query, CREATED_KEY, (p) => examples.list(tenantId, p), (row) => [row.created_at, row.id]);
    return { ...page, counts: await examples.counts(tenantId) };
  });

  app.post('/v1/training/examples', { schema: { body: uploadInput, response: { 201: z.object({ object: z.literal('training.upload'), recorded: z.number().int() }) } }, config: ADMIN }, async (request, reply) =>
    reply.status(201).send({ object: 'training.upload', ...(await examples.upload(principalOf(request).tenantId, request.body.examples, actorOf(request))) }),
  );

  app.patch('/v1/training/examples/:id', { schema: { params: idParams, body: correctionInput, response: { 200: trainingExample } }, config: ADMIN }, async (request) =>
    examples.correct(principalOf(request).tenantId, request.params.id, request.body.labels, actorOf(request)),
  );

  app.delete('/v1/training/examples/:id', { schema: { params: idParams, response: { 200: z.object({ object: z.literal('training.example'), id: z.string(), deleted: z.literal(true) }) } }, config: ADMIN }, async (request) => {
    await examples.remove(principalOf(request).tenantId, request.params.id, actorOf(request));
    return { object: 'training.example' as const, id: request.params.id, deleted: true as const };
  });

  app.post('/v1/models/train', { schema: { response: { 202: model } }, config: ADMIN }, async (request, reply) =>
    reply.status(202).send(await models.startTraining(principalOf(request).tenantId, actorOf(request))),
  );

  app.get('/v1/models', { schema: { querystring: pageQuery, response: { 200: pageOf(model) } }, config: READERS }, async (request) =>
    listPage(request.query, CREATED_KEY, (p) => models.list(principalOf(request).tenantId, p), (row) => [row.created_at, row.id]),
  );

  app.get('/v1/models/deployment', { schema: { response: { 200: modelDeployment } }, config: READERS }, async (request) => models.deployment(principalOf(request).tenantId));

  app.put('/v1/models/shadow', { schema: { body: shadowBody, response: { 200: modelDeployment } }, config: ADMIN }, async (request) =>
    models.setShadow(principalOf(request).tenantId, request.body.model, actorOf(request)),
  );

  app.put('/v1/models/tolerance', { schema: { body: toleranceBody, response: { 200: modelDeployment } }, config: ADMIN }, async (request) =>
    models.setTolerance(principalOf(request).tenantId, request.body.tolerance, actorOf(request)),
  );

  app.post('/v1/models/rollback', { schema: { response: { 200: modelDeployment } }, config: ADMIN }, async (request) => models.rollback(principalOf(request).tenantId, actorOf(request)));

  app.get('/v1/models/threshold-suggestions', { schema: { response: { 200: thresholdSuggestions } }, config: READERS }, async (request) => models.thresholdSuggestions(principalOf(request).tenantId));

  app.get('/v1/models/:id', { schema: { params: idParams, response: { 200: model } }, config: READERS }, async (request) => models.get(principalOf(request).tenantId, request.params.id));

  app.get('/v1/models/:id/comparison', { schema: { params: idParams, response: { 200: modelComparison } }, config: READERS }, async (request) =>
    models.comparison(principalOf(request).tenantId, request.params.id),
  );

  app.post('/v1/models/:id/promote', { schema: { params: idParams, body: promoteBody, response: { 200: modelDeployment } }, config: ADMIN }, async (request) =>
    models.promote(principalOf(request).tenantId, request.params.id, request.body ?? {}, actorOf(request)),
  );
}
