import type { AuditLog } from '../audit/index.ts';
import { BackgroundLoop, type Clock, Conflict, NotFound, type PageRequest, type Sequenced, canonicalJson } from '../common/index.ts';
import { type DeliveryRow, type OutboxRow, type Store, type SubscriptionRow, afterKey } from '../db/index.ts';
import { type Mailer, emailFor } from './email.ts';
import type { OutboxEventType } from './outbox.ts';
import { standardWebhookHeaders } from './signature.ts';
import { postWebhook } from './webhook.ts';

export interface DeliveryOptions {
  /** Attempts before a delivery is dead-lettered. */
  maxAttempts: number;
  /** First retry delay; each later one doubles, up to maxDelayMs, then jitter takes up to half off. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** One attempt's whole budget (connect, send, response). */
  timeoutMs: number;
  /** Deliveries attempted at once. */
  concurrency: number;
  /** Rows fanned out or attempted per pass. */
  batchSize: number;
  /** Pause between passes of the background loop. */
  pollIntervalMs: number;
  allowPrivateNetworks: boolean;
  random: () => number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  maxAttempts: 8,
  baseDelayMs: 10_000,
  maxDelayMs: 60 * 60_000,
  timeoutMs: 10_000,
  concurrency: 8,
  batchSize: 100,
  pollIntervalMs: 1_000,
  allowPrivateNetworks: false,
  random: Math.random,
};

export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'cancelled';

export interface DeliveryView {
  object: 'delivery';
  id: string;
  event_id: string;
  event_type: string;
  subscription_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface AttemptView {
  attempt: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
}

export interface DeliveryStats {
  outbox_pending: number;
  deliveries: Record<DeliveryStatus, number>;
}

/** The body every webhook receives: the outbox event, identical on every retry. */
export function webhookBody(event: Pick<OutboxRow, 'id' | 'type' | 'created_at' | 'payload'>): string {
  return canonicalJson({ id: event.id, type: event.type, created_at: event.created_at, data: JSON.parse(event.payload) });
}

/** Exponential backoff with "equal jitter": half the doubled delay is fixed, the other half random. */
export function retryDelayMs(attempt: number, options: Pick<DeliveryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + options.random() * (ceiling / 2));
}

/**
 * Delivers outbox events to subscribers, at least once, away from the request path: each pass
 * fans new outbox events out into one delivery per matching subscription, then attempts the
 * deliveries that are due. An attempt first takes a lease (moves `next_attempt_at` past its
 * timeout), so a crash mid-attempt leaves a delivery that is retried once the lease runs out.
 */
export class DeliveryWorker {
  private readonly options: DeliveryOptions;
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly mailer: Mailer | null,
    options: Partial<DeliveryOptions> = {},
  ) {
    this.options = { ...DEFAULT_DELIVERY_OPTIONS, ...options };
    this.loop = new BackgroundLoop(
      'webhook delivery',
      async () => {
        const pass = await this.runOnce();
        return pass.fannedOut + pass.attempted;
      },
      this.options.pollIntervalMs,
    );
  }

  /** Starts the background loop. */
  start(): void {
    this.loop.start();
  }

  /** Stops the loop and waits for the pass in progress. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass: fan out, then attempt what is due. Returns how many attempts it made. */
  async runOnce(): Promise<{ fannedOut: number; attempted: number }> {
    const fannedOut = await this.fanOut();
    const due = await this.dueDeliveries();
    let attempted = 0;
    for (let i = 0; i < due.length; i += this.options.concurrency) {
      const results = await Promise.all(due.slice(i, i + this.options.concurrency).map((row) => this.attempt(row)));
      attempted += results.filter(Boolean).length;
    }
    return { fannedOut, attempted };
  }

  /** Runs passes until nothing is due now (tests and the CLI use it to drain). */
  async drain(maxPasses = 50): Promise<void> {
    for (let pass = 0; pass < maxPasses; pass += 1) {
      const { fannedOut, attempted } = await this.runOnce();
      if (fannedOut === 0 && attempted === 0) return;
    }
  }

  /** Newest first, a page at a time (cursor: seq). */
  async list(tenantId: string, filter: PageRequest & { status?: DeliveryStatus; subscriptionId?: string; eventId?: string }): Promise<Sequenced<DeliveryView>[]> {
    let query = this.store.db
      .selectFrom('deliveries')
      .innerJoin('outbox', 'outbox.id', 'deliveries.event_id')
      .selectAll('deliveries')
      .select('outbox.type as event_type')
      .where('deliveries.tenant_id', '=', tenantId);
    if (filter.status) query = query.where('deliveries.status', '=', filter.status);
    if (filter.subscriptionId) query = query.where('deliveries.subscription_id', '=', filter.subscriptionId);
    if (filter.eventId) query = query.where('deliveries.event_id', '=', filter.eventId);
    if (filter.after) query = query.where(afterKey(['deliveries.seq'], filter.after, 'desc'));
    const rows = await query.orderBy('deliveries.seq', 'desc').limit(filter.limit).execute();
    return rows.map((row) => ({ seq: Number(row.seq), view: deliveryView(row, row.event_type) }));
  }

  async get(tenantId: string, id: string): Promise<DeliveryView & { attempt_log: AttemptView[] }> {
    const row = await this.store.db
      .selectFrom('deliveries')
      .innerJoin('outbox', 'outbox.id', 'deliveries.event_id')
      .selectAll('deliveries')
      .select('outbox.type as event_type')
      .where('deliveries.tenant_id', '=', tenantId)
      .where('deliveries.id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFound(`Delivery "${id}"`, 'id');
    const attempts = await this.store.db
      .selectFrom('delivery_attempts')
      .select(['attempt', 'started_at', 'duration_ms', 'status_code', 'error'])
      .where('delivery_id', '=', id)
      .orderBy('seq')
      .execute();
    return { ...deliveryView(row, row.event_type), attempt_log: attempts };
  }

  /** An admin sends a dead (or delivered) delivery again, with a fresh set of attempts and the same event id. */
  async replay(tenantId: string, id: string, actor: string): Promise<DeliveryView & { attempt_log: AttemptView[] }> {
    const current = await this.get(tenantId, id);
    if (current.status === 'pending') throw new Conflict(`Delivery "${id}" is still pending.`, 'id');
    if (current.status === 'cancelled') throw new Conflict(`Delivery "${id}" belongs to a deleted subscription.`, 'id');
    await this.store.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: this.clock.now().toISOString(), last_error: null, delivered_at: null })
        .where('id', '=', id)
        .where('tenant_id', '=', tenantId)
        .execute();
      await this.audit.append(tx, { tenantId, actor, action: 'delivery.replayed', target: id, payload: { event_id: current.event_id, previous_status: current.status } });
    });
    return this.get(tenantId, id);
  }

  async stats(): Promise<DeliveryStats> {
    const [outbox, deliveries] = await Promise.all([
      this.store.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow(),
      this.store.db.selectFrom('deliveries').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute(),
    ]);
    const counts: Record<DeliveryStatus, number> = { pending: 0, delivered: 0, dead: 0, cancelled: 0 };
    for (const row of deliveries) counts[row.status as DeliveryStatus] = Number(row.n);
    return { outbox_pending: Number(outbox.n), deliveries: counts };
  }

  /** Turns pending outbox events into deliveries for the subscriptions that want them, in one transaction per event. */
  private async fanOut(): Promise<number> {
    const events = await this.store.db.selectFrom('outbox').selectAll().where('status', '=', 'pending').orderBy('seq').limit(this.options.batchSize).execute();
    for (const event of events) {
      await this.store.db.transaction().execute(async (tx) => {
        const subscriptions = await tx
          .selectFrom('subscriptions')
          .selectAll()
          .where('tenant_id', '=', event.tenant_id)
          .where('deleted_at', 'is', null)
          .execute();
        const now = this.clock.now().toISOString();
        const wanted = subscriptions.filter((s) => (JSON.parse(s.events) as string[]).includes(event.type));
        if (wanted.length) {
          await tx
            .insertInto('deliveries')
            .values(
              wanted.map((subscription) => ({
                id: `dlv_${event.id}_${subscription.id}`,
                tenant_id: event.tenant_id,
                event_id: event.id,
                subscription_id: subscription.id,
                status: 'pending',
                attempts: 0,
                next_attempt_at: now,
                last_error: null,
                created_at: now,
                delivered_at: null,
              })),
            )
            .onConflict((oc) => oc.columns(['event_id', 'subscription_id']).doNothing())
            .execute();
        }
        await tx.updateTable('outbox').set({ status: 'dispatched' }).where('id', '=', event.id).where('status', '=', 'pending').execute();
      });
    }
    return events.length;
  }

  private async dueDeliveries(): Promise<DeliveryRow[]> {
    return this.store.db
      .selectFrom('deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', this.clock.now().toISOString())
      .orderBy('next_attempt_at')
      .limit(this.options.batchSize)
      .execute();
  }

  /** Takes the lease, makes one attempt and records it. False when another worker had the lease. */
  private async attempt(row: DeliveryRow): Promise<boolean> {
    const started = this.clock.now();
    const leaseEnd = new Date(started.getTime() + this.options.timeoutMs * 3).toISOString();
    const claimed = await this.store.db
      .updateTable('deliveries')
      .set({ next_attempt_at: leaseEnd, attempts: row.attempts + 1 })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '=', row.next_attempt_at)
      .where('attempts', '=', row.attempts)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return false;
    const attempt = row.attempts + 1;

    const [event, subscription] = await Promise.all([
      this.store.db.selectFrom('outbox').selectAll().where('id', '=', row.event_id).executeTakeFirstOrThrow(),
      this.store.db.selectFrom('subscriptions').selectAll().where('id', '=', row.subscription_id).executeTakeFirstOrThrow(),
    ]);
    if (subscription.deleted_at) {
      await this.store.db.updateTable('deliveries').set({ status: 'cancelled', last_error: 'subscription deleted' }).where('id', '=', row.id).execute();
      return true;
    }
    const wallStart = performance.now();
    const outcome = await this.send(event, subscription, row.id, attempt, started);
    const durationMs = Math.round(performance.now() - wallStart);
    await this.record(row, attempt, started, durationMs, outcome);
    return true;
  }

  private async send(event: OutboxRow, subscription: SubscriptionRow, deliveryId: string, attempt: number, at: Date): Promise<{ ok: boolean; statusCode: number | null; error: string | null }> {
    if (subscription.kind === 'email') {
      if (!this.mailer) return { ok: false, statusCode: null, error: 'e-mail is not configured (set WARDEN_SMTP_URL)' };
      const { subject, text } = emailFor(event.type as OutboxEventType, JSON.parse(event.payload));
      try {
        await this.mailer.send({ to: subscription.email!, subject, text, eventId: event.id });
        return { ok: true, statusCode: null, error: null };
      } catch (error) {
        return { ok: false, statusCode: null, error: `SMTP: ${(error as Error).message}` };
      }
    }
    const body = webhookBody(event);
    return postWebhook({
      url: subscription.url!,
      body,
      headers: {
        ...standardWebhookHeaders(subscription.secret!, event.id, body, at),
        'Warden-Event-Type': event.type,
        'Warden-Delivery-Id': deliveryId,
        'Warden-Delivery-Attempt': String(attempt),
      },
      timeoutMs: this.options.timeoutMs,
      allowPrivateNetworks: this.options.allowPrivateNetworks,
    });
  }

  private async record(row: DeliveryRow, attempt: number, started: Date, durationMs: number, outcome: { ok: boolean; statusCode: number | null; error: string | null }): Promise<void> {
    const now = this.clock.now();
    const dead = !outcome.ok && attempt >= this.options.maxAttempts;
    const status: DeliveryStatus = outcome.ok ? 'delivered' : dead ? 'dead' : 'pending';
    const nextAttemptAt = status === 'pending' ? new Date(now.getTime() + retryDelayMs(attempt, this.options)).toISOString() : now.toISOString();
    await this.store.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('delivery_attempts')
        .values({ delivery_id: row.id, tenant_id: row.tenant_id, attempt, started_at: started.toISOString(), duration_ms: durationMs, status_code: outcome.statusCode, error: outcome.error })
        .execute();
      await tx
        .updateTable('deliveries')
        .set({ status, next_attempt_at: nextAttemptAt, last_error: outcome.error, delivered_at: outcome.ok ? now.toISOString() : null })
        .where('id', '=', row.id)
        .where('attempts', '=', attempt)
        .execute();
      if (dead) {
        await this.audit.append(tx, { tenantId: row.tenant_id, actor: 'system:notify', action: 'delivery.dead_lettered', target: row.id, payload: { event_id: row.event_id, attempts: attempt, last_error: outcome.error } });
      }
    });
  }
}

function deliveryView(row: DeliveryRow, eventType: string): DeliveryView {
  return {
    object: 'delivery',
    id: row.id,
    event_id: row.event_id,
    event_type: eventType,
    subscription_id: row.subscription_id,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? row.next_attempt_at : null,
    last_error: row.last_error,
    created_at: row.created_at,
    delivered_at: row.delivered_at,
  };
}
