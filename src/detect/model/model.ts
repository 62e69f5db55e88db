import type { Category } from '../../common/index.ts';
import type { ModelWeights } from './artifact.ts';
import { Featurizer } from './features.ts';

export interface TextModel {
  readonly id: string;
  readonly categories: readonly Category[];
  readonly thresholds: Record<string, number>;
  /** Languages the model was trained on (ISO 639-1); scores for other languages are not to be trusted. */
  readonly languages: readonly string[];
  /** 0..1 per category the model covers. */
  score(text: string): Record<string, number>;
}

/** Per-category linear heads over the shared features; int8 hashed weights accumulated as integers. */
export class LinearTextModel implements TextModel {
  readonly id: string;
  readonly categories: readonly Category[];
  readonly thresholds: Record<string, number>;
  readonly languages: readonly string[];
  readonly featurizer: Featurizer;
  private readonly hashed: Int8Array;
  private readonly dense: Float32Array;
  private readonly bias: Float64Array;
  private readonly scales: Float64Array;
  private readonly wordSums: Int32Array;
  private readonly charSums: Int32Array;
  private readonly logits: Float64Array;

  constructor(weights: ModelWeights) {
    const { metadata } = weights;
    this.id = metadata.id;
    this.categories = metadata.categories;
    this.thresholds = metadata.thresholds;
    this.languages = metadata.languages;
    this.featurizer = new Featurizer(metadata.config, metadata.lexicon, weights.wordVectors);
    this.hashed = weights.hashed;
    this.dense = weights.dense;
    this.bias = Float64Array.from(metadata.bias);
    this.scales = Float64Array.from(metadata.hashedScales);
    const c = this.categories.length;
    this.wordSums = new Int32Array(c);
    this.charSums = new Int32Array(c);
    this.logits = new Float64Array(c);
  }

  /** Raw logits of the current text into this.logits (shared by score and training-time evaluation). */
  logitsOf(text: string): Float64Array {
    const f = this.featurizer;
    f.extract(text);
    const c = this.categories.length;
    const { hashed, wordSums, charSums, logits } = this;
    wordSums.fill(0);
    charSums.fill(0);
    for (let i = 0; i < f.wordCount; i++) {
      const base = f.wordBuckets[i]! * c;
      for (let k = 0; k < c; k++) wordSums[k]! += hashed[base + k]!;
    }
    for (let i = 0; i < f.charCount; i++) {
      const base = f.charBuckets[i]! * c;
      for (let k = 0; k < c; k++) charSums[k]! += hashed[base + k]!;
    }
    const wordNorm = f.wordCount > 0 ? 1 / Math.sqrt(f.wordCount) : 0;
    const charNorm = f.charCount > 0 ? 1 / Math.sqrt(f.charCount) : 0;
    for (let k = 0; k < c; k++) logits[k] = this.bias[k]! + this.scales[k]! * (wordSums[k]! * wordNorm + charSums[k]! * charNorm);
    const dense = f.dense;
    const weights = this.dense;
    for (let d = 0; d < dense.length; d++) {
      const x = dense[d]!;
      if (x === 0) continue;
      const base = d * c;
      for (let k = 0; k < c; k++) logits[k]! += x * weights[base + k]!;
    }
    return logits;
  }

  score(text: string): Record<string, number> {
    const logits = this.logitsOf(text);
    const scores: Record<string, number> = {};
    for (let k = 0; k < this.categories.length; k++) scores[this.categories[k]!] = 1 / (1 + Math.exp(-logits[k]!));
    return scores;
  }
}
