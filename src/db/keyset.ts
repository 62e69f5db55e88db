import { type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * The rows strictly after a cursor's sort key, as one row-value comparison (`(created_at, id) > (?, ?)`,
 * or `<` for a list in descending order) that SQLite and PostgreSQL both evaluate and index alike.
 *
 * @example
 * db.selectFrom('api_keys').selectAll().where(afterKey(['created_at', 'id'], ['2026-01-01T00:00:00Z', 'key_1']))
 */
export function afterKey(columns: readonly string[], key: readonly (string | number)[], order: 'asc' | 'desc' = 'asc'): RawBuilder<SqlBool> {
  const left = sql.join(columns.map((column) => sql.ref(column)));
  const right = sql.join(key.map((value) => sql`${value}`));
  return sql<SqlBool>`(${left}) ${sql.raw(order === 'asc' ? '>' : '<')} (${right})`;
}
