/** The trends and rules API as the console's Trends and Rules pages call it. */
import { api } from './api.ts';

export type Granularity = 'minute' | 'hour' | 'day';
export type GroupBy = 'category' | 'clause' | 'surface' | 'source';

export interface TrendSeries {
  key: string | null;
  total: number;
  points: { bucket: string; count: number }[];
}

export interface Trends {
  granularity: Granularity;
  from: string;
  to: string;
  series: TrendSeries[];
}

export interface Spike {
  id: string;
  /** `category:<name>` or `clause:<id>`. */
  series: string;
  started_at: string;
  last_bucket: string;
  observed: number;
  baseline: number;
  score: number;
}

export interface TrendItems {
  events: { id: string; account: string; source: string; occurred_at: string; violations: { clause_id: string; category: string | null }[]; content_digest: string | null }[];
  cases: { id: string; kind: string; status: string; priority: number; clause_ids: string[]; categories: string[]; account: string | null; created_at: string }[];
  rule_hits: { rule: string; version: string; mode: string; subject_ref: string | null; account: string | null; at: string }[];
}

export const GRANULARITY_MS: Record<Granularity, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();

export function fetchTrends(params: { granularity: Granularity; from: string; to: string; group_by: GroupBy }): Promise<Trends> {
  return api<Trends>(`/v1/trends?${query(params)}`);
}

export async function fetchSpikes(from: string, to: string): Promise<Spike[]> {
  return (await api<{ data: Spike[] }>(`/v1/trends/spikes?${query({ from, to })}`)).data;
}

export function fetchTrendItems(params: { from: string; to: string; category?: string; clause?: string; source?: string }): Promise<TrendItems> {
  return api<TrendItems>(`/v1/trends/items?${query(params)}`);
}

export interface RuleVersion {
  version: string;
  summary: string;
  rules: number;
  digest: string;
  created_at: string;
  created_by: string;
  live: boolean;
  shadow: boolean;
}

export interface RuleHitCounts {
  version: string;
  rule: string;
  mode: 'live' | 'shadow';
  matches: number;
  accounts: number;
  actions: Record<string, number>;
  examples: { subject_ref: string | null; account: string | null; source: string; at: string }[];
}

export interface VersionEffect {
  version: string;
  matched_items: number;
  actions: Record<string, number>;
  shadow_actions: Record<string, number>;
  accounts_affected: number;
  rules: { id: string; mode: string; matches: number; accounts: number }[];
}

export interface BacktestReport {
  from: string;
  to: string;
  items: Record<string, number>;
  truncated: boolean;
  candidate: VersionEffect;
  live: VersionEffect | null;
  changed_items: number;
  action_delta: Record<string, number>;
  accounts: string[];
  examples: { ref: string; at: string; source: string; account: string | null; rules: string[]; actions: string[]; live_actions: string[] }[];
}

export async function fetchRuleVersions(): Promise<RuleVersion[]> {
  return (await api<{ data: RuleVersion[] }>('/v1/rules/versions')).data;
}

export async function fetchRuleHits(from: string, to: string): Promise<RuleHitCounts[]> {
  return (await api<{ data: RuleHitCounts[] }>(`/v1/rules/hits?${query({ from, to })}`)).data;
}

export function createRuleVersion(document: unknown): Promise<RuleVersion> {
  return api<RuleVersion>('/v1/rules/versions', { method: 'POST', body: document });
}

export function publishRuleVersion(version: string): Promise<unknown> {
  return api(`/v1/rules/versions/${encodeURIComponent(version)}/publish`, { method: 'POST' });
}

export function shadowRuleVersion(version: string | null): Promise<unknown> {
  return api('/v1/rules/shadow', { method: 'PUT', body: { version } });
}

export function runBacktest(version: string, from: string, to: string): Promise<BacktestReport> {
  return api<BacktestReport>('/v1/rules/backtest', { method: 'POST', body: { version, from, to, examples: 10 } });
}
