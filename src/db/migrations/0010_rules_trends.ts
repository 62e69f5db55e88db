import type { Kysely } from 'kysely';
import type { Dialect } from '../connection.ts';
import { autoIncrementId } from './helpers.ts';

/**
 * Rules as data (issue 18): each tenant's rule versions, which one is live and which runs in
 * shadow, and the matches recorded; abuse trends: counters per time bucket and the spikes found.
 */
export function rulesTrends(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await autoIncrementId(db.schema.createTable('rule_versions'), dialect)
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('rule_versions_tenant_version', ['tenant_id', 'version'])
        .execute();

      await db.schema
        .createTable('rule_deployments')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
        .addColumn('live_version', 'text')
        .addColumn('shadow_version', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();

      await autoIncrementId(db.schema.createTable('rule_hits'), dialect)
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('subject_ref', 'text')
        .addColumn('account', 'text')
        .addColumn('actions', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('rule_hits_tenant_version').on('rule_hits').columns(['tenant_id', 'version', 'at']).execute();

      await db.schema
        .createTable('trend_counts')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('granularity', 'text', (c) => c.notNull())
        .addColumn('bucket_start', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('clause_id', 'text', (c) => c.notNull())
        .addColumn('surface', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('trend_counts_pk', ['tenant_id', 'granularity', 'bucket_start', 'category', 'clause_id', 'surface', 'source'])
        .execute();

      await db.schema
        .createTable('trend_spikes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('series', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('last_bucket', 'text', (c) => c.notNull())
        .addColumn('observed', 'integer', (c) => c.notNull())
        .addColumn('baseline', 'real', (c) => c.notNull())
        .addColumn('score', 'real', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('trend_spikes_tenant_series_start', ['tenant_id', 'series', 'started_at'])
        .execute();
      await db.schema.createIndex('trend_spikes_tenant_bucket').on('trend_spikes').columns(['tenant_id', 'last_bucket']).execute();
    },
  };
}
