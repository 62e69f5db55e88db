export { enqueueEvent, enqueueEvents, OUTBOX_EVENT_TYPES, type OutboxEvent, type OutboxEventType } from './outbox.ts';
