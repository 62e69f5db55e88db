import { ALL_CATEGORIES, MODERATION_CATEGORIES, type Category } from '../../src/common/index.ts';
import {
  ARTIFACT_FORMAT, Featurizer, LinearTextModel, featurizeAll, quantizeHashed, trainLinearHeads,
  type FeatureConfig, type FeatureMatrix, type LexiconTerm, type ModelWeights, type TrainOptions, type WordVectors,
} from '../../src/detect/index.ts';
import { bestF1Threshold, calibrated, metricsAt, type BinaryMetrics } from './metrics.ts';
import { Progress } from './progress.ts';

export interface Item {
  id: string;
  text: string;
  flagged: boolean;
  labels: Partial<Record<Category, boolean>>;
  source: string;
  family: string;
}

export interface PipelineInput {
  id: string;
  train: Item[];
  /** Rows the thresholds are calibrated on (the mixed dev split). */
  dev: Item[];
  lexicon: LexiconTerm[];
  vectors: WordVectors | null;
  config: FeatureConfig;
  options: TrainOptions;
  /** A category gets a head only with at least this many training positives. */
  minPositives: number;
  /** Weight of the 0.5 prior on each threshold, in dev positives (see shrunkThreshold); 0 or absent: none. */
  thresholdPriorPositives?: number;
  /**
   * In threshold calibration each benign dev text of the requests family counts this many times (1 or absent:
   * once): the mixed dev split is mostly comments, so without it the thresholds barely see benign requests.
   */
  benignRequestWeight?: number;
  languages: string[];
  quiet?: boolean;
  training?: Record<string, unknown>;
}

export interface TrainedModel {
  model: LinearTextModel;
  weights: ModelWeights;
  categories: Category[];
}

/** The benign-but-scary slice: WildGuardMix's benign prompts and JailbreakBench's safe twins, which sound harmful. */
export function isBenignScary(item: Item): boolean {
  return (item.source === 'wildguardmix' || item.source === 'jailbreakbench') && !item.flagged && Object.values(item.labels).every((v) => !v);
}

/** Training rows: each kept item listed as many times as its source's repeat count (1 when absent). */
export function weightedRows(train: Item[], repeats: Readonly<Record<string, number>>, keep: (item: Item) => boolean = () => true): Uint32Array {
  const rows: number[] = [];
  train.forEach((item, r) => {
    if (!keep(item)) return;
    for (let t = 0; t < (repeats[item.source] ?? 1); t++) rows.push(r);
  });
  return Uint32Array.from(rows);
}

export function labelMatrix(items: Item[], categories: readonly Category[]): Int8Array {
  const labels = new Int8Array(items.length * categories.length);
  items.forEach((item, r) =>
    categories.forEach((c, k) => {
      const v = item.labels[c];
      labels[r * categories.length + k] = v === undefined ? -1 : v ? 1 : 0;
    }),
  );
  return labels;
}

export function coveredCategories(items: Item[], minPositives: number): Category[] {
  return ALL_CATEGORIES.filter((c) => items.filter((i) => i.labels[c] === true).length >= minPositives);
}

/** Featurises input.train and trains on it, each item seen as many times per epoch as its source's repeat count. */
export function trainModel(input: PipelineInput, sourceRepeats: Readonly<Record<string, number>> = {}): TrainedModel {
  const featurizer = new Featurizer(input.config, input.lexicon, input.vectors);
  const featurizeBar = new Progress('featurise', input.train.length, input.quiet);
  const matrix = featurizeAll(featurizer, input.train.map((i) => i.text), (done) => featurizeBar.update(done));
  return fitModel(input, matrix, weightedRows(input.train, sourceRepeats));
}

/** Trains on the given rows of an already featurised input.train, then calibrates thresholds on input.dev. */
export function fitModel(input: PipelineInput, matrix: FeatureMatrix, rows: Uint32Array): TrainedModel {
  const categories = coveredCategories(Array.from(rows, (r) => input.train[r]!), input.minPositives);
  const labels = labelMatrix(input.train, categories);
  const trainBar = new Progress('train', input.options.epochs * rows.length, input.quiet);
  const heads = trainLinearHeads(matrix, labels, categories.length, input.config.buckets, rows, input.options, (done) => trainBar.update(done));
  trainBar.update(input.options.epochs * rows.length);
  const { data, scales } = quantizeHashed(heads.hashed, categories.length);
  const weights: ModelWeights = {
    metadata: {
      format: ARTIFACT_FORMAT,
      id: input.id,
      categories,
      thresholds: {},
      languages: input.languages,
      config: input.config,
      lexicon: input.lexicon,
      bias: Array.from(heads.bias),
      hashedScales: scales,
      denseWeights: '',
      vectorCount: input.vectors?.hashes.length ?? 0,
      vectorDim: input.vectors?.dim ?? 0,
      training: input.training ?? {},
    },
    hashed: data,
    dense: heads.dense,
    wordVectors: input.vectors,
  };
  const model = new LinearTextModel(weights);
  const devScores = scoreItems(model, input.dev);
  const requestWeight = input.benignRequestWeight ?? 1;
  for (const category of categories) {
    const { scores, labels: y, items } = known(devScores, input.dev, category);
    const positives = y.filter((v) => v === 1).length;
    const w = requestWeight === 1 ? undefined : items.map((item, i) => (y[i] === 0 && item.family === 'requests' ? requestWeight : 1));
    weights.metadata.thresholds[category] = round(positives > 0 ? shrunkThreshold(bestF1Threshold(scores, y, w), positives, input.thresholdPriorPositives ?? 0) : 0.5);
  }
  return { model: new LinearTextModel(weights), weights, categories };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * The F1-best threshold of a category with few dev positives swings with every retraining; it is pulled toward
 * 0.5 as if `priorPositives` more positives had voted for 0.5.
 */
export function shrunkThreshold(best: number, positives: number, priorPositives: number): number {
  return (positives * best + priorPositives * 0.5) / (positives + priorPositives);
}

export type ScoreTable = Record<string, number>[];

export function scoreItems(model: LinearTextModel, items: Item[]): ScoreTable {
  return items.map((item) => model.score(item.text));
}

function known(scores: ScoreTable, items: Item[], category: Category): { scores: number[]; labels: number[]; items: Item[] } {
  const s: number[] = [];
  const y: number[] = [];
  const kept: Item[] = [];
  items.forEach((item, i) => {
    const v = item.labels[category];
    if (v === undefined) return;
    s.push(scores[i]![category] ?? 0);
    y.push(v ? 1 : 0);
    kept.push(item);
  });
  return { scores: s, labels: y, items: kept };
}

/** "Flagged by any moderation category": the highest score, each rescaled so its threshold sits at 0.5. */
export function flagScore(scores: Record<string, number>, thresholds: Record<string, number>, categories: readonly string[] = MODERATION_CATEGORIES): number {
  let best = 0;
  for (const c of categories) {
    const s = scores[c];
    if (s === undefined) continue;
    best = Math.max(best, calibrated(s, thresholds[c] ?? 0.5));
  }
  return best;
}

export interface Evaluation {
  binary: BinaryMetrics;
  categories: Record<string, BinaryMetrics & { threshold: number }>;
}

export function evaluate(scores: ScoreTable, items: Item[], thresholds: Record<string, number>, categories: readonly Category[]): Evaluation {
  const binaryScores = scores.map((s) => flagScore(s, thresholds));
  const result: Evaluation = { binary: metricsAt(binaryScores, items.map((i) => (i.flagged ? 1 : 0)), 0.5), categories: {} };
  for (const category of categories) {
    const { scores: s, labels: y } = known(scores, items, category);
    if (!y.includes(1)) continue;
    const threshold = thresholds[category] ?? 0.5;
    result.categories[category] = { ...metricsAt(s, y, threshold), threshold };
  }
  return result;
}

/** Share of items flagged (any moderation category, or any category at all) at the thresholds. */
export function flaggedRate(scores: ScoreTable, thresholds: Record<string, number>, categories?: readonly string[]): number {
  if (scores.length === 0) return 0;
  return scores.filter((s) => flagScore(s, thresholds, categories) >= 0.5).length / scores.length;
}
