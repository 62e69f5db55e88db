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
 * int8 weights); the mean-pooled word-vector weights are projected onto each vocabulary word at load, since
 * the mean is linear. Inference then touches a few numbers per word instead of a few per character.
 */
export class LinearTextModel implements TextModel {
  readonly id: string;
  readonly categories: readonly Category[];
  readonly thresholds: Record<string, number>;
  readonly languages: readonly string[];
  readonly featurizer: Featurizer;
  private readonly hashed: Int8Array;
  private readonly dense: Float32Array;
  private readonly meanProjection: Float32Array;
  private readonly bias: Float64Array;
  private readonly scales: Float64Array;
  private readonly wordCache = new HashIndex(WORD_CACHE_LIMIT);
  /** Row r of the cache: sums of word r, 2 × categories long. */
  private readonly cachedSums: Int32Array;
  private cachedWords = 0;
  private part: Int32Array;
  private readonly wordSums: Float64Array;
  private readonly charSums: Float64Array;
  private readonly logits: Float64Array;
  private pending: Int32Array;

  constructor(weights: ModelWeights) {
    const { metadata } = weights;
    this.id = metadata.id;
    this.categories = metadata.categories;
    this.thresholds = metadata.thresholds;
    this.languages = metadata.languages;
    this.featurizer = new Featurizer(metadata.config, metadata.lexicon, weights.wordVectors);
    this.featurizer.poolMean = false;
    this.featurizer.expandWords = false;
    const c = this.categories.length;
    this.hashed = weights.hashed;
    this.dense = weights.dense;
    this.meanProjection = projectMeanWeights(weights, c);
    this.bias = Float64Array.from(metadata.bias);
    this.scales = Float64Array.from(metadata.hashedScales);
    this.wordSums = new Float64Array(c);
    this.charSums = new Float64Array(c);
    this.logits = new Float64Array(c);
    this.pending = new Int32Array(2 * c);
    this.cachedSums = new Int32Array(WORD_CACHE_LIMIT * 2 * c);
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
    const { logits, wordSums, charSums, hashed } = this;
    wordSums.fill(0);
    charSums.fill(0);
    for (let i = 0; i < f.wordCount; i++) {
      const base = f.wordBuckets[i]! * c;
      for (let k = 0; k < c; k++) wordSums[k]! += hashed[base + k]!;
    }
    for (let i = 0; i < f.tokenCount; i++) {
      const at = this.wordPart(i);
      const sums = this.part;
      for (let k = 0; k < c; k++) {
        wordSums[k]! += sums[at + k]!;
        charSums[k]! += sums[at + c + k]!;
      }
    }
    const wordNorm = f.wordNorm;
    const charNorm = f.charNorm;
    for (let k = 0; k < c; k++) logits[k] = this.bias[k]! + this.scales[k]! * (wordSums[k]! * wordNorm + charSums[k]! * charNorm);
    if (f.vectorRowCount > 0) {
      const share = 1 / f.vectorRowCount;
      for (let i = 0; i < f.vectorRowCount; i++) {
        const base = f.vectorRows[i]! * c;
        for (let k = 0; k < c; k++) logits[k]! += this.meanProjection[base + k]! * share;
      }
    }
    const dense = f.dense;
    const weights = this.dense;
    for (let d = f.embeddingDim; d < dense.length; d++) {
      const x = dense[d]!;
      if (x === 0) continue;
      const base = d * c;
      for (let k = 0; k < c; k++) logits[k]! += x * weights[base + k]!;
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
   * can: they start at the returned offset of this.part.
   */
  private wordPart(i: number): number {
    const key = this.featurizer.tokens[i]!;
    const c = this.categories.length;
    const row = this.wordCache.get(key);
    if (row >= 0) {
      this.part = this.cachedSums;
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
    if (this.cachedWords < WORD_CACHE_LIMIT) {
      this.wordCache.set(key, this.cachedWords);
      this.cachedSums.set(sums, this.cachedWords * 2 * c);
      this.cachedWords += 1;
    }
    this.part = sums;
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
