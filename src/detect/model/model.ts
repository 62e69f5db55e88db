import { MODERATION_CATEGORIES, type Category } from '../../common/index.ts';
import type { LanguageCalibration } from './language.ts';
import type { ModelWeights } from './artifact.ts';
import { Featurizer, type WordVectors } from './features.ts';
import { HashIndex } from './hash-index.ts';
import { SimdPooling } from './pooling-wasm.ts';
import { sharedArray } from './shared-array.ts';
import { normalize } from '../normalize.ts';
import { type WindowCalibration, type WindowRanges, type WindowShape, windowLogit, windowRanges } from './windows.ts';

export interface TextModel {
  readonly id: string;
  readonly categories: readonly Category[];
  readonly thresholds: Record<string, number>;
  /** Languages the model was trained on (ISO 639-1); scores for other languages are not to be trusted. */
  readonly languages: readonly string[];
  /** 0..1 per category the model covers. */
  score(text: string): Record<string, number>;
  /**
   * The same scores for a text that normalize() has already normalised (callers that normalise once); `language`
   * (ISO 639-1, as detectLanguage tells it) applies the artifact's per-language calibration, if any.
   */
  scoreNormalized(normalized: string, language?: string): Record<string, number>;
  /** For the text scored last, the words that raised each category's score most (see LinearTextModel.explainLast). */
  explainLast(categories: readonly Category[], limit?: number): WordContribution[];
  /** For the text scored last, the window (span in the normalised text) each category's score came from, for those scored from one. */
  windowsOfLast(categories: readonly Category[]): WindowSpan[];
}

/** The window of a long text that a category's score came from: [start, end) in the normalised text. */
export interface WindowSpan {
  category: Category;
  start: number;
  end: number;
}

/** A long text's score parts before the window calibration combines them (what training calibrates it on). */
export interface WindowParts {
  whole: Float64Array;
  /** Per category, the highest logit of any window (-Infinity when the text is not windowed). */
  bestWindow: Float64Array;
  windows: number;
}

/** A word of the normalised text and how much it added to a category's logit. */
export interface WordContribution {
  category: Category;
  /** [start, end) in the normalised text. */
  start: number;
  end: number;
  contribution: number;
}

/** Distinct words whose summed weights are kept (about 300 bytes each); past this, new words are summed each time (same result). */
const WORD_CACHE_LIMIT = 60_000;
/** Longer tokens (links, hashes, keys) seldom come back: they are summed each time rather than cached. */
const MAX_CACHED_TOKEN = 40;
/** Token rows the SIMD kernel sums at a time. */
const SUM_CHUNK = 256;
/** explainLast() leaves out words whose share of a logit is under this part of the largest word's share. */
const MIN_SHARE_OF_TOP = 0.4;
/**
 * Word vectors are pooled as 15-bit integers on one scale: with WebAssembly SIMD as int16 rows, eight lanes an
 * instruction (src/detect/model/pooling-wasm.ts); without it two to a 32-bit word (offset to be positive), so
 * that one branch-free SWAR step takes the max of two dimensions at once.
 */
const POOLED_UNITS = 16383;
const POOLED_OFFSET = 16384;
/** Bit 15 of each 16-bit lane: set in (a | LANE_HIGH_BITS) - b exactly where lane a ≥ lane b. */
const LANE_HIGH_BITS = 0x80008000 | 0;

/**
 * Per-category linear heads over the shared features. A word's unigram and char n-gram weights do not depend
 * on the rest of the text, so they are summed once per distinct word and cached (exact integer sums of the
 * int8 weights), with the word's vector row beside them; the mean-pooled word-vector weights are projected onto
 * each vocabulary word at load, since the mean is linear. Inference then touches a few numbers per word
 * instead of a few per character, and looks each word up once. The max-pooled block reads the vectors as
 * 15-bit integers on one shared scale (within 1/32766 of the largest component of the float32 vectors),
 * whose scale is folded into the block's weights. Where WebAssembly SIMD is available, the max pool, its dot
 * products and the sums of the words' cached rows run in small kernels over the same numbers in the same order
 * (so the same bits as the JavaScript path), and the word cache's rows live in the kernels' memory.
 */
export class LinearTextModel implements TextModel {
  /** Whether models built from now on use the WebAssembly SIMD kernels where available (tests turn it off to check the JavaScript path). */
  static simd = true;
  readonly id: string;
  readonly categories: readonly Category[];
  readonly thresholds: Record<string, number>;
  readonly languages: readonly string[];
  readonly featurizer: Featurizer;
  private readonly hashed: Int8Array;
  /** Weights of the dense features after the mean-pooled block, category-major: categories × (max-pooled + lexicon). */
  private readonly pooledWeights: Float64Array;
  private readonly bias: Float64Array;
  private readonly scales: Float64Array;
  private readonly pooled: PooledVectors;
  /** The int16 unit of the pooled vectors (see vectorScale). */
  private readonly vectorScale: number;
  /** Per vocabulary word: Σ_d vector[d] · weight[d][k] of the mean-pooled block, categories long. */
  private readonly meanProjection: Float32Array;
  private readonly wordCache = new HashIndex(WORD_CACHE_LIMIT);
  private readonly scoreTemplate: Record<string, number>;
  /** Row r of the cache: word r's unigram sums, char n-gram sums (exact integers) and mean projection, 3 × categories. */
  private readonly cachedRows: Float32Array;
  /** The word-vector row of cached word r, or -1. */
  private readonly cachedVectorRows: Int32Array;
  private cachedWords = 0;
  /** Where wordPart() put the current token's row: cachedRows, or pendingRow when the cache is full. */
  private part: Float32Array;
  private partVectorRow = -1;
  private readonly pendingRow: Float32Array;
  /** Per text: Σ unigram weights, Σ char n-gram weights (exact integers), Σ mean projections; c each. */
  private readonly sums: Float64Array;
  private readonly logits: Float64Array;
  private readonly maxPooled: Int32Array;
  private readonly maxPairs: Int32Array;
  /** The distinct vector rows of the text scored last (vectorRowCount of them), and the first token of each. */
  private vectorRows: Int32Array = new Int32Array(256);
  private vectorRowTokens = new Int32Array(256);
  private vectorRowCount = 0;
  /**
   * pooledIn[row] === generation: the current range's max pool has that vector row already. One byte a row keeps
   * the table small enough to stay in cache; generations run 1–255, and the table is cleared when they wrap.
   */
  private readonly pooledIn: Uint8Array;
  private generation = 0;
  /** Tokens with a word vector in the text scored last. */
  private lastVectorTokens = 0;
  /** Sum of the first weight of each bigram row, kept so that the loads that warm those rows are not optimised away. */
  private warmed = 0;
  /** How long texts are also scored in windows (src/detect/model/windows.ts); null: whole texts only. */
  readonly windows: WindowCalibration | null;
  /** Per-language offsets for languages the model was not trained on (src/detect/model/language.ts); null: none. */
  readonly languageCalibration: LanguageCalibration | null;
  /** 1 for the heads of OpenAI's moderation categories, which the language calibration shifts. */
  private readonly moderationHead: Uint8Array;
  private windowRanges: WindowRanges = { bounds: new Int32Array(64), count: 0 };
  private sentenceStarts = new Int32Array(64);
  private lineStarts = new Uint8Array(64);
  private readonly wholeLogits: Float64Array;
  private readonly bestWindow: Float64Array;
  private readonly bestWindowIndex: Int32Array;
  /** Per category, the window of the text scored last that its score came from, or -1 (the whole text). */
  private readonly scoredFrom: Int32Array;
  /** The token range the per-text state (pooled rows, lexicon block, norms) was last computed for. */
  private stateFrom = 0;
  private stateTo = 0;
  private stateWordNorm = 0;
  private stateCharNorm = 0;

  /**
   * `prepared`: what another instance's preparedVectors() returns for the same weights, used as it is instead of
   * being derived again from `weights.wordVectors` (whose float32 rows are then not read: a detection worker
   * passes none).
   */
  constructor(weights: ModelWeights, prepared?: PreparedVectors) {
    const { metadata } = weights;
    this.id = metadata.id;
    this.categories = metadata.categories;
    this.thresholds = metadata.thresholds;
    this.languages = metadata.languages;
    this.scoreTemplate = Object.fromEntries(this.categories.map((category) => [category, 0]));
    // Inference pools vectors itself (int16, below): the featurizer keeps only their index, not the float32 rows.
    const vectorIndex = weights.wordVectors && { ...weights.wordVectors, vectors: new Float32Array(0) };
    this.featurizer = new Featurizer(metadata.config, metadata.lexicon, vectorIndex);
    this.featurizer.poolsVectors = false;
    this.featurizer.expandWords = false;
    const c = this.categories.length;
    this.hashed = weights.hashed;
    const dim = this.featurizer.embeddingDim;
    const scale = prepared?.scale ?? vectorScale(weights.wordVectors);
    this.vectorScale = scale;
    const pooledWeights = categoryMajor(weights.dense.subarray(dim * c), c, dim, scale);
    this.pooledWeights = pooledWeights;
    const width = pooledWeights.length / c;
    const vectorCount = weights.wordVectors?.hashes.length ?? 0;
    const simd = weights.wordVectors && LinearTextModel.simd ? SimdPooling.create(vectorCount, dim, c, (k, d) => pooledWeights[k * width + d]!, WORD_CACHE_LIMIT, SUM_CHUNK) : null;
    this.pooled = prepared ? poolableValues(prepared.values, weights.wordVectors?.dim ?? 0, simd) : poolableVectors(weights.wordVectors, scale, simd);
    if (simd) this.vectorRows = simd.rows;
    this.bias = Float64Array.from(metadata.bias);
    this.scales = Float64Array.from(metadata.hashedScales);
    this.sums = new Float64Array(3 * c);
    this.logits = new Float64Array(c);
    this.maxPooled = new Int32Array(this.featurizer.embeddingDim);
    this.maxPairs = new Int32Array(this.pooled.pairs);
    this.pooledIn = new Uint8Array(weights.wordVectors?.hashes.length ?? 0);
    this.pendingRow = new Float32Array(3 * c);
    this.cachedRows = simd ? simd.cachedRows : new Float32Array(WORD_CACHE_LIMIT * 3 * c);
    this.cachedVectorRows = new Int32Array(WORD_CACHE_LIMIT);
    this.part = this.pendingRow;
    this.meanProjection = prepared?.meanProjection ?? projectMeanWeights(weights, c);
    this.windows = metadata.windows ?? null;
    this.languageCalibration = metadata.languageOffsets ?? null;
    this.moderationHead = Uint8Array.from(this.categories, (category) => ((MODERATION_CATEGORIES as readonly string[]).includes(category) ? 1 : 0));
    this.wholeLogits = new Float64Array(c);
    this.bestWindow = new Float64Array(c);
    this.bestWindowIndex = new Int32Array(c);
    this.scoredFrom = new Int32Array(c).fill(-1);
  }

  /** What the constructor derived from the word vectors, for another instance over the same weights (a fresh copy of the values each call). */
  preparedVectors(): PreparedVectors {
    return { scale: this.vectorScale, values: valuesOf(this.pooled, this.pooledIn.length), meanProjection: this.meanProjection };
  }

  /** Whole-text logits of a text, without windows (a buffer reused by the next call). */
  logitsOf(text: string): Float64Array {
    this.featurizer.extract(text);
    this.extracted();
    return this.rangeLogits(0, this.featurizer.tokenCount);
  }

  score(text: string, language?: string): Record<string, number> {
    return this.scoreNormalized(normalize(text).text, language);
  }

  scoreNormalized(normalized: string, language?: string): Record<string, number> {
    this.featurizer.extractNormalized(normalized);
    this.extracted();
    const whole = this.rangeLogits(0, this.featurizer.tokenCount);
    const logits = !this.windows || this.featurizer.tokenCount <= this.windows.maxTokens ? whole : this.combineWindows(this.windows, whole);
    return this.probabilities(logits, this.languageOffset(language));
  }

  /** The logit offset of the artifact's language calibration for a text in `language` (0: none, or a trained language). */
  languageOffset(language: string | undefined): number {
    const calibration = this.languageCalibration;
    if (!calibration || language === undefined || language === 'und' || this.languages.includes(language)) return 0;
    return calibration.offsets[language] ?? calibration.other;
  }

  /**
   * The parts window scoring combines, for a text: whole-text logits, each category's best window logit, and
   * the number of windows, split as `calibration` says (its offsets unused). Training calibrates on these.
   */
  windowParts(text: string, calibration: WindowShape): WindowParts {
    this.featurizer.extract(text);
    this.extracted();
    const whole = Float64Array.from(this.rangeLogits(0, this.featurizer.tokenCount));
    const windows = this.featurizer.tokenCount > calibration.maxTokens ? this.scoreWindows(calibration) : 0;
    const bestWindow = windows > 0 ? Float64Array.from(this.bestWindow) : new Float64Array(whole.length).fill(-Infinity);
    return { whole, bestWindow, windows };
  }

  /** After extract(): the featurizer's state (its lexicon block) is the whole text's, and no score came from a window yet. */
  private extracted(): void {
    this.scoredFrom.fill(-1);
    this.stateFrom = 0;
    this.stateTo = this.featurizer.tokenCount;
  }

  /** Scores the windows of the current text into bestWindow/bestWindowIndex; returns how many there were. */
  private scoreWindows(calibration: WindowShape): number {
    const f = this.featurizer;
    const c = this.categories.length;
    if (this.sentenceStarts.length < f.tokenCount) {
      this.sentenceStarts = new Int32Array(f.tokenCount);
      this.lineStarts = new Uint8Array(f.tokenCount);
    }
    const sentences = f.sentenceStarts(this.sentenceStarts, this.lineStarts);
    const ranges = this.windowRanges;
    windowRanges(this.sentenceStarts, sentences, f.tokenCount, calibration, ranges, this.lineStarts);
    this.bestWindow.fill(-Infinity);
    for (let w = 0; w < ranges.count; w++) {
      const logits = this.rangeLogits(ranges.bounds[2 * w]!, ranges.bounds[2 * w + 1]!);
      for (let k = 0; k < c; k++) {
        if (logits[k]! <= this.bestWindow[k]!) continue;
        this.bestWindow[k] = logits[k]!;
        this.bestWindowIndex[k] = w;
      }
    }
    return ranges.count;
  }

  /** Each category's logit: its whole-text logit or its calibrated window logit, whichever is higher. */
  private combineWindows(calibration: WindowCalibration, whole: Float64Array): Float64Array {
    const c = this.categories.length;
    this.wholeLogits.set(whole);
    const windows = this.scoreWindows(calibration);
    const logits = this.logits;
    for (let k = 0; k < c; k++) {
      const category = this.categories[k]!;
      const fromWindows = windowLogit(calibration, category, this.bestWindow[k]!, this.wholeLogits[k]!, this.thresholds[category] ?? 0.5, windows);
      const fromWindow = fromWindows > this.wholeLogits[k]!;
      logits[k] = fromWindow ? fromWindows : this.wholeLogits[k]!;
      this.scoredFrom[k] = fromWindow ? this.bestWindowIndex[k]! : -1;
    }
    return logits;
  }

  /**
   * Logits of tokens [from, to) of the text the featurizer last extracted, scored as if they were the whole
   * text (their own block scales, pools and lexicon block); the whole text is (0, tokenCount).
   */
  private rangeLogits(from: number, to: number): Float64Array {
    const f = this.featurizer;
    const c = this.categories.length;
    const { logits, hashed } = this;
    const whole = from === 0 && to === f.tokenCount;
    // extract() wrote the whole text's lexicon block; a window (or the whole text again, after windows) writes its own.
    if (f.config.lexicon && (this.stateFrom !== from || this.stateTo !== to)) f.matchLexicon(from, to);
    this.stateFrom = from;
    this.stateTo = to;
    this.warmBigramRows(from, to);
    // One run of sums, laid out as a cache row: unigram sums, char n-gram sums, mean projection (c each).
    const simd = this.pooled.simd;
    const sums = simd ? simd.rowSums.fill(0) : this.sums.fill(0);
    const wordWidth = 2 * c;
    const fullWidth = 3 * c;
    // A text pools each vector row once: the SIMD kernels' list has room for every row.
    if (this.vectorRowTokens.length < f.tokenCount) {
      if (!this.pooled.simd) this.vectorRows = new Int32Array(f.tokenCount);
      this.vectorRowTokens = new Int32Array(f.tokenCount);
    }
    const vectorRows = this.vectorRows;
    const vectorRowTokens = this.vectorRowTokens;
    const pooledIn = this.pooledIn;
    let vectorRowCount = 0;
    let vectorTokens = 0;
    if (this.generation === 255) {
      pooledIn.fill(0);
      this.generation = 0;
    }
    const generation = (this.generation += 1);
    // With the SIMD kernels, rows are listed (by address, plus 1 for a whole row) and summed a chunk at a time.
    const list = simd?.list;
    let listed = 0;
    let scratchUsed = 0;
    const { wordCache, cachedRows, cachedVectorRows } = this;
    const tokens = f.tokens;
    for (let i = from; i < to; i++) {
      // wordPart(i), with its cache hit inline.
      const cached = wordCache.get(tokens[i]!);
      let at: number;
      let row: Float32Array;
      let vectorRow: number;
      if (cached >= 0) {
        at = cached * fullWidth;
        row = cachedRows;
        vectorRow = cachedVectorRows[cached]!;
      } else {
        at = this.wordPart(i);
        row = this.part;
        vectorRow = this.partVectorRow;
      }
      if (simd) {
        let address = row === simd.cachedRows ? simd.cachedRows.byteOffset + 4 * at : -1;
        if (address < 0) {
          simd.scratchRows.set(row.subarray(at, at + fullWidth), scratchUsed * fullWidth);
          address = simd.scratchRows.byteOffset + 4 * scratchUsed * fullWidth;
          scratchUsed += 1;
        }
        list![listed++] = address + (vectorRow < 0 ? 0 : 1);
        if (listed === SUM_CHUNK) {
          simd.sumRows(listed);
          listed = 0;
          scratchUsed = 0;
        }
      } else if (vectorRow < 0) {
        // Each sum adds the same terms in the same order as per-block loops would: the results are bit-identical.
        for (let j = 0; j < wordWidth; j++) sums[j]! += row[at + j]!;
      } else for (let j = 0; j < fullWidth; j++) sums[j]! += row[at + j]!;
      if (vectorRow < 0) continue;
      vectorTokens += 1;
      // A repeated word cannot raise the max: pool each vector row once.
      if (pooledIn[vectorRow] === generation) continue;
      pooledIn[vectorRow] = generation;
      vectorRowTokens[vectorRowCount] = i;
      vectorRows[vectorRowCount++] = vectorRow;
    }
    if (simd && listed > 0) simd.sumRows(listed);
    this.vectorRowCount = vectorRowCount;
    // Bigram b joins tokens b and b + 1 (integer sums: their order does not matter).
    const wordBuckets = f.wordBuckets;
    for (let i = from; i + 1 < to && i < f.wordCount; i++) {
      const base = wordBuckets[i]! * c;
      for (let k = 0; k < c; k++) sums[k]! += hashed[base + k]!;
    }
    this.poolMax(vectorRows, vectorRowCount);
    const wordNorm = whole ? f.wordNorm : rangeWordNorm(f, to - from);
    const charNorm = whole ? f.charNorm : rangeCharNorm(f, from, to);
    this.stateWordNorm = wordNorm;
    this.stateCharNorm = charNorm;
    const share = vectorTokens > 0 ? 1 / vectorTokens : 0;
    this.lastVectorTokens = vectorTokens;
    for (let k = 0; k < c; k++) logits[k] = this.bias[k]! + this.scales[k]! * (sums[k]! * wordNorm + sums[c + k]! * charNorm) + sums[2 * c + k]! * share;
    this.addPooledTerms(logits);
    return logits;
  }

  /**
   * Loads the first byte of each bigram's weight row before the sums need them: the rows are scattered over
   * megabytes, and independent loads let the memory system fetch them side by side rather than one by one.
   */
  private warmBigramRows(from: number, to: number): void {
    const f = this.featurizer;
    const c = this.categories.length;
    let warmed = 0;
    for (let i = from; i + 1 < to && i < f.wordCount; i++) warmed += this.hashed[f.wordBuckets[i]! * c]!;
    this.warmed = warmed;
  }

  /** Max-pools the rows' vectors into this.maxPooled, two dimensions a step and without branches (they would mispredict). */
  private poolMax(rows: Int32Array, count: number): void {
    const max = this.maxPooled;
    const { packed, pairs, dim, simd } = this.pooled;
    if (count === 0) {
      max.fill(0);
      return;
    }
    if (simd) {
      // rows is simd.rows.
      simd.pool(count);
      const pooled = simd.max;
      for (let d = 0; d < dim; d++) max[d] = pooled[d]!;
      return;
    }
    const maxPairs = this.maxPairs;
    const first = rows[0]! * pairs;
    for (let p = 0; p < pairs; p++) maxPairs[p] = packed[first + p]!;
    for (let i = 1; i < count; i++) {
      const base = rows[i]! * pairs;
      for (let p = 0; p < pairs; p++) {
        const current = maxPairs[p]!;
        const candidate = packed[base + p]!;
        const keep = Math.imul((((current | LANE_HIGH_BITS) - candidate) & LANE_HIGH_BITS) >>> 15, 0xffff);
        maxPairs[p] = (current & keep) | (candidate & ~keep);
      }
    }
    for (let d = 0; d < dim; d++) max[d] = laneOf(maxPairs[d >> 1]!, d);
  }

  /** Adds the max-pooled and lexicon blocks' contributions to each category's logit. */
  private addPooledTerms(logits: Float64Array): void {
    const c = this.categories.length;
    const max = this.maxPooled;
    const dim = max.length;
    const dense = this.featurizer.dense;
    const lexiconFrom = 2 * dim;
    const width = dense.length - dim;
    const weights = this.pooledWeights;
    const simd = this.pooled.simd;
    if (simd) {
      // The same four sums as below, from the SIMD kernel; with nothing pooled every sum is 0.
      if (this.vectorRowCount > 0) simd.dot();
      const lanes = simd.sums;
      const pooled = this.vectorRowCount > 0;
      for (let k = 0; k < c; k++) {
        const base = k * width;
        let s0 = pooled ? lanes[4 * k]! : 0;
        const s1 = pooled ? lanes[4 * k + 1]! : 0;
        const s2 = pooled ? lanes[4 * k + 2]! : 0;
        const s3 = pooled ? lanes[4 * k + 3]! : 0;
        for (let l = lexiconFrom; l < dense.length; l++) {
          const value = dense[l]!;
          if (value !== 0) s0 += value * weights[base + l - dim]!;
        }
        logits[k]! += s0 + s1 + (s2 + s3);
      }
      return;
    }
    for (let k = 0; k < c; k++) {
      const base = k * width;
      // Four running sums, so that each addition need not wait for the one before.
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let d = 0;
      for (; d + 3 < dim; d += 4) {
        s0 += max[d]! * weights[base + d]!;
        s1 += max[d + 1]! * weights[base + d + 1]!;
        s2 += max[d + 2]! * weights[base + d + 2]!;
        s3 += max[d + 3]! * weights[base + d + 3]!;
      }
      for (; d < dim; d++) s0 += max[d]! * weights[base + d]!;
      for (let l = lexiconFrom; l < dense.length; l++) {
        const value = dense[l]!;
        if (value !== 0) s0 += value * weights[base + l - dim]!;
      }
      logits[k]! += s0 + s1 + (s2 + s3);
    }
  }

  /**
   * For the text scored last, each category's words with the largest positive share of its logit, largest
   * first (at most `limit` a category, none under MIN_SHARE_OF_TOP of the first's). A word's share: its
   * unigram and char n-gram weights, its mean-pooled vector term, half of each bigram it is in, and the
   * max-pooled dimensions that raise a head and that its vector is the first to hold the maximum of. The bias
   * and the lexicon block are nobody's share. A category scored from a window of a long text is explained by
   * that window's words, as the window scored them.
   */
  explainLast(categories: readonly Category[], limit = 3): WordContribution[] {
    const f = this.featurizer;
    const heads = categories.map((category) => this.categories.indexOf(category)).filter((k) => k >= 0);
    const explained: WordContribution[] = [];
    // Heads scored from the same range are explained together (a max-pooled dimension goes to its owner for all of them).
    for (const source of new Set(heads.map((k) => this.scoredFrom[k]!))) {
      const group = heads.filter((k) => this.scoredFrom[k] === source);
      const [from, to] = this.rangeScoredFrom(group[0]!);
      if (this.stateFrom !== from || this.stateTo !== to) this.rangeLogits(from, to);
      const n = to - from;
      const shares = this.wordShares(group, from, to);
      group.forEach((k, h) => {
        const category = this.categories[k]!;
        const chosen: number[] = [];
        for (let pick = 0; pick < limit; pick++) {
          let best = -1;
          for (let i = 0; i < n; i++) if (shares[h * n + i]! > 0 && !chosen.includes(i) && (best < 0 || shares[h * n + i]! > shares[h * n + best]!)) best = i;
          if (best < 0 || (chosen.length > 0 && shares[h * n + best]! < MIN_SHARE_OF_TOP * shares[h * n + chosen[0]!]!)) break;
          chosen.push(best);
          explained.push({ category, start: f.tokenStart(from + best), end: f.tokenEnd(from + best), contribution: shares[h * n + best]! });
        }
      });
    }
    return explained;
  }

  windowsOfLast(categories: readonly Category[]): WindowSpan[] {
    const f = this.featurizer;
    const spans: WindowSpan[] = [];
    for (const category of categories) {
      const k = this.categories.indexOf(category);
      if (k < 0 || this.scoredFrom[k]! < 0) continue;
      const [from, to] = this.rangeScoredFrom(k);
      spans.push({ category, start: f.tokenStart(from), end: f.tokenEnd(to - 1) });
    }
    return spans;
  }

  /** The token range category k's score came from in the text scored last. */
  private rangeScoredFrom(k: number): [number, number] {
    const w = this.scoredFrom[k]!;
    return w < 0 ? [0, this.featurizer.tokenCount] : [this.windowRanges.bounds[2 * w]!, this.windowRanges.bounds[2 * w + 1]!];
  }

  /** shares[h × n + i − from]: token i's share of the logit of category heads[h] over tokens [from, to) (n of them), the range last scored. */
  private wordShares(heads: readonly number[], from: number, to: number): Float64Array {
    const f = this.featurizer;
    const c = this.categories.length;
    const n = to - from;
    const shares = new Float64Array(heads.length * n);
    const vectorTokens = this.lastVectorTokens;
    for (let i = from; i < to; i++) {
      const at = this.wordPart(i);
      const row = this.part;
      const vectorRow = this.partVectorRow;
      for (let h = 0; h < heads.length; h++) {
        const k = heads[h]!;
        shares[h * n + i - from] = this.scales[k]! * (row[at + k]! * this.stateWordNorm + row[at + c + k]! * this.stateCharNorm);
        if (vectorRow >= 0) shares[h * n + i - from]! += row[at + 2 * c + k]! / vectorTokens;
      }
    }
    // Each max-pooled dimension that raises some head goes to the first word whose vector holds its maximum.
    const { dim } = this.pooled;
    const max = this.maxPooled;
    const width = this.pooledWeights.length / c;
    for (let d = 0; d < dim; d++) {
      let raises = false;
      for (let h = 0; h < heads.length && !raises; h++) raises = max[d]! * this.pooledWeights[heads[h]! * width + d]! > 0;
      if (!raises) continue;
      let r = 0;
      while (r < this.vectorRowCount && this.componentOf(this.vectorRows[r]!, d) !== max[d]) r += 1;
      if (r === this.vectorRowCount) continue;
      const owner = this.vectorRowTokens[r]! - from;
      for (let h = 0; h < heads.length; h++) shares[h * n + owner]! += max[d]! * this.pooledWeights[heads[h]! * width + d]!;
    }
    for (let b = from; b + 1 < to && b < f.wordCount; b++) {
      for (let h = 0; h < heads.length; h++) {
        const k = heads[h]!;
        const half = (this.scales[k]! * this.hashed[f.wordBuckets[b]! * c + k]! * this.stateWordNorm) / 2;
        shares[h * n + b - from]! += half;
        shares[h * n + b + 1 - from]! += half;
      }
    }
    return shares;
  }

  /** Dimension d of vector row `row`, as the max pool reads it (a 15-bit integer). */
  private componentOf(row: number, d: number): number {
    const { simd, packed, pairs } = this.pooled;
    return simd ? simd.vectors[row * simd.stride + d]! : laneOf(packed[row * pairs + (d >> 1)]!, d);
  }

  private probabilities(logits: Float64Array, languageOffset = 0): Record<string, number> {
    // A copy of a template with every key already in place keeps one object shape for all results.
    const scores = { ...this.scoreTemplate };
    for (let k = 0; k < this.categories.length; k++) {
      const logit = logits[k]! + (this.moderationHead[k] === 1 ? languageOffset : 0);
      scores[this.categories[k]!] = 1 / (1 + Math.exp(-logit));
    }
    return scores;
  }

  /**
   * Token i's row — summed unigram weights (c numbers), char n-gram weights (c more) and mean projection (c
   * more) — from the cache when it can: it starts at the returned offset of this.part; its word-vector row
   * goes to this.partVectorRow.
   */
  private wordPart(i: number): number {
    const key = this.featurizer.tokens[i]!;
    const c = this.categories.length;
    const cached = this.wordCache.get(key);
    if (cached >= 0) {
      this.part = this.cachedRows;
      this.partVectorRow = this.cachedVectorRows[cached]!;
      return cached * 3 * c;
    }
    const row = this.pendingRow.fill(0);
    const hashed = this.hashed;
    this.featurizer.tokenBuckets(i, {
      pushWord(bucket) {
        for (let k = 0; k < c; k++) row[k]! += hashed[bucket * c + k]!;
      },
      pushChar(bucket) {
        for (let k = 0; k < c; k++) row[c + k]! += hashed[bucket * c + k]!;
      },
    });
    const vectorRow = this.featurizer.vectorRowOf(key);
    if (vectorRow >= 0) row.set(this.meanProjection.subarray(vectorRow * c, (vectorRow + 1) * c), 2 * c);
    if (this.cachedWords < WORD_CACHE_LIMIT && this.featurizer.tokenEnd(i) - this.featurizer.tokenStart(i) <= MAX_CACHED_TOKEN) {
      this.wordCache.set(key, this.cachedWords);
      this.cachedRows.set(row, this.cachedWords * 3 * c);
      this.cachedVectorRows[this.cachedWords] = vectorRow;
      this.cachedWords += 1;
    }
    this.part = row;
    this.partVectorRow = vectorRow;
    return 0;
  }
}

/** The word block's scale for `tokens` tokens scored alone (their unigrams and bigrams), as Featurizer.wordNorm. */
function rangeWordNorm(f: Featurizer, tokens: number): number {
  const n = f.config.words ? tokens + Math.max(0, tokens - 1) : 0;
  return n > 0 ? 1 / Math.sqrt(n) : 0;
}

/** The char block's scale for tokens [from, to) scored alone, as Featurizer.charNorm. */
function rangeCharNorm(f: Featurizer, from: number, to: number): number {
  const n = f.charGramsBetween(from, to);
  return n > 0 ? 1 / Math.sqrt(n) : 0;
}

/**
 * What LinearTextModel derives from the word vectors at load, for another instance over the same weights (a
 * detection worker): the int16 values (a compact copy, count × dim: each thread's SIMD kernels hold the vectors
 * in their own memory), their scale, and the mean projection (shared memory, read in place).
 */
export interface PreparedVectors {
  scale: number;
  values: Int16Array;
  meanProjection: Float32Array;
}

export interface PooledVectors {
  dim: number;
  /** count × pairs 32-bit words; dimension d of a row is lane d % 2 of its word d / 2 (see laneOf). Empty with `simd`. */
  packed: Int32Array;
  pairs: number;
  /** The SIMD kernels, which hold the vectors as int16 rows instead of `packed`; null where WebAssembly SIMD is not available. */
  simd: SimdPooling | null;
}

/** The int16 unit: the largest magnitude of the vectors maps to POOLED_UNITS. */
function vectorScale(vectors: WordVectors | null): number {
  if (!vectors) return 1;
  let largest = 0;
  for (const value of vectors.vectors) largest = Math.max(largest, Math.abs(value));
  return largest > 0 ? largest / POOLED_UNITS : 1;
}

/** The word vectors as 15-bit integers on `scale`: in the SIMD kernels' memory when there are kernels, else packed in pairs. */
function poolableVectors(vectors: WordVectors | null, scale: number, simd: SimdPooling | null): PooledVectors {
  if (!vectors) return pooledFrom(0, 0, () => 0, null);
  const { dim } = vectors;
  return pooledFrom(vectors.vectors.length / dim, dim, (r, d) => Math.round(vectors.vectors[r * dim + d]! / scale), simd);
}

/** poolableVectors' result from the int16 values another instance computed (PreparedVectors.values, count × dim). */
function poolableValues(values: Int16Array, dim: number, simd: SimdPooling | null): PooledVectors {
  if (dim === 0) return pooledFrom(0, 0, () => 0, null);
  return pooledFrom(values.length / dim, dim, (r, d) => values[r * dim + d]!, simd);
}

/** `count` vectors of `dim` int16 values (`valueAt`), written into the kernels' memory or packed in pairs. */
function pooledFrom(count: number, dim: number, valueAt: (row: number, d: number) => number, simd: SimdPooling | null): PooledVectors {
  if (dim === 0) return { dim: 0, packed: new Int32Array(0), pairs: 0, simd: null };
  const pairs = Math.ceil(dim / 2);
  const packed = new Int32Array(simd ? 0 : count * pairs);
  for (let r = 0; r < count; r++) {
    for (let d = 0; d < dim; d++) {
      const value = valueAt(r, d);
      if (simd) simd.vectors[r * simd.stride + d] = value;
      else packed[r * pairs + (d >> 1)]! |= (value + POOLED_OFFSET) << (16 * (d & 1));
    }
  }
  return { dim, packed, pairs, simd };
}

/** The pooled vectors' int16 values, count × dim, read back from the kernels' memory or the packed pairs. */
function valuesOf(pooled: PooledVectors, count: number): Int16Array {
  const { dim, simd, packed, pairs } = pooled;
  const values = new Int16Array(count * dim);
  for (let r = 0; r < count; r++) {
    for (let d = 0; d < dim; d++) values[r * dim + d] = simd ? simd.vectors[r * simd.stride + d]! : laneOf(packed[r * pairs + (d >> 1)]!, d);
  }
  return values;
}

/** Dimension d's integer value from its packed word. */
function laneOf(word: number, d: number): number {
  return ((d & 1 ? word >>> 16 : word) & 0xffff) - POOLED_OFFSET;
}

/** projection[word × c + k] = Σ_d vector[word][d] · denseWeight[d][k] over the mean-pooled block. */
function projectMeanWeights(weights: ModelWeights, c: number): Float32Array {
  const vectors = weights.wordVectors;
  if (!vectors) return new Float32Array(0);
  const count = vectors.hashes.length;
  const projection = sharedArray(Float32Array, count * c);
  for (let r = 0; r < count; r++) {
    for (let d = 0; d < vectors.dim; d++) {
      const v = vectors.vectors[r * vectors.dim + d]!;
      for (let k = 0; k < c; k++) projection[r * c + k]! += v * weights.dense[d * c + k]!;
    }
  }
  return projection;
}

/**
 * Transposes feature-major weights (features × c) to category-major (c × features), so that each head reads
 * one run; the first `scaledFeatures` (the max-pooled block) are multiplied by `scale`, the int16 unit.
 */
function categoryMajor(weights: Float32Array, c: number, scaledFeatures: number, scale: number): Float64Array {
  const features = weights.length / c;
  const out = new Float64Array(weights.length);
  for (let d = 0; d < features; d++) {
    for (let k = 0; k < c; k++) out[k * features + d] = weights[d * c + k]! * (d < scaledFeatures ? scale : 1);
  }
  return out;
}
