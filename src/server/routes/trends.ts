import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { querySeries, trendItems, trendItemsQuerySchema, trendQuerySchema } from '../../trends/index.ts';
import { principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import type { ZodTypeProvider } from '../zod.ts';

const spikesQuery = z.object({ from: z.string().datetime({ offset: true }), to: z.string().datetime({ offset: true }) }).strict();
const READERS = { roles: ['admin', 'reviewer'] as const };

/** Abuse trends: counts per time bucket and the spikes found in them. */
export async function trendRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { trends, spikes, store, ruleHits } = services;

  app.get('/v1/trends', { schema: { querystring: trendQuerySchema }, config: READERS }, async (request) => {
    await trends.flush();
    return { object: 'trends', ...(await querySeries(store.db, principalOf(request).tenantId, request.query)) };
  });

  // The events, cases and rule matches behind a bucket (the console's drill-down).
  app.get('/v1/trends/items', { schema: { querystring: trendItemsQuerySchema }, config: READERS }, async (request) => {
    await ruleHits.flush();
    return { object: 'trends.items', ...(await trendItems(store.db, principalOf(request).tenantId, request.query)) };
  });

  app.get('/v1/trends/spikes', { schema: { querystring: spikesQuery }, config: READERS }, async (request) => ({
    object: 'list',
    data: await spikes.list(principalOf(request).tenantId, new Date(request.query.from), new Date(request.query.to)),
  }));
}
