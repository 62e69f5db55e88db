import { z } from 'zod';
import type { AuditLog } from '../audit/index.ts';
import { ALL_CATEGORIES, type Category, type Clock } from '../common/index.ts';
import { type Store, withTransaction } from '../db/index.ts';
import type { Scores } from './violations.ts';

/** A tenant's thresholds: category → a score in (0, 1]. 0 would flag everything, so it is refused. */
export const thresholdOverridesSchema = z
  .record(z.enum(ALL_CATEGORIES), z.number().gt(0, 'a threshold is above 0').lte(1, 'a threshold is at most 1'))
  .refine((value) => Object.keys(value).length <= ALL_CATEGORIES.length);

/** Each tenant's overrides of the detection model's per-category thresholds, stored as data. */
export class ThresholdOverrides {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async get(tenantId: string): Promise<Scores> {
    const rows = await this.store.db
      .selectFrom('moderation_thresholds')
      .select(['category', 'threshold'])
      .where('tenant_id', '=', tenantId)
      .execute();
    return Object.fromEntries(rows.map((row) => [row.category as Category, Number(row.threshold)]));
  }

  /** Replaces the tenant's whole set of overrides (an empty set restores the model's defaults). */
  async replace(tenantId: string, overrides: Scores, actor: string): Promise<Scores> {
    const now = this.clock.now().toISOString();
    await withTransaction(this.store, async (tx) => {
      const before = await tx
        .selectFrom('moderation_thresholds')
        .select(['category', 'threshold'])
        .where('tenant_id', '=', tenantId)
        .execute();
      await tx.deleteFrom('moderation_thresholds').where('tenant_id', '=', tenantId).execute();
      const rows = (Object.entries(overrides) as [Category, number][]).map(([category, threshold]) => ({
        tenant_id: tenantId,
        category,
        threshold,
        updated_at: now,
        updated_by: actor,
      }));
      if (rows.length) await tx.insertInto('moderation_thresholds').values(rows).execute();
      await this.audit.append(tx, {
        tenantId,
        actor,
        action: 'moderation.thresholds_replaced',
        target: tenantId,
        payload: { before: Object.fromEntries(before.map((r) => [r.category, Number(r.threshold)])), after: overrides },
      });
      await this.store.changes.record(tx, tenantId);
    });
    return this.get(tenantId);
  }
}
