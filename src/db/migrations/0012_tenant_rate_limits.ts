import type { Kysely } from 'kysely';

/** Each tenant's own requests-per-second limit per API key (issue 14); a tenant without a row gets the server's default. */
export function tenantRateLimits() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('tenant_rate_limits')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
        .addColumn('requests_per_second', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
