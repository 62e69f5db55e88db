import { z } from 'zod';
import type { AuditLog } from '../audit/index.ts';
import { type Clock, TenantCache } from '../common/index.ts';
import { type Store, withTransaction } from '../db/index.ts';

/** The most requests per second a tenant may allow each of its keys. */
export const MAX_REQUESTS_PER_SECOND = 1_000_000;

/** `PUT /v1/rate-limit`: a whole number of requests per second per key, or null for the server's default. */
export const rateLimitInput = z
  .object({ requests_per_second: z.number().int('a whole number').min(1).max(MAX_REQUESTS_PER_SECOND).nullable() })
  .strict();

export type RateLimitInput = z.infer<typeof rateLimitInput>;

export interface RateLimitView {
  object: 'rate_limit';
  /** What each of the tenant's keys may make, per second. */
  requests_per_second: number;
  /** `tenant` when the tenant set it, `default` when it is the server's (`--rate-limit`). */
  source: 'tenant' | 'default';
  default: number;
}

/**
 * Each tenant's requests-per-second limit per API key, stored as data and cached per process: a change
 * holds at once in the process that made it and within a change-feed poll in the others.
 */
export class TenantRateLimits {
  private readonly cache: TenantCache<number | null>;

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    /** The server's limit, for tenants that set none. */
    readonly defaultPerSecond: number,
  ) {
    this.cache = new TenantCache((tenantId) => this.stored(tenantId));
    store.changes.changed.subscribe((tenantId) => this.cache.invalidate(tenantId));
  }

  /** The limit in force for the tenant's keys (cached: the request path reads no database). */
  async perSecond(tenantId: string): Promise<number> {
    return (await this.cache.get(tenantId)) ?? this.defaultPerSecond;
  }

  async get(tenantId: string): Promise<RateLimitView> {
    return this.view(await this.stored(tenantId));
  }

  /** Sets the tenant's limit (null: back to the server's default), audited. */
  async set(tenantId: string, input: RateLimitInput, actor: string): Promise<RateLimitView> {
    const value = input.requests_per_second;
    await withTransaction(this.store, async (tx) => {
      const before = await tx.selectFrom('tenant_rate_limits').select('requests_per_second').where('tenant_id', '=', tenantId).executeTakeFirst();
      if (value === null) {
        await tx.deleteFrom('tenant_rate_limits').where('tenant_id', '=', tenantId).execute();
      } else {
        const row = { requests_per_second: value, updated_at: this.clock.now().toISOString(), updated_by: actor };
        await tx
          .insertInto('tenant_rate_limits')
          .values({ tenant_id: tenantId, ...row })
          .onConflict((oc) => oc.column('tenant_id').doUpdateSet(row))
          .execute();
      }
      const payload = { before: before ? Number(before.requests_per_second) : null, after: value };
      await this.audit.append(tx, { tenantId, actor, action: 'rate_limit.set', target: tenantId, payload });
      await this.store.changes.record(tx, tenantId);
    });
    return this.get(tenantId);
  }

  private async stored(tenantId: string): Promise<number | null> {
    const row = await this.store.db.selectFrom('tenant_rate_limits').select('requests_per_second').where('tenant_id', '=', tenantId).executeTakeFirst();
    return row ? Number(row.requests_per_second) : null;
  }

  private view(stored: number | null): RateLimitView {
    return { object: 'rate_limit', requests_per_second: stored ?? this.defaultPerSecond, source: stored === null ? 'default' : 'tenant', default: this.defaultPerSecond };
  }
}
