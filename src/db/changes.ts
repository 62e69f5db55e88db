import { type Kysely, sql } from 'kysely';
import { Hooks } from '../common/index.ts';
import type { Tables } from './schema.ts';
import { afterCommit } from './transactions.ts';
import type { Tx } from './connection.ts';

/** The row that counts every change, so that a process learns with one primary-key read whether anything changed. */
const EVERY_TENANT = '*';
/** How often a process looks for changes other processes made: the bound on how long its caches may be stale. */
export const CHANGE_POLL_MS = 250;

/**
 * Tells every process sharing the database when a tenant's cached settings (policy, thresholds,
 * enforcement policy, review settings, API keys) changed. The change bumps the tenant's generation
 * in its own transaction; the process that made it hears of it as soon as it commits, and every other
 * process within CHANGE_POLL_MS, by polling one row. A poll rather than PostgreSQL's LISTEN/NOTIFY:
 * it works the same on SQLite (several processes on one file, the CLI beside a server) and survives
 * a dropped connection without missing a change.
 */
export class ChangeFeed {
  /** Told of each changed tenant, or of null when anything may have changed (caches then drop everything). */
  readonly changed = new Hooks<[tenantId: string | null]>();
  private seen: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly db: Kysely<Tables>) {}

  /** Records, in the changing transaction (run by withTransaction), that the tenant's settings changed. */
  async record(tx: Tx, tenantId: string): Promise<void> {
    const { generation } = await tx
      .insertInto('cache_generations')
      .values({ tenant_id: EVERY_TENANT, generation: 1 })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ generation: sql`cache_generations.generation + 1` }))
      .returning('generation')
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('cache_generations')
      .values({ tenant_id: tenantId, generation })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ generation }))
      .execute();
    afterCommit(tx, () => this.changed.run(tenantId));
  }

  /** Starts polling for other processes' changes (idempotent); the timer never holds the process open. */
  watch(intervalMs = CHANGE_POLL_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.polling ??= this.poll()
        .catch(() => undefined) // the database is away: the next poll tries again, and caches keep their values
        .finally(() => (this.polling = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  /** One look at the counter; tells listeners of every tenant changed since the last look. */
  async poll(): Promise<void> {
    const row = await this.db.selectFrom('cache_generations').select('generation').where('tenant_id', '=', EVERY_TENANT).executeTakeFirst();
    const current = Number(row?.generation ?? 0);
    const seen = this.seen;
    if (seen === current) return;
    this.seen = current;
    // The first look cannot know what changed before it: everything cached so far is dropped.
    if (seen === null) return this.changed.run(null);
    const changed = await this.db
      .selectFrom('cache_generations')
      .select('tenant_id')
      .where('generation', '>', seen)
      .where('tenant_id', '<>', EVERY_TENANT)
      .execute();
    for (const { tenant_id } of changed) await this.changed.run(tenant_id);
  }
}
