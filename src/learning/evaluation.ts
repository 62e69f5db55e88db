import { type CategoryScores, averagePrecision, precisionRecallF1 } from '../detect/index.ts';

/** Scores a text as some model serves it. */
export type Scorer = (text: string) => CategoryScores;

/** A labelled example as evaluation reads it. */
export interface LabelledText {
  text: string;
  labels: Record<string, boolean>;
}

/** One in this many examples (chosen by content digest, so stable as examples come and go) is never trained on. */
const HELD_OUT_ONE_IN = 5;

/**
 * Whether an example belongs to the tenant's held-out slice: the slice every candidate is compared
 * on and no tenant model is trained on. Keyed by the content digest, so an example keeps its side
 * when its labels are corrected and new examples do not move old ones.
 */
export function isHeldOut(contentDigest: string): boolean {
  return Number.parseInt(contentDigest.slice(0, 8), 16) % HELD_OUT_ONE_IN === 0;
}

export interface Metrics {
  precision: number;
  recall: number;
  f1: number;
  /** Share of the negatives flagged. */
  false_positive_rate: number;
  auprc: number;
}

export interface CategoryComparison {
  category: string;
  n: number;
  positives: number;
  current: Metrics;
  candidate: Metrics;
  /** candidate F1 − current F1. */
  f1_change: number;
}

/**
 * Per category with labels in `examples`: how the current and the candidate model do at the
 * thresholds in force.
 *
 * @example
 * compare(heldOut, (t) => served.score(t), (t) => candidate.score(t), thresholds)
 */
export function compare(examples: readonly LabelledText[], current: Scorer, candidate: Scorer, thresholds: CategoryScores): CategoryComparison[] {
  const currentScores = examples.map((e) => current(e.text) as Record<string, number>);
  const candidateScores = examples.map((e) => candidate(e.text) as Record<string, number>);
  return labelledCategories(examples).map((category) => {
    const rows = examples.flatMap((e, i) => (e.labels[category] === undefined ? [] : [i]));
    const actual = rows.map((i) => examples[i]!.labels[category]!);
    const threshold = (thresholds as Record<string, number>)[category] ?? 0.5;
    const metricsOf = (scores: Record<string, number>[]) => metrics(rows.map((i) => scores[i]![category] ?? 0), actual, threshold);
    const a = metricsOf(currentScores);
    const b = metricsOf(candidateScores);
    return { category, n: rows.length, positives: actual.filter(Boolean).length, current: a, candidate: b, f1_change: round(b.f1 - a.f1) };
  });
}

export interface ThresholdPoint {
  threshold: number;
  precision: number;
  recall: number;
  false_positive_rate: number;
}

export interface ThresholdSuggestion {
  category: string;
  n: number;
  positives: number;
  current: ThresholdPoint;
  /** The threshold with the best F1 on the tenant's examples, or null when they hold no positive or no negative. */
  suggested: (ThresholdPoint & { f1: number }) | null;
  /** The precision-recall curve: one point per distinct score, at most 50, highest threshold first. */
  curve: ThresholdPoint[];
}

/** Per category, thresholds drawn from the tenant's own labelled examples and what each would trade. */
export function suggestThresholds(examples: readonly LabelledText[], serve: Scorer, thresholds: CategoryScores): ThresholdSuggestion[] {
  const scored = examples.map((e) => serve(e.text) as Record<string, number>);
  return labelledCategories(examples).map((category) => {
    const rows = examples.flatMap((e, i) => (e.labels[category] === undefined ? [] : [i]));
    const actual = rows.map((i) => examples[i]!.labels[category]!);
    const scores = rows.map((i) => scored[i]![category] ?? 0);
    const threshold = (thresholds as Record<string, number>)[category] ?? 0.5;
    const positives = actual.filter(Boolean).length;
    const candidates = [...new Set(scores)].sort((a, b) => b - a);
    const curve = candidates.map((t) => point(scores, actual, t));
    const best = positives && positives < actual.length ? bestF1(curve) : null;
    return { category, n: rows.length, positives, current: point(scores, actual, threshold), suggested: best, curve: thin(curve, 50) };
  });
}

function labelledCategories(examples: readonly LabelledText[]): string[] {
  return [...new Set(examples.flatMap((e) => Object.keys(e.labels)))].sort();
}

function metrics(scores: number[], actual: boolean[], threshold: number): Metrics {
  const predicted = scores.map((s) => s >= threshold);
  const { precision, recall, f1 } = precisionRecallF1(predicted, actual);
  const negatives = actual.filter((a) => !a).length;
  const falsePositives = predicted.filter((p, i) => p && !actual[i]).length;
  return {
    precision: round(precision),
    recall: round(recall),
    f1: round(f1),
    false_positive_rate: round(negatives ? falsePositives / negatives : 0),
    auprc: round(averagePrecision(scores, actual)),
  };
}

function point(scores: number[], actual: boolean[], threshold: number): ThresholdPoint {
  const { precision, recall, false_positive_rate } = metrics(scores, actual, threshold);
  return { threshold: round(threshold), precision, recall, false_positive_rate };
}

function bestF1(curve: ThresholdPoint[]): (ThresholdPoint & { f1: number }) | null {
  let best: (ThresholdPoint & { f1: number }) | null = null;
  for (const p of curve) {
    const f1 = p.precision + p.recall ? (2 * p.precision * p.recall) / (p.precision + p.recall) : 0;
    if (!best || f1 > best.f1) best = { ...p, f1: round(f1) };
  }
  return best;
}

function thin<T>(points: T[], most: number): T[] {
  if (points.length <= most) return points;
  const step = (points.length - 1) / (most - 1);
  return Array.from({ length: most }, (_, i) => points[Math.round(i * step)]!);
}

const round = (x: number) => Math.round(x * 10000) / 10000;
