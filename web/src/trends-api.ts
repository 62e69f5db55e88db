/** The trends and rules API as the console's Trends and Rules pages call it. */
import { type Answer, api } from './api.ts';
import type { paths } from './api/schema';

export type Trends = Answer<'/v1/trends'>;
export type Granularity = Trends['granularity'];
export type GroupBy = Exclude<NonNullable<NonNullable<paths['/v1/trends']['get']['parameters']['query']>['group_by']>, 'none'>;
export type TrendSeries = Trends['series'][number];
export type Spike = Answer<'/v1/trends/spikes'>['data'][number];
export type TrendItems = Answer<'/v1/trends/items'>;

export const GRANULARITY_MS: Record<Granularity, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();

export function fetchTrends(params: { granularity: Granularity; from: string; to: string; group_by: GroupBy }): Promise<Trends> {
  return api<Trends>(`/v1/trends?${query(params)}`);
}

export async function fetchSpikes(from: string, to: string): Promise<Spike[]> {
  return (await api<Answer<'/v1/trends/spikes'>>(`/v1/trends/spikes?${query({ from, to })}`)).data;
}

export function fetchTrendItems(params: { from: string; to: string; category?: string; clause?: string; source?: string }): Promise<TrendItems> {
  return api<TrendItems>(`/v1/trends/items?${query(params)}`);
}

export type RuleVersion = Answer<'/v1/rules/versions'>['data'][number];
export type RuleHitCounts = Answer<'/v1/rules/hits'>['data'][number];
export type BacktestReport = Answer<'/v1/rules/backtest', 'post'>;
export type VersionEffect = BacktestReport['candidate'];

export async function fetchRuleVersions(): Promise<RuleVersion[]> {
  return (await api<Answer<'/v1/rules/versions'>>('/v1/rules/versions')).data;
}

export async function fetchRuleHits(from: string, to: string): Promise<RuleHitCounts[]> {
  return (await api<Answer<'/v1/rules/hits'>>(`/v1/rules/hits?${query({ from, to })}`)).data;
}

export function createRuleVersion(document: unknown): Promise<Answer<'/v1/rules/versions', 'post', 201>> {
  return api<Answer<'/v1/rules/versions', 'post', 201>>('/v1/rules/versions', { method: 'POST', body: document });
}

export function publishRuleVersion(version: string): Promise<Answer<'/v1/rules/versions/{version}/publish', 'post'>> {
  return api(`/v1/rules/versions/${encodeURIComponent(version)}/publish`, { method: 'POST' });
}

export function shadowRuleVersion(version: string | null): Promise<Answer<'/v1/rules/shadow', 'put'>> {
  return api('/v1/rules/shadow', { method: 'PUT', body: { version } });
}

export function runBacktest(version: string, from: string, to: string): Promise<BacktestReport> {
  return api<BacktestReport>('/v1/rules/backtest', { method: 'POST', body: { version, from, to, examples: 10 } });
}
