import type { Kysely } from 'kysely';

/**
 * A reviewer's child-safety finding takes effect at once and a second reviewer confirms it or not:
 * the report record keeps that outcome. A review case may stand for something another domain
 * waits on (a store submission needing review): `source_ref` names it.
 */
export function reviewIntegration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('child_safety_reports').addColumn('confirmation', 'text').execute();
      await db.schema.alterTable('child_safety_reports').addColumn('confirmation_by', 'text').execute();
      await db.schema.alterTable('child_safety_reports').addColumn('confirmation_at', 'text').execute();
      await db.schema.alterTable('review_cases').addColumn('source_ref', 'text').execute();
    },
  };
}
