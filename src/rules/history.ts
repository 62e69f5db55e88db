import type { Category } from '../common/index.ts';
import type { Queryable } from '../db/index.ts';
import type { RuleSubject, TextField } from './compile.ts';
import type { RuleSource, RuleSurface } from './document.ts';
import { STANDINGS } from './document.ts';

/** One stored item a backtest replays, as a rule sees it, and how to find it again. */
export interface HistoryItem {
  ref: string;
  subject: RuleSubject;
}

export interface HistoryRange {
  from: Date;
  to: Date;
  sources: readonly RuleSource[];
}

/** The most items one backtest replays; a longer range is cut (and says so). */
export const MAX_BACKTEST_ITEMS = 100_000;

interface StoredViolation {
  clause_id: string;
  category: string | null;
  score: number | null;
}

interface StoredEvidence {
  detector?: string;
  kind?: string;
  /** Present on a hash-bank match. */
  match?: { bank_id?: string };
}

/**
 * A tenant's stored history in [from, to), oldest first: accounts' moderation violations
 * (enforcement events from /v1/moderations and /v1/events), user reports, and store submissions.
 * Moderation inputs are kept only as digests, so text conditions see the text of reports and
 * listings but never of moderation calls. Each account's standing is the one in force at the
 * item's time, from its enforcement actions.
 */
export async function loadHistory(db: Queryable, tenantId: string, range: HistoryRange): Promise<{ items: HistoryItem[]; truncated: boolean }> {
  const from = range.from.toISOString();
  const to = range.to.toISOString();
  const limit = MAX_BACKTEST_ITEMS + 1;
  const [events, reports, submissions, accounts] = await Promise.all([
    range.sources.includes('moderation')
      ? db
          .selectFrom('enforcement_events as e')
          .innerJoin('accounts as a', 'a.id', 'e.account_id')
          .select(['e.id', 'e.source', 'e.occurred_at', 'e.violations', 'e.evidence', 'e.content_type', 'a.external_id', 'a.id as account_id'])
          .where('e.tenant_id', '=', tenantId)
          .where('e.occurred_at', '>=', from)
          .where('e.occurred_at', '<', to)
          .where('e.voided_at', 'is', null)
          .orderBy('e.occurred_at')
          .limit(limit)
          .execute()
      : [],
    range.sources.includes('report')
      ? db
          .selectFrom('review_reports as r')
          .innerJoin('review_cases as c', 'c.id', 'r.case_id')
          .select(['r.id', 'r.created_at', 'r.clause_id', 'r.category', 'r.text', 'c.account_external_id', 'c.app_id', 'c.content_type'])
          .where('r.tenant_id', '=', tenantId)
          .where('r.created_at', '>=', from)
          .where('r.created_at', '<', to)
          .orderBy('r.created_at')
          .limit(limit)
          .execute()
      : [],
    range.sources.includes('submission')
      ? db
          .selectFrom('store_submissions')
          .select(['id', 'app_id', 'created_at', 'fields', 'reasons'])
          .where('tenant_id', '=', tenantId)
          .where('created_at', '>=', from)
          .where('created_at', '<', to)
          .orderBy('created_at')
          .limit(limit)
          .execute()
      : [],
    accountTimelines(db, tenantId, to),
  ]);
  const items: HistoryItem[] = [
    ...events.map((e) => moderationItem(tenantId, e, accounts)),
    ...reports.map((r) => reportItem(tenantId, r, accounts)),
    ...submissions.map((s) => submissionItem(tenantId, s)),
  ].sort((a, b) => a.subject.at - b.subject.at || a.ref.localeCompare(b.ref));
  return { items: items.slice(0, MAX_BACKTEST_ITEMS), truncated: items.length > MAX_BACKTEST_ITEMS };
}

interface AccountTimeline {
  createdAt: number;
  actions: { rung: string; from: number; until: number }[];
}

/** Each account's creation time and the spans its enforcement actions were in force. */
async function accountTimelines(db: Queryable, tenantId: string, to: string): Promise<Map<string, AccountTimeline>> {
  const [accounts, actions] = await Promise.all([
    db.selectFrom('accounts').select(['external_id', 'created_at']).where('tenant_id', '=', tenantId).where('created_at', '<', to).execute(),
    db
      .selectFrom('enforcement_actions as x')
      .innerJoin('accounts as a', 'a.id', 'x.account_id')
      .select(['a.external_id', 'x.rung', 'x.taken_at', 'x.ends_at', 'x.reversed_at'])
      .where('x.tenant_id', '=', tenantId)
      .where('x.taken_at', '<', to)
      .execute(),
  ]);
  const out = new Map<string, AccountTimeline>(accounts.map((a) => [a.external_id, { createdAt: Date.parse(a.created_at), actions: [] }]));
  for (const action of actions) {
    const until = Math.min(action.ends_at ? Date.parse(action.ends_at) : Infinity, action.reversed_at ? Date.parse(action.reversed_at) : Infinity);
    out.get(action.external_id)?.actions.push({ rung: action.rung, from: Date.parse(action.taken_at), until });
  }
  return out;
}

function accountAt(external: string | null, at: number, accounts: Map<string, AccountTimeline>): RuleSubject['account'] {
  if (!external) return null;
  const timeline = accounts.get(external);
  if (!timeline) return { id: external, createdAt: null, standing: 'none' };
  let standing: (typeof STANDINGS)[number] = 'none';
  for (const action of timeline.actions) {
    if (action.from > at || action.until <= at) continue;
    if (STANDINGS.indexOf(action.rung as (typeof STANDINGS)[number]) > STANDINGS.indexOf(standing)) standing = action.rung as (typeof STANDINGS)[number];
  }
  return { id: external, createdAt: timeline.createdAt, standing };
}

function emptySubject(tenantId: string, at: number, source: RuleSource, surface: RuleSurface): RuleSubject {
  return {
    tenantId,
    at,
    source,
    surface,
    inputType: 'text',
    language: null,
    account: null,
    appId: null,
    scores: {},
    flagged: new Set(),
    detectors: new Set(),
    clauses: new Set(),
    hashBanks: new Set(),
    texts: {},
  };
}

function moderationItem(
  tenantId: string,
  row: { id: string; source: string; occurred_at: string; violations: string; evidence: string | null; content_type: string | null; external_id: string },
  accounts: Map<string, AccountTimeline>,
): HistoryItem {
  const at = Date.parse(row.occurred_at);
  const violations = JSON.parse(row.violations) as StoredViolation[];
  const evidence = row.evidence ? (JSON.parse(row.evidence) as StoredEvidence[][]).flat() : [];
  const scores: Partial<Record<Category, number>> = {};
  for (const v of violations) if (v.category) scores[v.category as Category] = Math.max(scores[v.category as Category] ?? 0, v.score ?? 1);
  return {
    ref: `event:${row.id}`,
    subject: {
      ...emptySubject(tenantId, at, 'moderation', 'api'),
      inputType: row.content_type === 'image' ? 'image' : 'text',
      account: accountAt(row.external_id, at, accounts),
      scores,
      flagged: new Set(violations.map((v) => v.category).filter((c): c is string => c !== null)),
      clauses: new Set(violations.map((v) => v.clause_id)),
      detectors: detectorIds(evidence),
      hashBanks: new Set(evidence.flatMap((item) => (item.match?.bank_id ? [item.match.bank_id] : []))),
    },
  };
}

/** A finding names its detector and its kind (`identifiers` / `payment_card`): a rule may name either. */
export function detectorIds(evidence: readonly StoredEvidence[]): Set<string> {
  const ids = new Set<string>();
  for (const item of evidence) {
    if (item.detector) ids.add(item.detector);
    if (item.kind) ids.add(item.kind.split(':')[0]!);
  }
  return ids;
}

function reportItem(
  tenantId: string,
  row: { id: string; created_at: string; clause_id: string | null; category: string | null; text: string | null; account_external_id: string | null; app_id: string | null; content_type: string | null },
  accounts: Map<string, AccountTimeline>,
): HistoryItem {
  const at = Date.parse(row.created_at);
  return {
    ref: `report:${row.id}`,
    subject: {
      ...emptySubject(tenantId, at, 'report', row.app_id ? 'store' : 'api'),
      inputType: row.content_type === 'image' ? 'image' : 'text',
      account: accountAt(row.account_external_id, at, accounts),
      appId: row.app_id,
      flagged: new Set(row.category ? [row.category] : []),
      clauses: new Set(row.clause_id ? [row.clause_id] : []),
      texts: row.text ? { text: row.text } : {},
    },
  };
}

function submissionItem(tenantId: string, row: { id: string; app_id: string; created_at: string; fields: string; reasons: string }): HistoryItem {
  const fields = JSON.parse(row.fields) as { name: string; description: string; instructions: string; conversation_starters: string[]; category: string };
  const reasons = JSON.parse(row.reasons) as { clause_id: string; category: string | null; source: string }[];
  const texts: Partial<Record<TextField, string>> = {
    name: fields.name,
    description: fields.description,
    instructions: fields.instructions,
    conversation_starters: fields.conversation_starters.join('\n'),
    category: fields.category,
  };
  return {
    ref: `submission:${row.id}`,
    subject: {
      ...emptySubject(tenantId, Date.parse(row.created_at), 'submission', 'store'),
      appId: row.app_id,
      flagged: new Set(reasons.map((r) => r.category).filter((c): c is string => c !== null)),
      clauses: new Set(reasons.map((r) => r.clause_id)),
      detectors: new Set(reasons.filter((r) => r.source.startsWith('detector:')).map((r) => r.source.slice('detector:'.length))),
      texts,
    },
  };
}
