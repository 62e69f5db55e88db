import type { FastifyInstance } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import { InvalidInput } from '../../common/index.ts';
import { OUTBOX_EVENT_TYPES } from '../../notify/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { CREATED_KEY, listBySeq, listPage, pageQuery } from '../pagination.ts';
import { createdSubscription, deletedSubscription, deliveryPage, deliveryWithAttempts, subscription, subscriptionPage } from '../responses/notify.ts';
import type { ZodTypeProvider } from '../zod.ts';

const idParams = z.object({ id: z.string().min(1).max(300) }).strict();
const events = z.array(z.enum(OUTBOX_EVENT_TYPES)).min(1, 'subscribe to at least one event').max(OUTBOX_EVENT_TYPES.length * 2);

const subscriptionBody = z
  .object({
    url: z.string().min(1).max(4096).optional(),
    email: z.string().min(1).max(320).optional(),
    events,
    secret: z.string().min(1).max(256).optional(),
  })
  .strict();

const deliveriesQuery = pageQuery
  .extend({
    status: z.enum(['pending', 'delivered', 'dead', 'cancelled']).optional(),
    subscription: z.string().max(300).optional(),
    event: z.string().max(300).optional(),
  })
  .strict();

/** Webhook and e-mail subscriptions (admin), and the deliveries of outbox events to them. */
export async function subscriptionRoutes(root: FastifyInstance, { services, metrics }: { services: Services; metrics: Registry }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { subscriptions, deliveries } = services;
  const admin = { roles: ['admin'] as const };

  app.post('/v1/subscriptions', { schema: { body: subscriptionBody, response: { 201: createdSubscription } }, config: admin }, async (request, reply) => {
    const { tenantId } = principalOf(request);
    const { url, email, events: wanted, secret } = request.body;
    if ((url === undefined) === (email === undefined)) throw new InvalidInput('Give either "url" (a webhook) or "email", not both.', url === undefined ? 'url' : 'email');
    if (email !== undefined && secret !== undefined) throw new InvalidInput('secret: only webhooks are signed', 'secret');
    const created =
      url !== undefined
        ? await subscriptions.createWebhook(tenantId, { url, events: wanted, secret }, actorOf(request))
        : await subscriptions.createEmail(tenantId, { email: email!, events: wanted }, actorOf(request));
    return reply.status(201).send(created);
  });

  app.get('/v1/subscriptions', { schema: { querystring: pageQuery, response: { 200: subscriptionPage } }, config: admin }, async (request) =>
    listPage(request.query, CREATED_KEY, (page) => subscriptions.list(principalOf(request).tenantId, page), (row) => [row.created_at, row.id]),
  );

  app.get('/v1/subscriptions/:id', { schema: { params: idParams, response: { 200: subscription } }, config: admin }, async (request) => subscriptions.get(principalOf(request).tenantId, request.params.id));

  app.delete('/v1/subscriptions/:id', { schema: { params: idParams, response: { 200: deletedSubscription } }, config: admin }, async (request) => {
    await subscriptions.delete(principalOf(request).tenantId, request.params.id, actorOf(request));
    return { object: 'subscription' as const, id: request.params.id, deleted: true as const };
  });

  app.get('/v1/deliveries', { schema: { querystring: deliveriesQuery, response: { 200: deliveryPage } }, config: admin }, async (request) => {
    const { status, subscription, event } = request.query;
    const filter = { status, subscriptionId: subscription, eventId: event };
    return listBySeq(request.query, (page) => deliveries.list(principalOf(request).tenantId, { ...filter, ...page }));
  });

  app.get('/v1/deliveries/:id', { schema: { params: idParams, response: { 200: deliveryWithAttempts } }, config: admin }, async (request) => deliveries.get(principalOf(request).tenantId, request.params.id));

  app.post('/v1/deliveries/:id/replay', { schema: { params: idParams, response: { 200: deliveryWithAttempts } }, config: admin }, async (request) =>
    deliveries.replay(principalOf(request).tenantId, request.params.id, actorOf(request)),
  );

  // Read from the database when /metrics is scraped.
  new Gauge({
    name: 'warden_outbox_pending_events',
    help: 'Outbox events not yet fanned out to subscribers.',
    registers: [metrics],
    async collect() {
      this.set((await deliveries.stats()).outbox_pending);
    },
  });
  new Gauge({
    name: 'warden_webhook_deliveries',
    help: 'Webhook and e-mail deliveries by status.',
    labelNames: ['status'] as const,
    registers: [metrics],
    async collect() {
      for (const [status, count] of Object.entries((await deliveries.stats()).deliveries)) this.set({ status }, count);
    },
  });
}
