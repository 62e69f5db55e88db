import type { Kysely } from 'kysely';
import type { Dialect } from '../connection.ts';

/** Per-tenant overrides of the detection model's per-category thresholds. */
export function detection(_dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('moderation_thresholds')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('threshold', 'double precision', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('moderation_thresholds_pk', ['tenant_id', 'category'])
        .execute();
    },
  };
}
