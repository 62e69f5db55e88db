import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { GRANULARITIES, querySeries, trendItems, trendItemsQuerySchema, trendQuerySchema } from '../../trends/index.ts';
import { principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import type { ZodTypeProvider } from '../zod.ts';

const spikesQuery = z.object({ from: z.string().datetime({ offset: true }), to: z.string().datetime({ offset: true }) }).strict();
const READERS = { roles: ['admin', 'reviewer'] as const };

const trends = z.object({
  object: z.literal('trends'),
  granularity: z.enum(GRANULARITIES),
  from: z.string(),
  to: z.string(),
  series: z.array(
    z.object({
      key: z.string().nullable().describe('The group\'s value ("" where the dimension was absent), or null for group_by=none.'),
      total: z.number().int(),
      points: z.array(z.object({ bucket: z.string(), count: z.number().int() })),
    }),
  ),
});
const trendItemsResponse = z.object({
  object: z.literal('trends.items'),
  events: z.array(
    z.object({
      id: z.string(),
      account: z.string(),
      source: z.string(),
      occurred_at: z.string(),
      violations: z.array(z.object({ clause_id: z.string(), category: z.string().nullable() })),
      content_digest: z.string().nullable(),
    }),
  ),
  cases: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      status: z.string(),
      priority: z.number(),
      clause_ids: z.array(z.string()),
      categories: z.array(z.string()),
      account: z.string().nullable(),
      created_at: z.string(),
    }),
  ),
  rule_hits: z.array(z.object({ rule: z.string(), version: z.string(), mode: z.string(), subject_ref: z.string().nullable(), account: z.string().nullable(), at: z.string() })),
});
const spike = z.object({
  id: z.string(),
  series: z.string().describe('`category:<name>` or `clause:<id>`.'),
  started_at: z.string(),
  last_bucket: z.string(),
  observed: z.number(),
  baseline: z.number(),
  score: z.number(),
});

/** Abuse trends: counts per time bucket and the spikes found in them. */
export async function trendRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { spikes, store, ruleHits } = services;

  app.get('/v1/trends', { schema: { querystring: trendQuerySchema, response: { 200: trends } }, config: READERS }, async (request) => {
    await services.trends.flush();
    return { object: 'trends' as const, ...(await querySeries(store.db, principalOf(request).tenantId, request.query)) };
  });

  // The events, cases and rule matches behind a bucket (the console's drill-down).
  app.get('/v1/trends/items', { schema: { querystring: trendItemsQuerySchema, response: { 200: trendItemsResponse } }, config: READERS }, async (request) => {
    await ruleHits.flush();
    return { object: 'trends.items' as const, ...(await trendItems(store.db, principalOf(request).tenantId, request.query)) };
  });

  app.get('/v1/trends/spikes', { schema: { querystring: spikesQuery, response: { 200: z.object({ object: z.literal('list'), data: z.array(spike) }) } }, config: READERS }, async (request) => ({
    object: 'list' as const,
    data: await spikes.list(principalOf(request).tenantId, new Date(request.query.from), new Date(request.query.to)),
  }));
}
