import { createHash } from 'node:crypto';
import { type CategoryScores, hashString, normalize, seededRandom, tokenize } from '../detect/index.ts';

/**
 * A tenant's adapter over the base text model: per category, a correction of the base model's
 * threshold-relative logit learnt from the tenant's own labelled examples,
 *
 *   z'(c) = logit(s(c)) − logit(t(c)) + b(c) + Σ_f w(c, f) · x(f),   s'(c) = σ(z'(c) + logit(t(c)))
 *
 * where s is the base score, t the base threshold and x the text's hashed word 1–2-grams (each
 * scaled by 1/√count, as the base model's blocks are). A correction rather than a retrained model:
 * where the tenant has no evidence (no label for a category, words it never saw) its verdicts are
 * exactly the base model's, it trains in seconds from thousands of examples, and it is small enough
 * to keep many in memory. Training is deterministic: examples in a fixed order, a seeded shuffle.
 */
export const ADAPTER_FORMAT = 'warden-tenant-adapter-1';

/** Hashed feature space of the adapter's word 1–2-grams. */
const BUCKETS = 1 << 20;
/** Weights smaller than this are dropped from the stored adapter (they change no score visibly). */
const MIN_WEIGHT = 1e-4;
const SCORE_FLOOR = 1e-6;

export interface AdapterWeights {
  format: typeof ADAPTER_FORMAT;
  /** The base model the corrections apply to: an adapter over another base is not served. */
  base_model: string;
  /** The base thresholds the logits are relative to. */
  thresholds: Record<string, number>;
  categories: string[];
  bias: number[];
  /** Feature bucket → [category index, weight, category index, weight, …]. */
  features: Record<string, number[]>;
}

export interface TrainingItem {
  text: string;
  /** Only the categories the tenant's decision settled: absent is unknown. */
  labels: Record<string, boolean>;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  /** L2 penalty per example on every weight and bias. */
  l2: number;
  seed: number;
  /** Called after each epoch with the share done (0..1). */
  progress?: (done: number) => Promise<void> | void;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { epochs: 12, learningRate: 0.4, l2: 1e-4, seed: 20240110 };

/** The text's hashed word 1–2-grams with their values: the adapter's input. */
export function adapterFeatures(text: string): Map<number, number> {
  const tokens = tokenize(normalize(text).text);
  const counts = new Map<number, number>();
  const add = (feature: string) => {
    const bucket = hashString(feature) & (BUCKETS - 1);
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  };
  for (let i = 0; i < tokens.length; i++) {
    add(`u ${tokens[i]}`);
    if (i + 1 < tokens.length) add(`b ${tokens[i]} ${tokens[i + 1]}`);
  }
  const scale = counts.size ? 1 / Math.sqrt(counts.size) : 0;
  for (const [bucket, count] of counts) counts.set(bucket, count * scale);
  return counts;
}

const logit = (p: number) => {
  const q = Math.min(1 - SCORE_FLOOR, Math.max(SCORE_FLOOR, p));
  return Math.log(q / (1 - q));
};
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Learns an adapter from labelled items and the base model's scores of them.
 *
 * @example
 * const weights = await trainAdapter(items, (text) => detection.detect(text).scores, detection.thresholds, 'warden-text-linear-1');
 */
export async function trainAdapter(
  items: readonly TrainingItem[],
  baseScores: (text: string) => CategoryScores,
  thresholds: CategoryScores,
  baseModel: string,
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
): Promise<AdapterWeights> {
  const categories = [...new Set(items.flatMap((item) => Object.keys(item.labels)))].filter((c) => thresholds[c as keyof CategoryScores] !== undefined).sort();
  const index = new Map(categories.map((c, i) => [c, i]));
  const rows = items.map((item) => {
    const scores = baseScores(item.text) as Record<string, number>;
    const labels: [number, number][] = [];
    for (const [category, value] of Object.entries(item.labels)) {
      const k = index.get(category);
      if (k !== undefined) labels.push([k, value ? 1 : 0]);
    }
    const base = categories.map((c) => logit(scores[c] ?? 0) - logit(thresholdOf(thresholds, c)));
    return { features: [...adapterFeatures(item.text)], labels, base };
  });
  const weights = new Map<number, Float64Array>();
  const gradSquares = new Map<number, Float64Array>();
  const bias = new Float64Array(categories.length);
  const biasSquares = new Float64Array(categories.length).fill(1e-8);
  const random = seededRandom(options.seed);
  const order = rows.map((_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, random);
    for (const i of order) {
      const row = rows[i]!;
      for (const [k, y] of row.labels) {
        let z = row.base[k]! + bias[k]!;
        for (const [f, x] of row.features) z += (weights.get(f)?.[k] ?? 0) * x;
        const error = sigmoid(z) - y;
        const gb = error + options.l2 * bias[k]!;
        biasSquares[k]! += gb * gb;
        bias[k]! -= (options.learningRate * gb) / Math.sqrt(biasSquares[k]!);
        for (const [f, x] of row.features) {
          const w = weights.get(f) ?? weights.set(f, new Float64Array(categories.length)).get(f)!;
          const g2 = gradSquares.get(f) ?? gradSquares.set(f, new Float64Array(categories.length).fill(1e-8)).get(f)!;
          const g = error * x + options.l2 * w[k]!;
          g2[k]! += g * g;
          w[k]! -= (options.learningRate * g) / Math.sqrt(g2[k]!);
        }
      }
    }
    await options.progress?.((epoch + 1) / options.epochs);
  }
  return {
    format: ADAPTER_FORMAT,
    base_model: baseModel,
    thresholds: Object.fromEntries(categories.map((c) => [c, thresholdOf(thresholds, c)])),
    categories,
    bias: [...bias].map(round),
    features: sparseFeatures(weights),
  };
}

function sparseFeatures(weights: Map<number, Float64Array>): Record<string, number[]> {
  const features: Record<string, number[]> = {};
  for (const f of [...weights.keys()].sort((a, b) => a - b)) {
    const pairs: number[] = [];
    weights.get(f)!.forEach((w, k) => {
      if (Math.abs(w) >= MIN_WEIGHT) pairs.push(k, round(w));
    });
    if (pairs.length) features[f] = pairs;
  }
  return features;
}

/** Six significant decimals: the stored weights, and so the served scores, are what training wrote. */
const round = (x: number) => Math.round(x * 1e6) / 1e6;

function thresholdOf(thresholds: CategoryScores, category: string): number {
  return (thresholds as Record<string, number>)[category] ?? 0.5;
}

function shuffle(order: number[], random: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
}

/** An adapter ready to correct scores: weights parsed once into per-bucket arrays. */
export class TenantAdapter {
  private readonly features = new Map<number, Float64Array>();

  constructor(
    readonly id: string,
    readonly weights: AdapterWeights,
  ) {
    const n = weights.categories.length;
    for (const [bucket, pairs] of Object.entries(weights.features)) {
      const row = new Float64Array(n);
      for (let i = 0; i < pairs.length; i += 2) row[pairs[i]!] = pairs[i + 1]!;
      this.features.set(Number(bucket), row);
    }
  }

  /** The base scores corrected for this tenant; categories the adapter never learnt pass through unchanged. */
  adjust(text: string, scores: CategoryScores): CategoryScores {
    const { categories, bias } = this.weights;
    const out = { ...scores } as Record<string, number>;
    const x = adapterFeatures(text);
    for (let k = 0; k < categories.length; k++) {
      const category = categories[k]!;
      const base = out[category];
      if (base === undefined) continue;
      // logit(s) − logit(t) + correction, moved back by logit(t): the threshold's meaning is kept.
      let z = logit(base) + bias[k]!;
      for (const [f, value] of x) z += (this.features.get(f)?.[k] ?? 0) * value;
      out[category] = sigmoid(z);
    }
    return out as CategoryScores;
  }

  /** A rough count of the bytes the parsed adapter holds (the LRU's documented cap is in adapters). */
  get approximateBytes(): number {
    return this.features.size * (this.weights.categories.length * 8 + 64);
  }
}

/** sha256 of the stored weights: the model card names it, so a rebuild can be checked to be identical. */
export function weightsDigest(weights: AdapterWeights): string {
  return createHash('sha256').update(JSON.stringify(weights)).digest('hex');
}
