import type { Kysely } from 'kysely';
import type { Dialect } from '../connection.ts';
import { autoIncrementId } from './helpers.ts';

/** Tenants' banks of known-image hashes (PDQ, MD5, SHA-256), and their image settings. */
export function hashBanks(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('hash_banks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('clause_id', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('threshold', 'integer', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('deleted_at', 'text')
        .execute();
      await db.schema.createIndex('hash_banks_tenant').on('hash_banks').columns(['tenant_id', 'deleted_at']).execute();

      await autoIncrementId(db.schema.createTable('hash_bank_entries'), dialect)
        .addColumn('bank_id', 'text', (c) => c.notNull().references('hash_banks.id'))
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('quality', 'integer')
        .addColumn('note', 'text')
        .addColumn('added_by', 'text', (c) => c.notNull())
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('hash_bank_entries_unique', ['bank_id', 'kind', 'hash'])
        .execute();

      await db.schema
        .createTable('image_settings')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
        .addColumn('fetch_urls', 'integer', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
