import type { FastifyInstance } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import { IMAGE_BODY_LIMIT } from '../../images/index.ts';
import { AUDIENCES, MAX_SCREENSHOTS, STORE_SURFACES } from '../../store/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { listBySeq, pageQuery } from '../pagination.ts';
import { reviewJob, reviewJobPage, storeSubmission } from '../responses/store.ts';
import type { ZodTypeProvider } from '../zod.ts';

const idParams = z.object({ id: z.string().min(1).max(200) }).strict();

// Lengths are checked by the store domain, which answers an enormous field with 413.
const submissionBody = z
  .object({
    app_id: z.string().min(1).max(200).optional(),
    owner: z.string().min(1).max(200).optional(),
    name: z.string().trim().min(1, 'name: required'),
    description: z.string().default(''),
    instructions: z.string().default(''),
    conversation_starters: z.array(z.string()).default([]),
    audience: z.enum(AUDIENCES).default('everyone'),
    category: z.string().default(''),
    surface: z.enum(STORE_SURFACES).default('gpts'),
    // Image URLs: data URLs, or http(s) where the tenant lets Warden fetch them.
    icon: z.string().min(1).optional(),
    screenshots: z.array(z.string().min(1)).max(MAX_SCREENSHOTS).optional(),
  })
  .strict();

/**
 * Who submits is whoever publishes apps: the tenant's admin and its client keys (the developer
 * platform). Reviewers and child-safety staff judge submissions, so they may read them but not
 * submit (a reviewer could otherwise put an app before themselves). Any role reads.
 */
const submitters = { roles: ['admin', 'client'] as const };

/** Store submissions and the re-review jobs that policy publication starts. */
export async function storeRoutes(root: FastifyInstance, { services, metrics }: { services: Services; metrics: Registry }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { storeSubmissions, reReviews } = services;

  app.post('/v1/store/submissions', { schema: { body: submissionBody, response: { 201: storeSubmission } }, config: submitters, bodyLimit: IMAGE_BODY_LIMIT }, async (request, reply) => {
    const submission = await storeSubmissions.submit(principalOf(request).tenantId, request.body, actorOf(request));
    return reply.status(201).send(submission);
  });

  app.get('/v1/store/submissions/:id', { schema: { params: idParams, response: { 200: storeSubmission } } }, async (request) => storeSubmissions.get(principalOf(request).tenantId, request.params.id));

  app.get('/v1/store/review-jobs', { schema: { querystring: pageQuery, response: { 200: reviewJobPage } } }, async (request) =>
    listBySeq(request.query, (page) => reReviews.list(principalOf(request).tenantId, page)),
  );

  app.get('/v1/store/review-jobs/:id', { schema: { params: idParams, response: { 200: reviewJob } } }, async (request) => reReviews.get(principalOf(request).tenantId, request.params.id));

  // Read from the database when /metrics is scraped.
  new Gauge({
    name: 'warden_store_re_review_jobs',
    help: 'Store re-review jobs by status.',
    labelNames: ['status'] as const,
    registers: [metrics],
    async collect() {
      const stats = await reReviews.stats();
      for (const [status, count] of Object.entries(stats.jobs)) this.set({ status }, count);
    },
  });
  new Gauge({
    name: 'warden_store_re_review_items',
    help: 'Submissions in re-review jobs: processed, remaining (in unfinished jobs) and changed.',
    labelNames: ['state'] as const,
    registers: [metrics],
    async collect() {
      const stats = await reReviews.stats();
      this.set({ state: 'processed' }, stats.processed);
      this.set({ state: 'remaining' }, stats.remaining);
      this.set({ state: 'changed' }, stats.changed);
    },
  });
}
