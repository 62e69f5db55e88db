import type { Kysely } from 'kysely';

/**
 * The moderation hot path (issue 13): a generation counter per tenant that processes poll to drop
 * cached settings another process changed; stored responses for `Idempotency-Key`; and a ledger of
 * the moderation requests whose side effects committed, so a retry without a key is not counted twice.
 */
export function hotPath() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('cache_generations')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('generation', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_digest', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('response', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'key'])
        .execute();
      await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();
      await db.schema
        .createTable('moderation_requests')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('moderation_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('moderation_requests_pk', ['tenant_id', 'fingerprint'])
        .execute();
      await db.schema.createIndex('moderation_requests_created').on('moderation_requests').column('created_at').execute();
    },
  };
}
