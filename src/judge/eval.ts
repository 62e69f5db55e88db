import type { Category } from '../common/index.ts';
import type { CategoryScores, LabelledItem } from '../detect/index.ts';
import { precisionRecallF1 } from '../detect/index.ts';
import type { ModerationResult, Moderator } from '../moderation/index.ts';
import type { PolicyDocument } from '../policy/index.ts';
import type { JudgeCascade, Judgement } from './cascade.ts';
import type { StoredJudge } from './registry.ts';
import { TEMPLATE_VERSION } from './template.ts';
import { routeOf } from './verdict.ts';
import { percentile } from './stats.ts';

export interface CascadeEvaluation {
  n: number;
  judge: string;
  model: string;
  policy_version: string;
  template_version: string;
  /** Binary "flagged by any moderation category" against the labels' `flagged`, per way of deciding. */
  local: Metrics;
  judge_alone: Metrics & { failures: number };
  cascade: Metrics & { sent_to_judge: number; share_sent_to_judge: number; failures: number };
  judge_calls: { calls: number; cached: number; failures: Record<string, number>; latency_ms: { p50: number | null; p99: number | null } };
}

interface Metrics {
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Runs a labelled file three ways: the local model alone; the judge alone (asked about every item,
 * deciding every category it judges); and the cascade as the judge is configured (band, always,
 * local per category; shadow and non-blocking count as their eventual verdict, i.e. local for
 * shadow, the judge's for non-blocking). Each item is asked once (the cascade reuses the judge-alone
 * answer, as its cache would). A failed judgement counts as the local verdict.
 */
export async function evaluateCascade(
  items: readonly LabelledItem[],
  context: { moderator: Moderator; cascade: JudgeCascade; judge: StoredJudge; document: PolicyDocument; thresholds: CategoryScores },
): Promise<CascadeEvaluation> {
  const { moderator, cascade, judge, document, thresholds } = context;
  const prompt = cascade.promptFor(judge, document);
  const allJudged = [...new Set(prompt.clauses.flatMap((c) => c.categories))];
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let cached = 0;
  const rows = await mapLimited(items, judge.settings.concurrency, async (item) => {
    const [local] = moderator.moderate([[item.text]], { document, thresholds, surface: 'api' });
    const judgement = await cascade.judge(judge, prompt, item.text);
    if (judgement.ok && judgement.cached) cached += 1;
    else if (judgement.ok) latencies.push(judgement.latencyMs);
    else failures[judgement.kind] = (failures[judgement.kind] ?? 0) + 1;
    const alone = served(cascade, judge, allJudged, local!, judgement, document, thresholds);
    const route = routeOf(judge.settings, local!, prompt.clauses);
    const sent = route.decisive.length > 0;
    const cascaded = sent ? served(cascade, judge, route.decisive, local!, judgement, document, thresholds) : local!;
    return { label: item.flagged, local: local!.flagged, alone: alone.flagged, cascaded: cascaded.flagged, sent, failed: !judgement.ok };
  });
  const labels = rows.map((r) => r.label);
  const metrics = (predicted: boolean[]): Metrics => {
    const { precision, recall, f1 } = precisionRecallF1(predicted, labels);
    return { precision: round(precision), recall: round(recall), f1: round(f1) };
  };
  const sorted = latencies.sort((a, b) => a - b);
  const sent = rows.filter((r) => r.sent);
  return {
    n: rows.length,
    judge: judge.name,
    model: judge.settings.model,
    policy_version: document.version,
    template_version: TEMPLATE_VERSION,
    local: metrics(rows.map((r) => r.local)),
    judge_alone: { ...metrics(rows.map((r) => r.alone)), failures: rows.filter((r) => r.failed).length },
    cascade: { ...metrics(rows.map((r) => r.cascaded)), sent_to_judge: sent.length, share_sent_to_judge: rows.length ? round(sent.length / rows.length) : 0, failures: sent.filter((r) => r.failed).length },
    judge_calls: { calls: rows.length - cached, cached, failures, latency_ms: { p50: percentile(sorted, 50), p99: percentile(sorted, 99) } },
  };
}

/** The result served when the judge decides these categories (the local one when it gave no answer). */
function served(cascade: JudgeCascade, judge: StoredJudge, categories: readonly Category[], local: ModerationResult, judgement: Judgement, document: PolicyDocument, thresholds: CategoryScores): ModerationResult {
  return cascade.decide(judge, [...categories], 'always', local, judgement, document, thresholds).result;
}

/** Maps with at most `limit` calls in flight, keeping order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
