import type { Kysely } from 'kysely';
import type { Dialect } from '../connection.ts';
import { autoIncrementId } from './helpers.ts';

/** Store submissions, their decisions and re-review jobs; webhook/email subscriptions and outbox deliveries. */
export function storeNotify(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('store_apps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('owner', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await autoIncrementId(db.schema.createTable('store_submissions'), dialect)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('app_id', 'text', (c) => c.notNull().references('store_apps.id'))
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('latest', 'integer', (c) => c.notNull())
        .addColumn('policy_version', 'text', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('submitted_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('store_submissions_app_revision', ['app_id', 'revision'])
        .execute();
      await db.schema.createIndex('store_submissions_tenant_status').on('store_submissions').columns(['tenant_id', 'latest', 'status', 'seq']).execute();

      await autoIncrementId(db.schema.createTable('store_decisions'), dialect)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('submission_id', 'text', (c) => c.notNull().references('store_submissions.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('policy_version', 'text', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('job_id', 'text')
        .addColumn('decided_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('store_decisions_submission').on('store_decisions').columns(['submission_id', 'seq']).execute();

      await autoIncrementId(db.schema.createTable('store_review_jobs'), dialect)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('policy_version', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('processed', 'integer', (c) => c.notNull())
        .addColumn('changed', 'integer', (c) => c.notNull())
        .addColumn('cursor', 'integer', (c) => c.notNull())
        .addColumn('last_submission_seq', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addUniqueConstraint('store_review_jobs_tenant_version', ['tenant_id', 'policy_version'])
        .execute();
      await db.schema.createIndex('store_review_jobs_status').on('store_review_jobs').columns(['status', 'seq']).execute();

      await db.schema
        .createTable('subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('email', 'text')
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('deleted_at', 'text')
        .execute();
      await db.schema.createIndex('subscriptions_tenant').on('subscriptions').column('tenant_id').execute();

      await autoIncrementId(db.schema.createTable('deliveries'), dialect)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('event_id', 'text', (c) => c.notNull().references('outbox.id'))
        .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('delivered_at', 'text')
        .addUniqueConstraint('deliveries_event_subscription', ['event_id', 'subscription_id'])
        .execute();
      await db.schema.createIndex('deliveries_due').on('deliveries').columns(['status', 'next_attempt_at']).execute();

      await autoIncrementId(db.schema.createTable('delivery_attempts'), dialect)
        .addColumn('delivery_id', 'text', (c) => c.notNull().references('deliveries.id'))
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('delivery_attempts_delivery').on('delivery_attempts').columns(['delivery_id', 'seq']).execute();
    },
  };
}
