import { type Kysely, sql } from 'kysely';

/**
 * The audit chain's head (the last entry's seq and hash) kept in a table of its own, written in the
 * same transaction as every append: deleting entries from the end of the log, or all of them, no
 * longer leaves a chain that verifies. Seeded from the log as it stands (seq 0 and the genesis
 * hash when it is empty).
 */
export function auditHead() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await sql`
        insert into audit_head (id, seq, hash, updated_at)
        select 1, coalesce(max(seq), 0),
               coalesce((select hash from audit_log order by seq desc limit 1), ${'0'.repeat(64)}),
               ${new Date().toISOString()}
        from audit_log`.execute(db);
    },
  };
}
