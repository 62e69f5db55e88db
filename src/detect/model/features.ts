import { normalize } from '../normalize.ts';
import { combineHashes, FNV_OFFSET, hashString, hashUnit } from './hash.ts';
import { HashIndex } from './hash-index.ts';
import { LEXICON_DIM, LexiconAccumulator, MAX_PHRASE_TOKENS, type LexiconTerm } from './lexicon.ts';

/**
 * Featurisation shared by training (scripts/train.ts) and inference: one implementation.
 * A text is normalised (src/detect/normalize.ts: NFKC, confusables, leetspeak, separators, runs), then
 *  - hashed word 1–2-grams and char 3–5-grams, each present-or-not, each block L2-normalised;
 *  - dense features: mean- and max-pooled word vectors and the lexicon block.
 * Buffers are reused between texts: extract() allocates nothing per text beyond normalisation.
 */
export interface FeatureConfig {
  /** Size of the hashed feature space, a power of two. */
  buckets: number;
  words: boolean;
  chars: boolean;
  lexicon: boolean;
  embeddings: boolean;
}

export interface WordVectors {
  dim: number;
  /** Token hash (as tokenHash computes it) of each word. */
  hashes: Uint32Array;
  /** count × dim, row-major. */
  vectors: Float32Array;
}

const WORD_SEED = FNV_OFFSET;
const CHAR_SEED = 0x2545f491;
const CHAR_MIN = 3;
const CHAR_MAX = 5;
const SPACE = 0x20;

function isWordUnit(c: number): boolean {
  if (c < 0x80) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
  if (c >= 0x2000 && c <= 0x206f) return false; // general punctuation
  if (c >= 0x3000 && c <= 0x303f) return false; // CJK punctuation
  if (c >= 0xff00 && c <= 0xff0f) return false; // fullwidth punctuation
  return c >= 0xc0;
}

/** The hash a token gets: what word vectors and lexicon terms are keyed by. */
export function tokenHash(token: string): number {
  return hashString(token, WORD_SEED);
}

/** Splits normalised text into tokens the way extract() does (for building vocabularies and term keys). */
export function tokenize(normalized: string): string[] {
  const tokens: string[] = [];
  let start = -1;
  for (let i = 0; i <= normalized.length; i++) {
    const c = i < normalized.length ? normalized.charCodeAt(i) : SPACE;
    const inWord = isWordUnit(c) || (c === 0x27 && start >= 0 && i + 1 < normalized.length && isWordUnit(normalized.charCodeAt(i + 1)));
    if (inWord && start < 0) start = i;
    else if (!inWord && start >= 0) {
      tokens.push(normalized.slice(start, i));
      start = -1;
    }
  }
  return tokens;
}

/** Hash of a phrase's tokens combined as extract() combines them when matching lexicon phrases. */
export function phraseHash(tokens: readonly string[]): number {
  let hash = tokenHash(tokens[0] ?? '');
  for (let i = 1; i < tokens.length; i++) hash = combineHashes(hash, tokenHash(tokens[i]!));
  return hash;
}

export class Featurizer {
  readonly denseDim: number;
  readonly embeddingDim: number;
  /** Unique hashed buckets of the current text, word block then char block. */
  wordBuckets = new Uint32Array(256);
  wordCount = 0;
  charBuckets = new Uint32Array(1024);
  charCount = 0;
  readonly dense: Float32Array;
  tokenCount = 0;

  private readonly mask: number;
  private readonly stamps: Int32Array;
  private stamp = 0;
  private tokens = new Uint32Array(256);
  private collapsed = new Uint32Array(256);
  private readonly lexiconIndex: HashIndex;
  private readonly lexiconAccumulator = new LexiconAccumulator();
  private readonly vectorIndex: HashIndex | null;
  private readonly vectorSum: Float64Array;
  private readonly vectorMax: Float32Array;

  constructor(
    readonly config: FeatureConfig,
    private readonly lexicon: readonly LexiconTerm[],
    private readonly wordVectors: WordVectors | null,
  ) {
    if ((config.buckets & (config.buckets - 1)) !== 0) throw new Error('buckets must be a power of two');
    this.mask = config.buckets - 1;
    this.stamps = new Int32Array(config.buckets);
    this.embeddingDim = wordVectors?.dim ?? 0;
    this.denseDim = 2 * this.embeddingDim + LEXICON_DIM;
    this.dense = new Float32Array(this.denseDim);
    this.vectorSum = new Float64Array(this.embeddingDim);
    this.vectorMax = new Float32Array(this.embeddingDim);
    this.lexiconIndex = new HashIndex(lexicon.length);
    lexicon.forEach((term, i) => {
      const termTokens = tokenize(term.text);
      if (termTokens.length > 0 && termTokens.length <= MAX_PHRASE_TOKENS) this.lexiconIndex.set(phraseHash(termTokens), i);
    });
    this.vectorIndex = wordVectors ? HashIndex.fromKeys(wordVectors.hashes) : null;
  }

  extract(text: string): void {
    this.extractNormalized(normalize(text).text);
  }

  extractNormalized(text: string): void {
    this.stamp += 1;
    this.wordCount = 0;
    this.charCount = 0;
    this.dense.fill(0);
    this.tokenizeHashes(text);
    if (this.config.words) this.addWordGrams();
    if (this.config.chars) this.addCharGrams(text);
    if (this.config.embeddings && this.vectorIndex) this.poolVectors();
    if (this.config.lexicon) this.matchLexicon();
  }

  private tokenizeHashes(text: string): void {
    let count = 0;
    let hash = WORD_SEED;
    let collapsedHash = WORD_SEED;
    let previous = -1;
    let inToken = false;
    for (let i = 0; i <= text.length; i++) {
      const c = i < text.length ? text.charCodeAt(i) : SPACE;
      const inWord = isWordUnit(c) || (c === 0x27 && inToken && i + 1 < text.length && isWordUnit(text.charCodeAt(i + 1)));
      if (inWord) {
        hash = hashUnit(hash, c);
        if (c !== previous) collapsedHash = hashUnit(collapsedHash, c);
        previous = c;
        inToken = true;
      } else if (inToken) {
        if (count === this.tokens.length) this.growTokens();
        this.tokens[count] = hash;
        this.collapsed[count] = collapsedHash;
        count += 1;
        hash = WORD_SEED;
        collapsedHash = WORD_SEED;
        previous = -1;
        inToken = false;
      }
    }
    this.tokenCount = count;
  }

  private growTokens(): void {
    const tokens = new Uint32Array(this.tokens.length * 2);
    tokens.set(this.tokens);
    this.tokens = tokens;
    const collapsed = new Uint32Array(this.collapsed.length * 2);
    collapsed.set(this.collapsed);
    this.collapsed = collapsed;
  }

  private pushWord(bucket: number): void {
    if (this.stamps[bucket] === this.stamp) return;
    this.stamps[bucket] = this.stamp;
    if (this.wordCount === this.wordBuckets.length) {
      const grown = new Uint32Array(this.wordBuckets.length * 2);
      grown.set(this.wordBuckets);
      this.wordBuckets = grown;
    }
    this.wordBuckets[this.wordCount++] = bucket;
  }

  private pushChar(bucket: number): void {
    if (this.stamps[bucket] === this.stamp) return;
    this.stamps[bucket] = this.stamp;
    if (this.charCount === this.charBuckets.length) {
      const grown = new Uint32Array(this.charBuckets.length * 2);
      grown.set(this.charBuckets);
      this.charBuckets = grown;
    }
    this.charBuckets[this.charCount++] = bucket;
  }

  private addWordGrams(): void {
    const mask = this.mask;
    for (let i = 0; i < this.tokenCount; i++) {
      const token = this.tokens[i]!;
      this.pushWord(token & mask);
      if (i > 0) this.pushWord(combineHashes(this.tokens[i - 1]!, token) & mask);
    }
  }

  /** Char 3–5-grams over the text padded with one space each side. */
  private addCharGrams(text: string): void {
    const mask = this.mask;
    const n = text.length + 2;
    for (let start = 0; start + CHAR_MIN <= n; start++) {
      let hash = CHAR_SEED;
      const end = Math.min(n, start + CHAR_MAX);
      for (let k = start; k < end; k++) {
        const c = k === 0 || k === n - 1 ? SPACE : text.charCodeAt(k - 1);
        hash = hashUnit(hash, c);
        if (k - start + 1 >= CHAR_MIN) this.pushChar(hash & mask);
      }
    }
  }

  private poolVectors(): void {
    const vectors = this.wordVectors!;
    const index = this.vectorIndex!;
    const dim = this.embeddingDim;
    const sum = this.vectorSum;
    const max = this.vectorMax;
    sum.fill(0);
    max.fill(-Infinity);
    let found = 0;
    for (let i = 0; i < this.tokenCount; i++) {
      const row = index.get(this.tokens[i]!);
      if (row < 0) continue;
      found += 1;
      const base = row * dim;
      for (let d = 0; d < dim; d++) {
        const v = vectors.vectors[base + d]!;
        sum[d]! += v;
        if (v > max[d]!) max[d] = v;
      }
    }
    if (found === 0) return;
    for (let d = 0; d < dim; d++) {
      this.dense[d] = sum[d]! / found;
      this.dense[dim + d] = max[d]!;
    }
  }

  private matchLexicon(): void {
    const acc = this.lexiconAccumulator;
    acc.reset();
    for (let i = 0; i < this.tokenCount; i++) {
      let hash = this.tokens[i]!;
      let term = this.lexiconIndex.get(hash);
      // A doubled letter ("fuuck") is folded only in words that are not known words ("good" is not "god").
      if (term < 0 && this.collapsed[i] !== hash && this.vectorIndex?.get(hash) === -1) term = this.lexiconIndex.get(this.collapsed[i]!);
      if (term >= 0) acc.add(this.lexicon[term]!);
      for (let k = 1; k < MAX_PHRASE_TOKENS && i + k < this.tokenCount; k++) {
        hash = combineHashes(hash, this.tokens[i + k]!);
        const phrase = this.lexiconIndex.get(hash);
        if (phrase >= 0) acc.add(this.lexicon[phrase]!);
      }
    }
    acc.write(this.dense, 2 * this.embeddingDim, this.tokenCount);
  }
}
