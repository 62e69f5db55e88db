import { z } from 'zod';
import { InvalidInput } from '../common/index.ts';
import type { Queryable } from '../db/index.ts';
import { TREND_SOURCES } from './counts.ts';

/** Rows scanned per kind for one drill-down: the newest in the range first. */
const SCAN = 2_000;
/** The longest range one drill-down covers (a bucket of the coarsest granularity is a day). */
const MAX_RANGE_MS = 31 * 86_400_000;

export const trendItemsQuerySchema = z
  .object({
    from: z.string().datetime({ offset: true }),
    to: z.string().datetime({ offset: true }),
    category: z.string().max(64).optional(),
    clause: z.string().max(100).optional(),
    source: z.enum(TREND_SOURCES).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type TrendItemsQuery = z.infer<typeof trendItemsQuerySchema>;

export interface TrendItems {
  /** Enforcement events (moderation results that named an account, and /v1/events) with a matching violation. */
  events: { id: string; account: string; source: string; occurred_at: string; violations: { clause_id: string; category: string | null }[]; content_digest: string | null }[];
  /** Review cases opened in the range that allege the category or clause. */
  cases: { id: string; kind: string; status: string; priority: number; clause_ids: string[]; categories: string[]; account: string | null; created_at: string }[];
  /** Rule matches in the range (live and shadow), named by the moderation result they judged. */
  rule_hits: { rule: string; version: string; mode: string; subject_ref: string | null; account: string | null; at: string }[];
}

/**
 * The items behind a trends bucket: what a person opens to see why a line rose. Moderation inputs
 * are stored only where a side effect kept them (an account's event, a review case), so a
 * result that named no account and opened no case is counted in trends but has no item here.
 */
export async function trendItems(db: Queryable, tenantId: string, query: TrendItemsQuery): Promise<TrendItems> {
  const from = new Date(query.from).toISOString();
  const to = new Date(query.to).toISOString();
  if (to <= from) throw new InvalidInput('"to" must be after "from".', 'to');
  if (Date.parse(to) - Date.parse(from) > MAX_RANGE_MS) throw new InvalidInput('A drill-down covers at most 31 days.', 'to');
  const matches = (clause: string | null, category: string | null) => (query.clause === undefined || clause === query.clause) && (query.category === undefined || category === query.category);
  const [events, cases, hits] = await Promise.all([
    query.source === 'rule' || query.source === 'moderation' || query.source === undefined
      ? db.selectFrom('enforcement_events as e').innerJoin('accounts as a', 'a.id', 'e.account_id').select(['e.id', 'a.external_id', 'e.source', 'e.occurred_at', 'e.violations', 'e.content_digest']).where('e.tenant_id', '=', tenantId).where('e.occurred_at', '>=', from).where('e.occurred_at', '<', to).where('e.voided_at', 'is', null).orderBy('e.occurred_at', 'desc').limit(SCAN).execute()
      : [],
    db.selectFrom('review_cases').select(['id', 'kind', 'status', 'priority', 'clause_ids', 'categories', 'account_external_id', 'created_at']).where('tenant_id', '=', tenantId).where('created_at', '>=', from).where('created_at', '<', to).orderBy('created_at', 'desc').limit(SCAN).execute(),
    query.source === 'rule' || query.source === undefined
      ? db.selectFrom('rule_hits').select(['rule_id', 'version', 'mode', 'subject_ref', 'account', 'at']).where('tenant_id', '=', tenantId).where('at', '>=', from).where('at', '<', to).orderBy('seq', 'desc').limit(query.limit).execute()
      : [],
  ]);
  return {
    events: events
      .map((e) => ({ id: e.id, account: e.external_id, source: e.source, occurred_at: e.occurred_at, violations: (JSON.parse(e.violations) as { clause_id: string; category: string | null }[]).map((v) => ({ clause_id: v.clause_id, category: v.category ?? null })), content_digest: e.content_digest }))
      .filter((e) => e.violations.some((v) => matches(v.clause_id, v.category)))
      .slice(0, query.limit),
    cases: cases
      .map((c) => ({ id: c.id, kind: c.kind, status: c.status, priority: c.priority, clause_ids: JSON.parse(c.clause_ids) as string[], categories: JSON.parse(c.categories) as string[], account: c.account_external_id, created_at: c.created_at }))
      .filter((c) => (query.clause === undefined || c.clause_ids.includes(query.clause)) && (query.category === undefined || c.categories.includes(query.category)))
      .slice(0, query.limit),
    rule_hits: hits.map((h) => ({ rule: h.rule_id, version: h.version, mode: h.mode, subject_ref: h.subject_ref, account: h.account, at: h.at })),
  };
}
