import { sql } from 'kysely';
import { BufferedWriter, type Clock } from '../common/index.ts';
import type { Queryable, Store, TrendCountRow } from '../db/index.ts';

export const GRANULARITIES = ['minute', 'hour', 'day'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** Who decided: the automatic verdict, a tenant rule, a user report, a reviewer, the store's checks. */
export const TREND_SOURCES = ['moderation', 'rule', 'report', 'review', 'store'] as const;
export type TrendSource = (typeof TREND_SOURCES)[number];

export const GRANULARITY_MS: Record<Granularity, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * How long each granularity is kept: minutes for two days (the spike monitor and the console's
 * last-day view), hours for 90 days (the spike baseline needs 14), days for two years.
 */
export const RETENTION_DAYS: Record<Granularity, number> = { minute: 2, hour: 90, day: 730 };

export const TREND_FLUSH_MS = 5_000;

/** One counted verdict: absent dimensions are "" (stored so, to keep the key whole). */
export interface TrendPoint {
  tenantId: string;
  at: Date;
  category: string | null;
  clause: string | null;
  surface: string | null;
  source: TrendSource;
}

export function bucketStart(at: Date | number, granularity: Granularity): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  const size = GRANULARITY_MS[granularity];
  return new Date(Math.floor(ms / size) * size).toISOString();
}

const SEP = '\u0000';

/**
 * Counts verdicts per minute in memory and adds them to the minute, hour and day rows of
 * `trend_counts` in one transaction per flush (upserts that add), so recording costs the request
 * path a map update and the roll-ups are exact by construction. A failed flush keeps its counts
 * for the next one; a crash loses at most the last flush interval (they are statistics).
 */
export class TrendCounter extends BufferedWriter {
  private pending = new Map<string, number>();

  constructor(
    private readonly store: Store,
    clock: Clock,
  ) {
    super('trend counts', TREND_FLUSH_MS, clock, 3_600_000);
  }

  /** The last minute bucket computed, and its start: points come in time order, so most reuse it. */
  private minute = { index: Number.NaN, start: '' };

  record(point: TrendPoint): void {
    const key = `${point.tenantId}${SEP}${this.minuteStart(point.at)}${SEP}${point.category ?? ''}${SEP}${point.clause ?? ''}${SEP}${point.surface ?? ''}${SEP}${point.source}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
  }

  private minuteStart(at: Date): string {
    const index = Math.floor(at.getTime() / GRANULARITY_MS.minute);
    if (index !== this.minute.index) this.minute = { index, start: bucketStart(at, 'minute') };
    return this.minute.start;
  }

  /** Writes what is pending; returns how many minute keys it wrote. */
  async flush(): Promise<number> {
    if (!this.pending.size) return 0;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.store.db.transaction().execute(async (tx) => {
        for (const granularity of GRANULARITIES) await upsert(tx, rowsFor(batch, granularity));
      });
    } catch (error) {
      for (const [key, count] of batch) this.pending.set(key, (this.pending.get(key) ?? 0) + count);
      throw error;
    }
    return batch.size;
  }

  /** Deletes rows past each granularity's retention. */
  async prune(now: Date = this.clock.now()): Promise<number> {
    let deleted = 0;
    for (const granularity of GRANULARITIES) {
      const before = new Date(now.getTime() - RETENTION_DAYS[granularity] * 86_400_000).toISOString();
      const result = await this.store.db.deleteFrom('trend_counts').where('granularity', '=', granularity).where('bucket_start', '<', before).executeTakeFirst();
      deleted += Number(result.numDeletedRows);
    }
    return deleted;
  }

  protected override async upkeep(now: Date): Promise<void> {
    await this.prune(now);
  }
}

type CountRow = TrendCountRow;

/** Minute keys rolled up to one granularity, merged so each row appears once per statement. */
function rowsFor(batch: Map<string, number>, granularity: Granularity): CountRow[] {
  const rows = new Map<string, CountRow>();
  for (const [key, count] of batch) {
    const [tenant_id, minute, category, clause_id, surface, source] = key.split(SEP) as [string, string, string, string, string, string];
    const bucket = bucketStart(Date.parse(minute), granularity);
    const rowKey = [tenant_id, bucket, category, clause_id, surface, source].join(SEP);
    const row = rows.get(rowKey);
    if (row) row.count += count;
    else rows.set(rowKey, { tenant_id, granularity, bucket_start: bucket, category, clause_id, surface, source, count });
  }
  return [...rows.values()];
}

const CHUNK = 400;

async function upsert(db: Queryable, rows: CountRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto('trend_counts')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'granularity', 'bucket_start', 'category', 'clause_id', 'surface', 'source']).doUpdateSet({ count: sql<number>`trend_counts.count + excluded.count` }),
      )
      .execute();
  }
}
