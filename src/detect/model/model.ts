import type { Category } from '../../common/index.ts';
import type { ModelWeights } from './artifact.ts';
import { Featurizer } from './features.ts';
import { HashIndex } from './hash-index.ts';

export interface TextModel {
  readonly id: string;
  readonly categories: readonly Category[];
  readonly thresholds: Record<string, number>;
  /** Languages the model was trained on (ISO 639-1); scores for other languages are not to be trusted. */
  readonly languages: readonly string[];
  /** 0..1 per category the model covers. */
  score(text: string): Record<string, number>;
  /** The same scores for a text that normalize() has already normalised (callers that normalise once). */
  scoreNormalized(normalized: string): Record<string, number>;
}

/** Distinct words whose summed weights are kept; past this, new words are summed each time (same result). */
const WORD_CACHE_LIMIT = 100_000;

/**
 * Per-category linear heads over the shared features. A word's unigram and char n-gram weights do not depend
 * on the rest of the text, so they are summed once per distinct word and cached (exact integer sums of the
 * int8 weights), with the word's vector row beside them; the mean-pooled word-vector weights are projected onto
 * each vocabulary word at load, since the mean is linear. Inference then touches a few numbers per word
 * instead of a few per character, and looks each word up once.
 */
export class LinearTextModel implements TextModel {
  readonly id: string;
  readonly categories: readonly Category[];
  readonly thresholds: Record<string, number>;
  readonly languages: readonly string[];
  readonly featurizer: Featurizer;
  private readonly hashed: Int8Array;
  /** Weights of the dense features after the mean-pooled block, category-major: categories × (max-pooled + lexicon). */
  private readonly pooledWeights: Float64Array;
  private readonly meanProjection: Float32Array;
  private readonly bias: Float64Array;
  private readonly scales: Float64Array;
  private readonly wordCache = new HashIndex(WORD_CACHE_LIMIT);
  /** Row r of the cache: sums of word r, 2 × categories long. */
  private readonly cachedSums: Int32Array;
  /** The word-vector row of cached word r, or -1. */
  private readonly cachedVectorRows: Int32Array;
  private cachedWords = 0;
  private part: Int32Array;
  private partVectorRow = -1;
  private readonly wordSums: Float64Array;
  private readonly charSums: Float64Array;
  private readonly meanSums: Float64Array;
  private readonly logits: Float64Array;
  private readonly pending: Int32Array;
  private vectorRows = new Int32Array(256);

  constructor(weights: ModelWeights) {
    const { metadata } = weights;
    this.id = metadata.id;
    this.categories = metadata.categories;
    this.thresholds = metadata.thresholds;
    this.languages = metadata.languages;
    this.featurizer = new Featurizer(metadata.config, metadata.lexicon, weights.wordVectors);
    this.featurizer.poolsVectors = false;
    this.featurizer.expandWords = false;
    const c = this.categories.length;
    this.hashed = weights.hashed;
    this.pooledWeights = categoryMajor(weights.dense.subarray(this.featurizer.embeddingDim * c), c);
    this.meanProjection = projectMeanWeights(weights, c);
    this.bias = Float64Array.from(metadata.bias);
    this.scales = Float64Array.from(metadata.hashedScales);
    this.wordSums = new Float64Array(c);
    this.charSums = new Float64Array(c);
    this.meanSums = new Float64Array(c);
    this.logits = new Float64Array(c);
    this.pending = new Int32Array(2 * c);
    this.cachedSums = new Int32Array(WORD_CACHE_LIMIT * 2 * c);
    this.cachedVectorRows = new Int32Array(WORD_CACHE_LIMIT);
    this.part = this.pending;
  }

  /** Raw logits of a text (a buffer reused by the next call). */
  logitsOf(text: string): Float64Array {
    this.featurizer.extract(text);
    return this.currentLogits();
  }

  score(text: string): Record<string, number> {
    return this.probabilities(this.logitsOf(text));
  }

  scoreNormalized(normalized: string): Record<string, number> {
    this.featurizer.extractNormalized(normalized);
    return this.probabilities(this.currentLogits());
  }

  /** Logits of the text the featurizer last extracted. */
  private currentLogits(): Float64Array {
    const f = this.featurizer;
    const c = this.categories.length;
    const { logits, wordSums, charSums, meanSums, hashed, meanProjection } = this;
    wordSums.fill(0);
    charSums.fill(0);
    meanSums.fill(0);
    for (let i = 0; i < f.wordCount; i++) {
      const base = f.wordBuckets[i]! * c;
      for (let k = 0; k < c; k++) wordSums[k]! += hashed[base + k]!;
    }
    if (this.vectorRows.length < f.tokenCount) this.vectorRows = new Int32Array(f.tokenCount);
    const vectorRows = this.vectorRows;
    let vectorRowCount = 0;
    for (let i = 0; i < f.tokenCount; i++) {
      const at = this.wordPart(i);
      const sums = this.part;
      for (let k = 0; k < c; k++) {
        wordSums[k]! += sums[at + k]!;
        charSums[k]! += sums[at + c + k]!;
      }
      const row = this.partVectorRow;
      if (row < 0) continue;
      vectorRows[vectorRowCount++] = row;
      const base = row * c;
      for (let k = 0; k < c; k++) meanSums[k]! += meanProjection[base + k]!;
    }
    f.poolMax(vectorRows, vectorRowCount);
    const wordNorm = f.wordNorm;
    const charNorm = f.charNorm;
    const share = vectorRowCount > 0 ? 1 / vectorRowCount : 0;
    for (let k = 0; k < c; k++) logits[k] = this.bias[k]! + this.scales[k]! * (wordSums[k]! * wordNorm + charSums[k]! * charNorm) + meanSums[k]! * share;
    const dense = f.dense;
    const from = f.embeddingDim;
    const width = dense.length - from;
    const weights = this.pooledWeights;
    for (let k = 0; k < c; k++) {
      const base = k * width;
      let even = 0;
      let odd = 0;
      let d = 0;
      for (; d + 1 < width; d += 2) {
        even += dense[from + d]! * weights[base + d]!;
        odd += dense[from + d + 1]! * weights[base + d + 1]!;
      }
      if (d < width) even += dense[from + d]! * weights[base + d]!;
      logits[k]! += even + odd;
    }
    return logits;
  }

  private probabilities(logits: Float64Array): Record<string, number> {
    const scores: Record<string, number> = {};
    for (let k = 0; k < this.categories.length; k++) scores[this.categories[k]!] = 1 / (1 + Math.exp(-logits[k]!));
    return scores;
  }

  /**
   * Token i's summed unigram weights (c numbers) then char n-gram weights (c more), from the cache when it
   * can: they start at the returned offset of this.part; its word-vector row goes to this.partVectorRow.
   */
  private wordPart(i: number): number {
    const key = this.featurizer.tokens[i]!;
    const c = this.categories.length;
    const row = this.wordCache.get(key);
    if (row >= 0) {
      this.part = this.cachedSums;
      this.partVectorRow = this.cachedVectorRows[row]!;
      return row * 2 * c;
    }
    const sums = this.pending.fill(0);
    const hashed = this.hashed;
    this.featurizer.tokenBuckets(i, {
      pushWord(bucket) {
        for (let k = 0; k < c; k++) sums[k]! += hashed[bucket * c + k]!;
      },
      pushChar(bucket) {
        for (let k = 0; k < c; k++) sums[c + k]! += hashed[bucket * c + k]!;
      },
    });
    const vectorRow = this.featurizer.vectorRowOf(key);
    if (this.cachedWords < WORD_CACHE_LIMIT) {
      this.wordCache.set(key, this.cachedWords);
      this.cachedSums.set(sums, this.cachedWords * 2 * c);
      this.cachedVectorRows[this.cachedWords] = vectorRow;
      this.cachedWords += 1;
    }
    this.part = sums;
    this.partVectorRow = vectorRow;
    return 0;
  }
}

/** projection[word × c + k] = Σ_d vector[word][d] · denseWeight[d][k] over the mean-pooled block. */
function projectMeanWeights(weights: ModelWeights, c: number): Float32Array {
  const vectors = weights.wordVectors;
  if (!vectors) return new Float32Array(0);
  const count = vectors.hashes.length;
  const projection = new Float32Array(count * c);
  for (let r = 0; r < count; r++) {
    for (let d = 0; d < vectors.dim; d++) {
      const v = vectors.vectors[r * vectors.dim + d]!;
      for (let k = 0; k < c; k++) projection[r * c + k]! += v * weights.dense[d * c + k]!;
    }
  }
  return projection;
}

/** Transposes feature-major weights (features × c) to category-major (c × features), so that each head reads one run. */
function categoryMajor(weights: Float32Array, c: number): Float64Array {
  const features = weights.length / c;
  const out = new Float64Array(weights.length);
  for (let d = 0; d < features; d++) for (let k = 0; k < c; k++) out[k * features + d] = weights[d * c + k]!;
  return out;
}
