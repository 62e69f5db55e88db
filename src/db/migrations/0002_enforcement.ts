import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../connection.ts';
import { autoIncrementId } from './helpers.ts';

/** Accounts' standing, violation events, actions, exemptions, appeals, child-safety reports, and the outbox. */
export function enforcement(dialect: Dialect) {
  const float = dialect === 'sqlite' ? 'real' : 'double precision';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await autoIncrementId(db.schema.createTable('enforcement_policies'), dialect)
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text', (c) => c.notNull())
        .addColumn('published_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('enforcement_policies_tenant_version', ['tenant_id', 'version'])
        .execute();

      await db.schema
        .createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('score', float, (c) => c.notNull())
        .addColumn('score_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('accounts_tenant_external', ['tenant_id', 'external_id'])
        .execute();

      await autoIncrementId(db.schema.createTable('enforcement_events'), dialect)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('body_digest', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addColumn('violations', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text')
        .addColumn('weight', float, (c) => c.notNull())
        .addColumn('content_digest', 'text')
        .addColumn('content_type', 'text')
        .addColumn('reviewer', 'text')
        .addColumn('policy_version', 'text', (c) => c.notNull())
        .addColumn('enforcement_version', 'text', (c) => c.notNull())
        .addColumn('child_safety', 'integer', (c) => c.notNull())
        .addColumn('retention_hold', 'integer', (c) => c.notNull())
        .addColumn('voided_at', 'text')
        .addColumn('voided_by', 'text')
        .addColumn('result', 'text', (c) => c.notNull())
        .addUniqueConstraint('enforcement_events_tenant_key', ['tenant_id', 'idempotency_key'])
        .execute();
      await db.schema.createIndex('enforcement_events_account').on('enforcement_events').columns(['account_id', 'seq']).execute();

      await autoIncrementId(db.schema.createTable('enforcement_actions'), dialect)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('rung', 'text', (c) => c.notNull())
        .addColumn('previous_rung', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('enforcement_version', 'text', (c) => c.notNull())
        .addColumn('taken_at', 'text', (c) => c.notNull())
        .addColumn('ends_at', 'text')
        .addColumn('reversed_at', 'text')
        .addColumn('reversed_by', 'text')
        .addColumn('reversal_reason', 'text')
        .execute();
      await db.schema.createIndex('enforcement_actions_account').on('enforcement_actions').columns(['account_id', 'seq']).execute();

      await db.schema
        .createTable('exemptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('clause_ids', 'text', (c) => c.notNull())
        .addColumn('categories', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('granted_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_by', 'text')
        .execute();
      await db.schema.createIndex('exemptions_account').on('exemptions').column('account_id').execute();

      await db.schema
        .createTable('appeals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('action_id', 'text', (c) => c.notNull().references('enforcement_actions.id'))
        .addColumn('statement', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('opened_at', 'text', (c) => c.notNull())
        .addColumn('opened_by', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('decision_reason', 'text')
        .execute();
      await db.schema.createIndex('appeals_account').on('appeals').column('account_id').execute();

      await db.schema
        .createTable('child_safety_reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('tenant_name', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('account_external_id', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('incident_at', 'text', (c) => c.notNull())
        .addColumn('content_digest', 'text')
        .addColumn('content_type', 'text')
        .addColumn('detection_source', 'text', (c) => c.notNull())
        .addColumn('reviewer', 'text')
        .addColumn('clause_ids', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('external_report_id', 'text')
        .addColumn('submitted_at', 'text')
        .addColumn('submitted_by', 'text')
        .addColumn('retention_hold', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('child_safety_reports_tenant').on('child_safety_reports').columns(['tenant_id', 'created_at']).execute();

      await autoIncrementId(db.schema.createTable('outbox'), dialect)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text')
        .addColumn('last_error', 'text')
        .addColumn('delivered_at', 'text')
        .execute();
      await db.schema.createIndex('outbox_pending').on('outbox').columns(['status', 'next_attempt_at']).execute();

      await protectHeldRows(db, dialect);
    },
  };
}

/**
 * Child-safety records under a retention hold can never be deleted, whatever code asks:
 * the database itself refuses, so no retention job or appeal path can remove them by mistake.
 */
async function protectHeldRows(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') {
    for (const table of ['child_safety_reports', 'enforcement_events']) {
      await sql
        .raw(
          `create trigger ${table}_retention_hold before delete on ${table} when old.retention_hold = 1 ` +
            `begin select raise(abort, 'retention hold: ${table} row cannot be deleted'); end`,
        )
        .execute(db);
    }
    return;
  }
  await sql
    .raw(
      `create function warden_refuse_held_delete() returns trigger language plpgsql as $$ ` +
        `begin if old.retention_hold = 1 then raise exception 'retention hold: % row cannot be deleted', tg_table_name; end if; return old; end $$`,
    )
    .execute(db);
  for (const table of ['child_safety_reports', 'enforcement_events']) {
    await sql
      .raw(`create trigger ${table}_retention_hold before delete on ${table} for each row execute function warden_refuse_held_delete()`)
      .execute(db);
  }
}
