import { z } from 'zod';
import { OUTBOX_EVENT_TYPES } from '../../notify/index.ts';
import { pageOf } from '../responses.ts';

/** The 2xx bodies of webhook and e-mail subscriptions and their deliveries. */

export const subscription = z.object({
  object: z.literal('subscription'),
  id: z.string(),
  kind: z.enum(['webhook', 'email']),
  url: z.string().nullable(),
  email: z.string().nullable(),
  events: z.array(z.enum(OUTBOX_EVENT_TYPES)),
  created_at: z.string(),
});
export const subscriptionPage = pageOf(subscription);

export const createdSubscription = subscription.extend({
  secret: z.string().optional().describe('A webhook\'s signing secret (`whsec_…`, Standard Webhooks): shown only in this answer. E-mail subscriptions have none.'),
});

export const deletedSubscription = z.object({ object: z.literal('subscription'), id: z.string(), deleted: z.literal(true) });

export const delivery = z.object({
  object: z.literal('delivery'),
  id: z.string(),
  event_id: z.string(),
  event_type: z.string(),
  subscription_id: z.string(),
  status: z.enum(['pending', 'delivered', 'dead', 'cancelled']),
  attempts: z.number().int(),
  next_attempt_at: z.string().nullable().describe('When the next attempt is due; null unless pending.'),
  last_error: z.string().nullable(),
  created_at: z.string(),
  delivered_at: z.string().nullable(),
});
export const deliveryPage = pageOf(delivery);

export const deliveryWithAttempts = delivery.extend({
  attempt_log: z.array(z.object({ attempt: z.number().int(), started_at: z.string(), duration_ms: z.number(), status_code: z.number().int().nullable(), error: z.string().nullable() })),
});
