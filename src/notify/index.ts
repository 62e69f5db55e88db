export { enqueueEvent, enqueueEvents, OUTBOX_EVENT_TYPES, type OutboxEvent, type OutboxEventType } from './outbox.ts';
export { Subscriptions, type SubscriptionView, type WebhookSubscriptionInput, type EmailSubscriptionInput } from './subscriptions.ts';
export {
  DeliveryWorker,
  DEFAULT_DELIVERY_OPTIONS,
  retryDelayMs,
  webhookBody,
  type DeliveryOptions,
  type DeliveryView,
  type DeliveryStatus,
  type DeliveryStats,
  type AttemptView,
} from './delivery.ts';
export { standardWebhookHeaders } from './signature.ts';
export { smtpMailer, emailFor, type Mailer, type EmailMessage } from './email.ts';
export { announcePolicyPublished } from './policy-events.ts';
export { isPrivateAddress, refusedAddress, refusedHost, systemResolver, type Resolver } from './address-guard.ts';
export { getGuarded, postGuarded, type GuardedGet, type GuardedGetOutcome, type GuardedPost, type GuardedPostOutcome } from './webhook.ts';
export { notifyConfigFromEnv, type NotifyConfig } from './config.ts';
