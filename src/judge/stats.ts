import type { Db } from '../db/index.ts';

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * How a judge did over a window: verdicts by mode and status, failures by kind, how often it
 * agreed with the local model on the clauses it judged (shadow mode's comparison), how often it
 * was unsure, and its latency.
 */
export async function judgeStats(db: Db, tenantId: string, judgeId: string, from: Date, to: Date) {
  const rows = await db
    .selectFrom('judge_verdicts')
    .select(['mode', 'status', 'cached', 'agreed', 'unsure', 'error_kind', 'latency_ms'])
    .where('tenant_id', '=', tenantId)
    .where('judge_id', '=', judgeId)
    .where('created_at', '>=', from.toISOString())
    .where('created_at', '<', to.toISOString())
    .limit(100_000)
    .execute();
  const count = <T extends string>(values: (T | null)[]) => values.reduce<Record<string, number>>((acc, v) => (v === null ? acc : { ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
  const compared = rows.filter((r) => r.agreed !== null);
  const latencies = rows.filter((r) => r.latency_ms !== null && !r.cached).map((r) => r.latency_ms!).sort((a, b) => a - b);
  const agreement = (subset: typeof rows) => {
    const c = subset.filter((r) => r.agreed !== null);
    return { n: c.length, agreed: c.filter((r) => r.agreed === 1).length, rate: c.length ? round(c.filter((r) => r.agreed === 1).length / c.length) : null };
  };
  return {
    object: 'judge.stats' as const,
    from: from.toISOString(),
    to: to.toISOString(),
    verdicts: rows.length,
    by_mode: count(rows.map((r) => r.mode)),
    by_status: count(rows.map((r) => r.status)),
    failures: count(rows.map((r) => r.error_kind)),
    cached: rows.filter((r) => r.cached === 1).length,
    unsure: rows.filter((r) => r.unsure === 1).length,
    agreement_with_local: { ...agreement(compared), shadow: agreement(rows.filter((r) => r.mode === 'shadow')) },
    latency_ms: { n: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
