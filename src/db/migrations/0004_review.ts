import type { Kysely } from 'kysely';
import type { Dialect } from '../connection.ts';

/** Reports, review cases with leases, reviewers' decisions, and per-tenant review settings. */
export function review(dialect: Dialect) {
  const float = dialect === 'sqlite' ? 'real' : 'double precision';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('review_cases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text', (c) => c.notNull())
        .addColumn('target_key', 'text', (c) => c.notNull())
        // Equal to target_key while the case is unresolved, null after: the unique index below
        // makes every new report on a target merge into its one unresolved case.
        .addColumn('open_target_key', 'text')
        .addColumn('account_external_id', 'text')
        .addColumn('app_id', 'text')
        .addColumn('content_text', 'text')
        .addColumn('content_ref', 'text')
        .addColumn('content_type', 'text')
        .addColumn('content_digest', 'text')
        .addColumn('clause_ids', 'text', (c) => c.notNull())
        .addColumn('categories', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('classifier_score', float)
        .addColumn('classifier', 'text')
        .addColumn('report_count', 'integer', (c) => c.notNull())
        .addColumn('priority', float, (c) => c.notNull())
        .addColumn('child_safety', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('sla_due_at', 'text', (c) => c.notNull())
        .addColumn('lease_holder', 'text')
        .addColumn('lease_expires_at', 'text')
        .addColumn('appeal_id', 'text')
        .addColumn('appeal_statement', 'text')
        .addColumn('excluded_reviewers', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('closed_at', 'text')
        .addUniqueConstraint('review_cases_open_target', ['tenant_id', 'open_target_key'])
        .execute();
      await db.schema.createIndex('review_cases_queue').on('review_cases').columns(['tenant_id', 'status', 'priority']).execute();

      await db.schema
        .createTable('review_reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('case_id', 'text', (c) => c.notNull().references('review_cases.id'))
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('body_digest', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('reporter', 'text', (c) => c.notNull())
        .addColumn('submitted_by', 'text', (c) => c.notNull())
        .addColumn('clause_id', 'text')
        .addColumn('category', 'text')
        .addColumn('text', 'text')
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('review_reports_tenant_key', ['tenant_id', 'idempotency_key'])
        .execute();
      await db.schema.createIndex('review_reports_case').on('review_reports').columns(['case_id']).execute();

      await db.schema
        .createTable('review_decisions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('case_id', 'text', (c) => c.notNull().references('review_cases.id'))
        .addColumn('reviewer', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('clause_ids', 'text', (c) => c.notNull())
        .addColumn('category', 'text')
        .addColumn('terminate', 'integer', (c) => c.notNull())
        .addColumn('notes', 'text')
        .addColumn('classifier_score', float)
        .addColumn('agrees_with', 'text')
        .addColumn('enforcement_event_id', 'text')
        .addColumn('decided_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('review_decisions_case').on('review_decisions').columns(['case_id']).execute();
      await db.schema.createIndex('review_decisions_tenant_time').on('review_decisions').columns(['tenant_id', 'decided_at']).execute();

      await db.schema
        .createTable('review_settings')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
