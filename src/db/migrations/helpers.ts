import type { CreateTableBuilder } from 'kysely';
import type { Dialect } from '../connection.ts';

/** A `seq` primary key that both dialects number for us. */
export function autoIncrementId<T extends string>(table: CreateTableBuilder<T, never>, dialect: Dialect) {
  return dialect === 'sqlite'
    ? table.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
    : table.addColumn('seq', 'bigserial', (c) => c.primaryKey());
}
