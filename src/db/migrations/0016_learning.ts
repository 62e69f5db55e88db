import type { Kysely } from 'kysely';
import type { Dialect } from '../connection.ts';

/**
 * Learning from the tenant's own decisions (issue 17): the labelled examples that reviewers' final
 * decisions, appeals and admins' uploads give; the tenant models trained from them; which model a
 * tenant serves and which runs in shadow; and the shadow's running tally against the served verdicts.
 */
export function learning(dialect: Dialect) {
  const float = dialect === 'sqlite' ? 'real' : 'double precision';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('training_examples')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('content_digest', 'text', (c) => c.notNull())
        .addColumn('text', 'text')
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('clause_ids', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('source_ref', 'text')
        .addColumn('decided_by', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('training_examples_content').unique().on('training_examples').columns(['tenant_id', 'content_digest']).execute();
      await db.schema.createIndex('training_examples_list').on('training_examples').columns(['tenant_id', 'created_at', 'id']).execute();
      await db.schema
        .createTable('tenant_models')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('base_model', 'text', (c) => c.notNull())
        .addColumn('progress', float, (c) => c.notNull())
        .addColumn('examples', 'integer', (c) => c.notNull())
        .addColumn('card', 'text')
        .addColumn('weights', 'text')
        .addColumn('error', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema.createIndex('tenant_models_list').on('tenant_models').columns(['tenant_id', 'created_at', 'id']).execute();
      await db.schema
        .createTable('model_deployments')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('active_model_id', 'text')
        .addColumn('shadow_model_id', 'text')
        .addColumn('previous_model_ids', 'text', (c) => c.notNull())
        .addColumn('tolerance', float, (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('model_shadow_tallies')
        .addColumn('model_id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('compared', 'bigint', (c) => c.notNull())
        .addColumn('disagreed', 'bigint', (c) => c.notNull())
        .addColumn('by_category', 'text', (c) => c.notNull())
        .addColumn('examples', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
