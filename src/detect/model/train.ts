import { seededRandom } from './hash.ts';
import type { Featurizer } from './features.ts';

/** Hashed buckets and dense features of many texts, computed once and reused by every epoch and run. */
export interface FeatureMatrix {
  rows: number;
  denseDim: number;
  /** Row r's buckets are buckets[offsets[r] .. offsets[r+1]); the char block starts at charStarts[r]. */
  offsets: Uint32Array;
  charStarts: Uint32Array;
  buckets: Uint32Array;
  wordNorm: Float32Array;
  charNorm: Float32Array;
  dense: Float32Array;
}

export function featurizeAll(featurizer: Featurizer, texts: readonly string[], onProgress?: (done: number) => void): FeatureMatrix {
  const rows = texts.length;
  const denseDim = featurizer.denseDim;
  const offsets = new Uint32Array(rows + 1);
  const charStarts = new Uint32Array(rows);
  const wordNorm = new Float32Array(rows);
  const charNorm = new Float32Array(rows);
  const dense = new Float32Array(rows * denseDim);
  let buckets = new Uint32Array(1 << 20);
  let used = 0;
  const append = (values: Uint32Array, count: number) => {
    if (used + count > buckets.length) {
      const grown = new Uint32Array(Math.max(buckets.length * 2, used + count));
      grown.set(buckets.subarray(0, used));
      buckets = grown;
    }
    buckets.set(values.subarray(0, count), used);
    used += count;
  };
  for (let r = 0; r < rows; r++) {
    featurizer.extract(texts[r]!);
    offsets[r] = used;
    append(featurizer.wordBuckets, featurizer.wordCount);
    charStarts[r] = used;
    append(featurizer.charBuckets, featurizer.charCount);
    wordNorm[r] = featurizer.wordNorm;
    charNorm[r] = featurizer.charNorm;
    dense.set(featurizer.dense, r * denseDim);
    if (onProgress && (r % 2000 === 0 || r === rows - 1)) onProgress(r + 1);
  }
  offsets[rows] = used;
  return { rows, denseDim, offsets, charStarts, buckets: buckets.slice(0, used), wordNorm, charNorm, dense };
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  /** Cap on the weight of a positive example (sqrt of the negative:positive ratio otherwise). */
  maxPositiveWeight: number;
}

export interface LinearHeads {
  /** buckets × categories. */
  hashed: Float32Array;
  /** denseDim × categories, applying to raw (unstandardised) dense features. */
  dense: Float32Array;
  bias: Float64Array;
}

/**
 * Trains one logistic head per category with Adagrad and L2 on the weights each example touches. Labels are
 * rows × categories: 1 positive, 0 negative, -1 unknown (no loss). `rowsToUse` picks the training rows.
 * Single-threaded and seeded: the same inputs give the same weights, bit for bit.
 */
export function trainLinearHeads(
  matrix: FeatureMatrix,
  labels: Int8Array,
  categoryCount: number,
  buckets: number,
  rowsToUse: Uint32Array,
  options: TrainOptions,
  onProgress?: (done: number, total: number) => void,
): LinearHeads {
  const C = categoryCount;
  const D = matrix.denseDim;
  const { mean, invStd } = denseStatistics(matrix, rowsToUse);
  const positiveWeight = positiveWeights(labels, C, rowsToUse, options.maxPositiveWeight);

  const hashed = new Float32Array(buckets * C);
  const hashedG = new Float32Array(buckets * C);
  const dense = new Float32Array(D * C);
  const denseG = new Float32Array(D * C);
  const bias = new Float64Array(C);
  const biasG = new Float64Array(C);
  const x = new Float32Array(D);
  const grad = new Float64Array(C);
  const z = new Float64Array(C);
  const lr = options.learningRate;
  const l2 = options.l2;
  const random = seededRandom(options.seed);
  const order = Uint32Array.from(rowsToUse);
  const total = options.epochs * order.length;
  let done = 0;

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    for (const row of order) {
      const start = matrix.offsets[row]!;
      const charStart = matrix.charStarts[row]!;
      const end = matrix.offsets[row + 1]!;
      const wn = matrix.wordNorm[row]!;
      const cn = matrix.charNorm[row]!;
      for (let d = 0; d < D; d++) x[d] = (matrix.dense[row * D + d]! - mean[d]!) * invStd[d]!;

      for (let k = 0; k < C; k++) z[k] = bias[k]!;
      for (let p = start; p < end; p++) {
        const v = p < charStart ? wn : cn;
        const base = matrix.buckets[p]! * C;
        for (let k = 0; k < C; k++) z[k]! += hashed[base + k]! * v;
      }
      for (let d = 0; d < D; d++) {
        const xd = x[d]!;
        if (xd === 0) continue;
        const base = d * C;
        for (let k = 0; k < C; k++) z[k]! += dense[base + k]! * xd;
      }
      let any = false;
      for (let k = 0; k < C; k++) {
        const y = labels[row * C + k]!;
        if (y < 0) {
          grad[k] = 0;
          continue;
        }
        const prob = 1 / (1 + Math.exp(-z[k]!));
        grad[k] = y === 1 ? (prob - 1) * positiveWeight[k]! : prob;
        any = true;
      }
      done += 1;
      if (onProgress && done % 5000 === 0) onProgress(done, total);
      if (!any) continue;

      for (let k = 0; k < C; k++) {
        const g = grad[k]!;
        if (g === 0) continue;
        biasG[k]! += g * g;
        bias[k]! -= (lr * g) / (Math.sqrt(biasG[k]!) + 1e-6);
      }
      for (let p = start; p < end; p++) {
        const v = p < charStart ? wn : cn;
        const base = matrix.buckets[p]! * C;
        for (let k = 0; k < C; k++) {
          const g0 = grad[k]!;
          if (g0 === 0) continue;
          const w = hashed[base + k]!;
          const g = g0 * v + l2 * w;
          const acc = hashedG[base + k]! + g * g;
          hashedG[base + k] = acc;
          hashed[base + k] = w - (lr * g) / (Math.sqrt(acc) + 1e-6);
        }
      }
      for (let d = 0; d < D; d++) {
        const xd = x[d]!;
        if (xd === 0) continue;
        const base = d * C;
        for (let k = 0; k < C; k++) {
          const g0 = grad[k]!;
          if (g0 === 0) continue;
          const w = dense[base + k]!;
          const g = g0 * xd + l2 * w;
          const acc = denseG[base + k]! + g * g;
          denseG[base + k] = acc;
          dense[base + k] = w - (lr * g) / (Math.sqrt(acc) + 1e-6);
        }
      }
    }
  }
  // Fold the standardisation into the dense weights and biases so that inference uses raw features.
  for (let d = 0; d < D; d++) {
    for (let k = 0; k < C; k++) {
      const w = dense[d * C + k]! * invStd[d]!;
      dense[d * C + k] = w;
      bias[k]! -= w * mean[d]!;
    }
  }
  return { hashed, dense, bias };
}

function denseStatistics(matrix: FeatureMatrix, rows: Uint32Array): { mean: Float64Array; invStd: Float64Array } {
  const D = matrix.denseDim;
  const mean = new Float64Array(D);
  const squares = new Float64Array(D);
  for (const row of rows) {
    for (let d = 0; d < D; d++) {
      const v = matrix.dense[row * D + d]!;
      mean[d]! += v;
      squares[d]! += v * v;
    }
  }
  const invStd = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    mean[d]! /= Math.max(1, rows.length);
    const variance = squares[d]! / Math.max(1, rows.length) - mean[d]! * mean[d]!;
    invStd[d] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 0;
  }
  return { mean, invStd };
}

function positiveWeights(labels: Int8Array, C: number, rows: Uint32Array, cap: number): Float64Array {
  const weights = new Float64Array(C);
  for (let k = 0; k < C; k++) {
    let pos = 0;
    let neg = 0;
    for (const row of rows) {
      const y = labels[row * C + k]!;
      if (y === 1) pos++;
      else if (y === 0) neg++;
    }
    weights[k] = pos > 0 ? Math.min(cap, Math.max(1, Math.sqrt(neg / pos))) : 1;
  }
  return weights;
}

/** Per-category int8 quantisation of the hashed weights (bucket-major). */
export function quantizeHashed(hashed: Float32Array, C: number): { data: Int8Array; scales: number[] } {
  const scales: number[] = [];
  for (let k = 0; k < C; k++) {
    let max = 0;
    for (let i = k; i < hashed.length; i += C) max = Math.max(max, Math.abs(hashed[i]!));
    scales.push(max > 0 ? max / 127 : 1);
  }
  const data = new Int8Array(hashed.length);
  for (let i = 0; i < hashed.length; i++) data[i] = Math.round(hashed[i]! / scales[i % C]!);
  return { data, scales };
}
