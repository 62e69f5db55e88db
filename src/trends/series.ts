import { z } from 'zod';
import { InvalidInput } from '../common/index.ts';
import type { Queryable } from '../db/index.ts';
import { GRANULARITIES, GRANULARITY_MS, type Granularity, TREND_SOURCES, bucketStart } from './counts.ts';

export const MAX_POINTS = 2_000;
const DIMENSIONS = { category: 'category', clause: 'clause_id', surface: 'surface', source: 'source' } as const;

export const trendQuerySchema = z
  .object({
    granularity: z.enum(GRANULARITIES).default('hour'),
    from: z.string().datetime({ offset: true }),
    to: z.string().datetime({ offset: true }),
    category: z.string().max(64).optional(),
    clause: z.string().max(100).optional(),
    surface: z.string().max(32).optional(),
    source: z.enum(TREND_SOURCES).optional(),
    /** One series per value of this dimension, or one series in all (`none`). */
    group_by: z.enum(['category', 'clause', 'surface', 'source', 'none']).default('category'),
  })
  .strict();
export type TrendQuery = z.infer<typeof trendQuerySchema>;

export interface TrendSeries {
  /** The group's value ("" where the dimension was absent), or null for `group_by=none`. */
  key: string | null;
  total: number;
  points: { bucket: string; count: number }[];
}

/** Counts per bucket in [from, to), one zero-filled series per group, largest total first. */
export async function querySeries(db: Queryable, tenantId: string, query: TrendQuery): Promise<{ granularity: Granularity; from: string; to: string; series: TrendSeries[] }> {
  const size = GRANULARITY_MS[query.granularity];
  const from = Date.parse(bucketStart(new Date(query.from), query.granularity));
  const to = Date.parse(query.to);
  if (to <= from) throw new InvalidInput('"to" must be after "from".', 'to');
  const buckets = Math.ceil((to - from) / size);
  if (buckets > MAX_POINTS) throw new InvalidInput(`At most ${MAX_POINTS} buckets per series; use a coarser granularity or a shorter range.`, 'granularity');
  const group = query.group_by === 'none' ? null : DIMENSIONS[query.group_by];
  let select = db
    .selectFrom('trend_counts')
    .select((eb) => ['bucket_start', eb.fn.sum<number | string>('count').as('count')])
    .where('tenant_id', '=', tenantId)
    .where('granularity', '=', query.granularity)
    .where('bucket_start', '>=', new Date(from).toISOString())
    .where('bucket_start', '<', new Date(to).toISOString());
  for (const [param, column] of Object.entries(DIMENSIONS)) {
    const value = query[param as keyof typeof DIMENSIONS];
    if (value !== undefined) select = select.where(column, '=', value);
  }
  const rows = group
    ? await select.select(`${group} as key`).groupBy(['bucket_start', group]).execute()
    : await select.groupBy('bucket_start').execute();
  const byKey = new Map<string | null, Map<string, number>>();
  for (const row of rows as { bucket_start: string; count: number | string; key?: string }[]) {
    const key = group ? row.key! : null;
    const points = byKey.get(key) ?? new Map<string, number>();
    points.set(row.bucket_start, Number(row.count));
    byKey.set(key, points);
  }
  const series = [...byKey].map(([key, points]) => {
    const filled = Array.from({ length: buckets }, (_, i) => {
      const bucket = new Date(from + i * size).toISOString();
      return { bucket, count: points.get(bucket) ?? 0 };
    });
    return { key, total: filled.reduce((sum, p) => sum + p.count, 0), points: filled };
  });
  series.sort((a, b) => b.total - a.total || String(a.key).localeCompare(String(b.key)));
  return { granularity: query.granularity, from: new Date(from).toISOString(), to: new Date(to).toISOString(), series };
}
