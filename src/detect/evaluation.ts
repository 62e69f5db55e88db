import { z } from 'zod';
import { ALL_CATEGORIES, type Category, InvalidInput, MODERATION_CATEGORIES } from '../common/index.ts';
import type { CategoryScores } from './types.ts';

/** One labelled item (DESIGN §7). `labels` holds only annotated categories: absent is unknown, not false. */
export const labelledItemSchema = z
  .object({
    id: z.string(),
    text: z.string(),
    flagged: z.boolean(),
    labels: z.record(z.string(), z.boolean()).default({}),
    source: z.string().optional(),
  })
  .passthrough();

export type LabelledItem = z.infer<typeof labelledItemSchema>;

export interface BinaryMetrics {
  precision: number;
  recall: number;
  f1: number;
  auprc: number;
}

export interface EvaluationReport {
  n: number;
  binary: BinaryMetrics;
  categories: Partial<Record<Category, BinaryMetrics & { n_pos: number }>>;
  thresholds: CategoryScores;
}

/** Precision, recall and F1 of hard predictions; 0 where a ratio has nothing to divide by. */
export function precisionRecallF1(predicted: readonly boolean[], actual: readonly boolean[]): Omit<BinaryMetrics, 'auprc'> {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  predicted.forEach((p, i) => {
    if (p && actual[i]) tp += 1;
    else if (p) fp += 1;
    else if (actual[i]) fn += 1;
  });
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/**
 * Area under the precision-recall curve as average precision: Σ (Rₖ − Rₖ₋₁) · Pₖ over the
 * distinct score thresholds from high to low, tied scores entering together (no interpolation,
 * as scikit-learn's average_precision_score). 0 when there is no positive.
 */
export function averagePrecision(scores: readonly number[], actual: readonly boolean[]): number {
  const positives = actual.filter(Boolean).length;
  if (!positives) return 0;
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let tp = 0;
  let seen = 0;
  let previousRecall = 0;
  let ap = 0;
  for (let k = 0; k < order.length; ) {
    const score = scores[order[k]!]!;
    while (k < order.length && scores[order[k]!] === score) {
      if (actual[order[k]!]) tp += 1;
      seen += 1;
      k += 1;
    }
    const recall = tp / positives;
    ap += (recall - previousRecall) * (tp / seen);
    previousRecall = recall;
  }
  return ap;
}

/**
 * A score rescaled so that its category's threshold sits at 0.5, piecewise linearly; the
 * maximum over categories then ranks texts by "flagged by any category" consistently with
 * the flag itself (flagged ⇔ ≥ 0.5).
 */
export function thresholdRelativeScore(score: number, threshold: number): number {
  if (score < threshold) return threshold > 0 ? (0.5 * score) / threshold : 0.5;
  return threshold < 1 ? 0.5 + (0.5 * (score - threshold)) / (1 - threshold) : 1;
}

/** Quality on labelled items: binary "flagged by any moderation category", and per annotated category. */
export function evaluate(items: readonly LabelledItem[], score: (text: string) => CategoryScores, thresholds: CategoryScores): EvaluationReport {
  const scored = items.map((item) => score(item.text));
  const binaryScores = scored.map((scores) =>
    Math.max(0, ...MODERATION_CATEGORIES.filter((c) => thresholds[c] !== undefined).map((c) => thresholdRelativeScore(scores[c] ?? 0, thresholds[c]!))),
  );
  const actual = items.map((item) => item.flagged);
  const binary = { ...precisionRecallF1(binaryScores.map((s) => s >= 0.5), actual), auprc: averagePrecision(binaryScores, actual) };

  const categories: EvaluationReport['categories'] = {};
  for (const category of ALL_CATEGORIES) {
    const annotated = items.map((item, i) => [item.labels[category], i] as const).filter(([label]) => label !== undefined);
    if (!annotated.length) continue;
    const labels = annotated.map(([label]) => label!);
    const categoryScores = annotated.map(([, i]) => scored[i]![category] ?? 0);
    const threshold = thresholds[category];
    const predicted = categoryScores.map((s) => threshold !== undefined && s >= threshold);
    categories[category] = {
      n_pos: labels.filter(Boolean).length,
      ...precisionRecallF1(predicted, labels),
      auprc: averagePrecision(categoryScores, labels),
    };
  }
  return { n: items.length, binary, categories, thresholds: { ...thresholds } };
}

/** Parses a DESIGN §7 JSONL file's text; a broken line is refused with its number. */
export function parseLabelledJsonl(content: string): LabelledItem[] {
  const items: LabelledItem[] = [];
  content.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InvalidInput(`line ${index + 1}: not valid JSON (${(error as Error).message})`, `line ${index + 1}`);
    }
    const result = labelledItemSchema.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new InvalidInput(`line ${index + 1}: ${issue.path.join('.') || 'item'}: ${issue.message}`, `line ${index + 1}`);
    }
    items.push(result.data);
  });
  return items;
}
