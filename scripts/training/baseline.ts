import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import { metricsAt, type BinaryMetrics } from './metrics.ts';

/**
 * The yardstick of the quality targets: a profanity word list — obscenity's English list with its
 * recommended transformers (look-alikes, leet, repeated letters), flagging a text when it finds any
 * term — measured on the same groups as the model, so that the card shows where the model beats it
 * and where it does not.
 */
export interface BaselineGroup {
  group: string;
  texts: string[];
  /** 1 for a text its source flags, 0 otherwise. */
  labels: number[];
  /** The model's flag score per text (threshold-relative: ≥ 0.5 is flagged). */
  modelScores: number[];
}

export interface BaselineRow {
  group: string;
  model: BinaryMetrics & { flaggedRate: number };
  wordList: BinaryMetrics & { flaggedRate: number };
}

export function wordListComparison(groups: readonly BaselineGroup[]): BaselineRow[] {
  const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  const withRate = (scores: number[], labels: number[]) => ({ ...metricsAt(scores, labels, 0.5), flaggedRate: scores.filter((s) => s >= 0.5).length / Math.max(1, scores.length) });
  return groups.map(({ group, texts, labels, modelScores }) => ({
    group,
    model: withRate(modelScores, labels),
    wordList: withRate(
      texts.map((text) => (matcher.hasMatch(text) ? 1 : 0)),
      labels,
    ),
  }));
}

/** The comparison as a markdown table; false positive rates where a group has no flagged text. */
export function baselineTable(rows: readonly BaselineRow[]): string[] {
  const f = (x: number) => x.toFixed(3);
  return [
    '| group | n | flagged (true) | model P / R / F1 | word list P / R / F1 | model AUPRC | word list AUPRC | model flags | word list flags |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(({ group, model, wordList }) => {
      const auprc = (m: BinaryMetrics) => (m.nPos > 0 ? f(m.auprc) : '—');
      return `| ${group} | ${model.n} | ${model.nPos} | ${f(model.precision)} / ${f(model.recall)} / ${f(model.f1)} | ${f(wordList.precision)} / ${f(wordList.recall)} / ${f(wordList.f1)} | ${auprc(model)} | ${auprc(wordList)} | ${f(model.flaggedRate)} | ${f(wordList.flaggedRate)} |`;
    }),
  ];
}
