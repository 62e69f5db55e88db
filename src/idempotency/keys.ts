import { type Clock, Conflict } from '../common/index.ts';
import { type Store, isUniqueViolation } from '../db/index.ts';

/** How long a key's answer is kept (as Stripe does): a retry after that runs as a new request. */
export const KEY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** A request still marked in progress after this long died with its process: a retry may take its key over. */
const ABANDONED_AFTER_MS = 60_000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** What a request carrying an Idempotency-Key does: run (it holds the key now), or answer as the first one did. */
export type Claim = { kind: 'run' } | { kind: 'replay'; statusCode: number; body: string };

/**
 * `Idempotency-Key` for state-changing requests, per tenant: the first request with a key runs and
 * its answer is stored; a retry with the same key and the same request gets that answer back and
 * changes nothing; the same key with a different request is refused (409), as is a retry while the
 * first is still running.
 */
export class IdempotencyKeys {
  private prunedAt = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Takes the key for this request, or says how the earlier request with it was answered. */
  async claim(tenantId: string, key: string, requestDigest: string): Promise<Claim> {
    await this.prune();
    const at = this.clock.now().toISOString();
    try {
      await this.store.db.insertInto('idempotency_keys').values({ tenant_id: tenantId, key, request_digest: requestDigest, status_code: null, response: null, created_at: at }).execute();
      return { kind: 'run' };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const row = await this.store.db.selectFrom('idempotency_keys').selectAll().where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirst();
    if (!row) return this.claim(tenantId, key, requestDigest);
    if (row.request_digest !== requestDigest) {
      throw new Conflict(`Idempotency-Key "${key}" was already used for a different request; use a new key for a new request.`, 'Idempotency-Key');
    }
    if (row.status_code !== null && row.response !== null) return { kind: 'replay', statusCode: row.status_code, body: row.response };
    if (this.clock.now().getTime() - Date.parse(row.created_at) < ABANDONED_AFTER_MS) {
      throw new Conflict(`A request with Idempotency-Key "${key}" is still in progress; retry once it has been answered.`, 'Idempotency-Key');
    }
    const taken = await this.store.db
      .updateTable('idempotency_keys')
      .set({ created_at: at })
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .where('created_at', '=', row.created_at)
      .where('status_code', 'is', null)
      .executeTakeFirst();
    if (taken.numUpdatedRows === 0n) throw new Conflict(`A request with Idempotency-Key "${key}" is still in progress; retry once it has been answered.`, 'Idempotency-Key');
    return { kind: 'run' };
  }

  /** Stores the answer of the request that holds the key. */
  async complete(tenantId: string, key: string, statusCode: number, body: string): Promise<void> {
    await this.store.db.updateTable('idempotency_keys').set({ status_code: statusCode, response: body }).where('tenant_id', '=', tenantId).where('key', '=', key).execute();
  }

  /** Lets go of the key after a failure that changed nothing the client can rely on (a 5xx): a retry runs again. */
  async release(tenantId: string, key: string): Promise<void> {
    await this.store.db.deleteFrom('idempotency_keys').where('tenant_id', '=', tenantId).where('key', '=', key).where('status_code', 'is', null).execute();
  }

  /** Drops keys past their retention, at most once an hour. */
  private async prune(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    await this.store.db.deleteFrom('idempotency_keys').where('created_at', '<', new Date(now - KEY_RETENTION_MS).toISOString()).execute();
  }
}
