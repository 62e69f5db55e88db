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
  'trend.spike',
  'rule.notify',
  'moderation.judged',
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
  const [id] = await enqueueEvents(tx, [event]);
  return id!;
}

/** Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters. */
const INSERT_CHUNK = 500;

/** Enqueues several events in order, in as few statements as possible (batched writes). */
export async function enqueueEvents(tx: Tx, events: OutboxEvent[]): Promise<string[]> {
  const rows = events.map((event) => ({
    id: newId('obx'),
    tenant_id: event.tenantId,
    type: event.type,
    payload: canonicalJson(event.payload ?? null),
    created_at: event.at.toISOString(),
    status: 'pending',
    attempts: 0,
    next_attempt_at: event.at.toISOString(),
    last_error: null,
    delivered_at: null,
  }));
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await tx.insertInto('outbox').values(rows.slice(i, i + INSERT_CHUNK)).execute();
  }
  return rows.map((row) => row.id);
}
