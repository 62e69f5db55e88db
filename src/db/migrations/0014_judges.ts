import type { Kysely } from 'kysely';

/**
 * The policy-as-prompt judge (issue 16): each tenant's judge providers (an OpenAI-compatible
 * chat-completions endpoint; the API key encrypted or named by an environment variable), the
 * judge's answers cached by content digest and prompt (policy version + template version +
 * clauses and examples), every judged verdict, and the items waiting for a background judgement
 * (non-blocking and shadow modes; their text is deleted once judged).
 */
export function judges() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('judges')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('api_key_ciphertext', 'text')
        .addColumn('api_key_env', 'text')
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('judges_tenant_name', ['tenant_id', 'name'])
        .execute();

      await db.schema
        .createTable('judge_answers')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('judge_id', 'text', (c) => c.notNull())
        .addColumn('content_digest', 'text', (c) => c.notNull())
        .addColumn('prompt_digest', 'text', (c) => c.notNull())
        .addColumn('policy_version', 'text', (c) => c.notNull())
        .addColumn('template_version', 'text', (c) => c.notNull())
        .addColumn('answer', 'text', (c) => c.notNull())
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('judge_answers_pk', ['tenant_id', 'judge_id', 'content_digest', 'prompt_digest'])
        .execute();

      await db.schema
        .createTable('judge_verdicts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('moderation_id', 'text', (c) => c.notNull())
        .addColumn('item_index', 'integer', (c) => c.notNull())
        .addColumn('judge_id', 'text', (c) => c.notNull())
        .addColumn('judge_name', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('cached', 'integer', (c) => c.notNull())
        .addColumn('content_digest', 'text', (c) => c.notNull())
        .addColumn('policy_version', 'text', (c) => c.notNull())
        .addColumn('template_version', 'text', (c) => c.notNull())
        .addColumn('categories', 'text', (c) => c.notNull())
        .addColumn('local_clause_ids', 'text', (c) => c.notNull())
        .addColumn('judge_clause_ids', 'text')
        .addColumn('agreed', 'integer')
        .addColumn('unsure', 'integer', (c) => c.notNull())
        .addColumn('decided_by', 'text', (c) => c.notNull())
        .addColumn('answer', 'text')
        .addColumn('error_kind', 'text')
        .addColumn('error', 'text')
        .addColumn('latency_ms', 'integer')
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('judged_at', 'text')
        .addUniqueConstraint('judge_verdicts_item', ['tenant_id', 'moderation_id', 'item_index'])
        .execute();
      await db.schema.createIndex('judge_verdicts_judge').on('judge_verdicts').columns(['tenant_id', 'judge_id', 'created_at']).execute();

      await db.schema
        .createTable('judge_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('verdict_id', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('lease_expires_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('judge_jobs_due').on('judge_jobs').column('next_attempt_at').execute();
    },
  };
}
