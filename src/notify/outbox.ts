import { canonicalJson, newId } from '../common/index.ts';
import type { Tx } from '../db/index.ts';

/** Event types other systems subscribe to; the webhook-delivery issue delivers them. */
export const OUTBOX_EVENT_TYPES = [
  'account.action_taken',
  'account.action_reversed',
  'appeal.opened',
  'appeal.decided',
  'policy.published',
  'submission.decided',
] as const;
export type OutboxEventType = (typeof OUTBOX_EVENT_TYPES)[number];

export interface OutboxEvent {
  tenantId: string;
  type: OutboxEventType;
  payload: unknown;
  /** When it happened, from the caller's injected clock. */
  at: Date;
}

/**
 * Writes the event inside the caller's transaction, so it exists exactly when the change it
 * announces does. It waits as `pending` for delivery.
 */
export async function enqueueEvent(tx: Tx, event: OutboxEvent): Promise<string> {
  const id = newId('obx');
  await tx
    .insertInto('outbox')
    .values({
      id,
      tenant_id: event.tenantId,
      type: event.type,
      payload: canonicalJson(event.payload ?? null),
      created_at: event.at.toISOString(),
      status: 'pending',
      attempts: 0,
      next_attempt_at: event.at.toISOString(),
      last_error: null,
      delivered_at: null,
    })
    .execute();
  return id;
}
