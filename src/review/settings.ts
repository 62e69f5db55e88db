import { z } from 'zod';
import { zodToInvalidInput } from '../common/index.ts';
import { SEVERITIES } from '../policy/index.ts';
import { type Queryable, type Tx, withTransaction } from '../db/index.ts';
import type { ReviewContext } from './context.ts';

const probability = z.number().min(0).max(1);
/** A deadline up to a year out: any longer is no deadline, and an unbounded one is no valid date. */
const slaHours = z.number().positive().max(24 * 366);

export const reviewSettingsSchema = z
  .object({
    automatic_cases: z
      .object({
        enabled: z.boolean(),
        /** A moderation result whose highest score lies in [low, high) is one the classifier is unsure of. */
        uncertainty_band: z
          .object({ low: probability, high: probability })
          .strict()
          .refine((band) => band.low < band.high, { message: 'low must be below high', path: ['low'] }),
        /** A violation of a clause of one of these severities opens a case whatever its score. */
        severities: z.array(z.enum(SEVERITIES)),
      })
      .strict(),
    lease_minutes: z.number().int().min(1).max(24 * 60),
    sla_hours: z.object({ low: slaHours, medium: slaHours, high: slaHours, critical: slaHours }).strict(),
  })
  .strict();

export type ReviewSettings = z.infer<typeof reviewSettingsSchema>;

export const DEFAULT_REVIEW_SETTINGS: ReviewSettings = {
  automatic_cases: { enabled: true, uncertainty_band: { low: 0.4, high: 0.7 }, severities: ['high', 'critical'] },
  lease_minutes: 15,
  sla_hours: { low: 72, medium: 24, high: 8, critical: 1 },
};

export function validateReviewSettings(input: unknown): ReviewSettings {
  const result = reviewSettingsSchema.safeParse(input);
  if (!result.success) throw zodToInvalidInput(result.error);
  return result.data;
}

export async function loadSettings(db: Queryable, tenantId: string): Promise<ReviewSettings> {
  const row = await db.selectFrom('review_settings').select('settings').where('tenant_id', '=', tenantId).executeTakeFirst();
  return row ? (JSON.parse(row.settings) as ReviewSettings) : DEFAULT_REVIEW_SETTINGS;
}

export async function saveSettings(context: ReviewContext, tenantId: string, input: unknown, actor: string): Promise<ReviewSettings> {
  const settings = validateReviewSettings(input);
  const at = context.clock.now().toISOString();
  await withTransaction(context.store, async (tx: Tx) => {
    await tx
      .insertInto('review_settings')
      .values({ tenant_id: tenantId, settings: JSON.stringify(settings), updated_at: at, updated_by: actor })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ settings: JSON.stringify(settings), updated_at: at, updated_by: actor }))
      .execute();
    await context.audit.append(tx, { tenantId, actor, action: 'review.settings_updated', target: tenantId, payload: settings });
    await context.store.changes.record(tx, tenantId);
  });
  return settings;
}
