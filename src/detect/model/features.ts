import { leetLetter, normalize } from '../normalize.ts';
import { combineHashes, FNV_OFFSET, hashString, hashUnit } from './hash.ts';
import { HashIndex } from './hash-index.ts';
import { LEGACY_LEXICON_GROUPS, LexiconAccumulator, MAX_PHRASE_TOKENS, lexiconDim, type LexiconTerm } from './lexicon.ts';

/**
 * Featurisation shared by training (scripts/train.ts) and inference: one implementation.
 * A text is normalised (src/detect/normalize.ts: NFKC, confusables, leetspeak, separators, runs), then
 *  - hashed word 1–2-grams and char 3–5-grams inside each word (padded with a space each side), counted,
 *    each block scaled by 1/√(its count) so that length alone does not move the score;
 *  - dense features: mean- and max-pooled word vectors and the lexicon block.
 * Buffers are reused between texts: extract() allocates nothing per text beyond normalisation.
 * Because every unigram and char n-gram belongs to one word, inference can sum them per distinct word once
 * and cache the sums (see LinearTextModel); training sees every occurrence (`expandWords`).
 */
export interface FeatureConfig {
  /** Size of the hashed feature space, a power of two. */
  buckets: number;
  words: boolean;
  chars: boolean;
  lexicon: boolean;
  embeddings: boolean;
  /**
   * Words (as normalize() writes them) that carry no weight of their own: no unigram, no char n-grams, no word
   * vector, no lexicon match; in bigrams each reads as one shared placeholder. The names of identity groups
   * ("gay", "muslims", "transgender") are listed here: where a group is named mostly in hateful training texts a
   * weight of its own makes naming the group the signal (issue 12), whereas "hate <group>" or "<group> are
   * animals" keep their evidence through the placeholder's bigrams and the other words. Absent: none.
   */
  neutral?: readonly string[];
  /**
   * How many of LEXICON_GROUPS the lexicon block has (terms of later groups are not matched); absent: the 12 of
   * artifacts made before the self-harm group.
   */
  lexiconGroups?: number;
}

/** The token hash every neutral word is read as (no word vector or lexicon term has it). */
export const NEUTRAL_TOKEN = hashString('\u0000neutral', FNV_OFFSET);

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
const NEWLINE = 0x0a;
const PHRASE_START_MASK = 0xffff;
/** Shorter tokens with digits ("3d", "5g") are as often codes as words. */
const MIN_LEET_TOKEN = 3;

/** Char n-grams (CHAR_MIN..CHAR_MAX) in a padded token of length n. */
function charGramsIn(n: number): number {
  let total = 0;
  for (let size = CHAR_MIN; size <= CHAR_MAX; size++) total += Math.max(0, n - size + 1);
  return total;
}

function isWordUnit(c: number): boolean {
  if (c < 0x80) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
  if (c >= 0x2000 && c <= 0x206f) return false; // general punctuation
  if (c >= 0x3000 && c <= 0x303f) return false; // CJK punctuation
  if (c >= 0xff00 && c <= 0xff0f) return false; // fullwidth punctuation
  return c >= 0xc0;
}

/** UNIT_CLASS bits: a word unit (isWordUnit), a digit that leetLetter reads as a letter. */
const WORD_UNIT = 1;
const LEET_DIGIT = 2;
/** Per UTF-16 unit, its UNIT_CLASS bits, so that tokenizeHashes reads one byte per character instead of testing ranges. */
const UNIT_CLASS = (() => {
  const table = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) table[c] = (isWordUnit(c) ? WORD_UNIT : 0) | (leetLetter(c) !== 0 ? LEET_DIGIT : 0);
  return table;
})();

/** The token hash of text[start, end) with each run of one unit read once ("fuuck" as "fuck"). */
function collapsedHashOf(text: string, start: number, end: number): number {
  let hash = WORD_SEED;
  let previous = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== previous) hash = hashUnit(hash, c);
    previous = c;
  }
  return hash;
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
  /**
   * Whether extract() pools word vectors into `dense`. Inference turns it off: it caches each word's vector
   * row, pools the max itself, and takes the mean through weights projected per word (it is linear).
   */
  poolsVectors = true;

  /**
   * True: unigrams and char n-grams of every token go into wordBuckets/charBuckets (training).
   * False: only bigrams are listed; the caller sums per-token parts itself with tokenBuckets().
   */
  expandWords = true;
  /** Hashes of the current text's tokens, and where each sits in the normalised text. */
  tokens = new Uint32Array(256);
  private starts = new Int32Array(256);
  private ends = new Int32Array(256);
  private collapsed = new Uint32Array(256);
  /** 1 where a token is read with its leet digits as letters (see foldLeetToken). */
  private leet = new Uint8Array(256);
  private text = '';
  /** Unigram and char n-gram counts of the current text, for the block scales. */
  unigramCount = 0;
  charGramCount = 0;

  private readonly mask: number;
  private readonly lexiconIndex: HashIndex;
  /** 1 at (hash & PHRASE_START_MASK) of each first token of a multi-token lexicon term: other tokens start no phrase. */
  private readonly phraseStarts = new Uint8Array(PHRASE_START_MASK + 1);
  private readonly lexiconAccumulator: LexiconAccumulator;
  private readonly vectorIndex: HashIndex | null;
  /** Hashes of config.neutral's words, or null when there are none. */
  private readonly neutralIndex: HashIndex | null;
  private readonly vectorSum: Float64Array;
  private readonly vectorMax: Float32Array;

  constructor(
    readonly config: FeatureConfig,
    private readonly lexicon: readonly LexiconTerm[],
    private readonly wordVectors: WordVectors | null,
  ) {
    if ((config.buckets & (config.buckets - 1)) !== 0) throw new Error('buckets must be a power of two');
    this.mask = config.buckets - 1;
    this.embeddingDim = wordVectors?.dim ?? 0;
    const groups = config.lexiconGroups ?? LEGACY_LEXICON_GROUPS;
    this.lexiconAccumulator = new LexiconAccumulator(groups);
    this.denseDim = 2 * this.embeddingDim + lexiconDim(groups);
    this.dense = new Float32Array(this.denseDim);
    this.vectorSum = new Float64Array(this.embeddingDim);
    this.vectorMax = new Float32Array(this.embeddingDim);
    this.lexiconIndex = new HashIndex(lexicon.length);
    lexicon.forEach((term, i) => {
      if (term.group >= groups) return;
      const termTokens = tokenize(term.text);
      if (termTokens.length > 0 && termTokens.length <= MAX_PHRASE_TOKENS) this.lexiconIndex.set(phraseHash(termTokens), i);
      if (termTokens.length > 1 && termTokens.length <= MAX_PHRASE_TOKENS) this.phraseStarts[tokenHash(termTokens[0]!) & PHRASE_START_MASK] = 1;
    });
    this.vectorIndex = wordVectors ? HashIndex.fromKeys(wordVectors.hashes) : null;
    const neutral = config.neutral ?? [];
    this.neutralIndex = neutral.length > 0 ? HashIndex.fromKeys(Uint32Array.from(neutral, (word) => tokenHash(word))) : null;
  }

  extract(text: string): void {
    this.extractNormalized(normalize(text).text);
  }

  extractNormalized(text: string): void {
    this.text = text;
    this.wordCount = 0;
    this.charCount = 0;
    this.dense.fill(0);
    this.tokenizeHashes(text);
    this.unigramCount = this.config.words ? this.tokenCount : 0;
    this.charGramCount = 0;
    this.charGramCount = this.charGramsBetween(0, this.tokenCount);
    if (this.config.words) this.addBigrams();
    if (this.expandWords) for (let i = 0; i < this.tokenCount; i++) this.tokenBuckets(i, this);
    if (this.poolsVectors && this.config.embeddings && this.vectorIndex) this.poolVectors();
    if (this.config.lexicon) this.matchLexicon(0, this.tokenCount);
  }

  /** Char n-grams in tokens [from, to) of the current text (what charGramCount counts for the whole text). */
  charGramsBetween(from: number, to: number): number {
    if (!this.config.chars) return 0;
    let total = 0;
    // A neutral word has no char n-grams: its length must not move the block's scale either.
    for (let i = from; i < to; i++) if (this.tokens[i] !== NEUTRAL_TOKEN) total += charGramsIn(this.ends[i]! - this.starts[i]! + 2);
    return total;
  }

  /**
   * Writes into `out` the first token of each sentence of the current text, 0 first, and returns how many: a
   * sentence starts after a gap between tokens that holds a line break, or ".", "!" or "?" followed by a space
   * ("3.5" and "e.g" start none). With `lineStarts`, lineStarts[s] is set to 1 where sentence s starts a line
   * (the first sentence does), 0 elsewhere.
   */
  sentenceStarts(out: Int32Array, lineStarts?: Uint8Array): number {
    if (this.tokenCount === 0) return 0;
    out[0] = 0;
    if (lineStarts) lineStarts[0] = 1;
    let count = 1;
    for (let i = 1; i < this.tokenCount; i++) {
      let ended = false;
      for (let at = this.ends[i - 1]!; at < this.starts[i]!; at++) {
        const c = this.text.charCodeAt(at);
        if (c === 0x2e || c === 0x21 || c === 0x3f) ended = true;
        else if (c === NEWLINE || (c === SPACE && ended)) {
          if (lineStarts) lineStarts[count] = c === NEWLINE ? 1 : 0;
          out[count++] = i;
          break;
        }
      }
    }
    return count;
  }

  /** Where token i of the current text starts in the normalised text, and where it ends (exclusive). */
  tokenStart(i: number): number {
    return this.starts[i]!;
  }

  tokenEnd(i: number): number {
    return this.ends[i]!;
  }

  /** Scale of the word block (unigrams + bigrams) and of the char block. */
  get wordNorm(): number {
    const n = this.unigramCount + Math.max(0, this.config.words ? this.tokenCount - 1 : 0);
    return n > 0 ? 1 / Math.sqrt(n) : 0;
  }

  get charNorm(): number {
    return this.charGramCount > 0 ? 1 / Math.sqrt(this.charGramCount) : 0;
  }

  /** Pushes token i's unigram bucket (word block) and its char n-gram buckets (char block) into `sink`. */
  tokenBuckets(i: number, sink: { pushWord(bucket: number): void; pushChar(bucket: number): void }): void {
    const mask = this.mask;
    if (this.tokens[i] === NEUTRAL_TOKEN) return;
    if (this.config.words) sink.pushWord(this.tokens[i]! & mask);
    if (!this.config.chars) return;
    const text = this.text;
    const from = this.starts[i]! - 1;
    const n = this.ends[i]! - from + 1;
    for (let start = 0; start + CHAR_MIN <= n; start++) {
      let hash = CHAR_SEED;
      const end = Math.min(n, start + CHAR_MAX);
      for (let k = start; k < end; k++) {
        const unit = k === 0 || k === n - 1 ? SPACE : text.charCodeAt(from + k);
        const c = this.leet[i] === 1 ? leetLetter(unit) || unit : unit;
        hash = hashUnit(hash, c);
        if (k - start + 1 >= CHAR_MIN) sink.pushChar(hash & mask);
      }
    }
  }

  private tokenizeHashes(text: string): void {
    let count = 0;
    let hash = WORD_SEED;
    // A token's hash with doubled units read once is its hash unless some unit repeats: then it is computed apart.
    let repeated = false;
    let previous = -1;
    let start = -1;
    let leetDigits = false;
    const length = text.length;
    for (let i = 0; i <= length; i++) {
      const c = i < length ? text.charCodeAt(i) : SPACE;
      let unitClass = UNIT_CLASS[c]!;
      // An apostrophe inside a word ("don't") is part of it.
      if (unitClass === 0 && c === 0x27 && start >= 0 && i + 1 < length && (UNIT_CLASS[text.charCodeAt(i + 1)]! & WORD_UNIT) !== 0) unitClass = WORD_UNIT;
      if (unitClass !== 0) {
        if (start < 0) start = i;
        hash = hashUnit(hash, c);
        if (c === previous) repeated = true;
        previous = c;
        if (unitClass === WORD_UNIT + LEET_DIGIT) leetDigits = true;
      } else if (start >= 0) {
        if (count === this.tokens.length) this.growTokens();
        this.tokens[count] = hash;
        this.collapsed[count] = repeated ? collapsedHashOf(text, start, i) : hash;
        this.leet[count] = 0;
        if (leetDigits) this.foldLeetToken(count, start, i);
        if (this.neutralIndex !== null && this.neutralIndex.get(this.tokens[count]!) >= 0) {
          this.tokens[count] = NEUTRAL_TOKEN;
          this.collapsed[count] = NEUTRAL_TOKEN;
        }
        leetDigits = false;
        this.starts[count] = start;
        this.ends[count] = i;
        count += 1;
        hash = WORD_SEED;
        repeated = false;
        previous = -1;
        start = -1;
      }
    }
    this.tokenCount = count;
  }

  /**
   * A token that normalize() left with digits ("4ss", "th3", "d13": digits at one end only, which codes and
   * units have too) is read with its leet digits as letters when that gives a word the model knows (a word
   * vector or a lexicon term) and the token as written is not one: "th3" is "the", "mp3" stays. A number
   * followed by letters is a quantity or an ordinal ("1st", "5pm", "90s") unless it spells a lexicon term ("4ss").
   */
  private foldLeetToken(t: number, start: number, end: number): void {
    if (end - start < MIN_LEET_TOKEN || this.known(this.tokens[t]!)) return;
    let hash = WORD_SEED;
    let collapsedHash = WORD_SEED;
    let previous = -1;
    let letters = 0;
    let quantity = true;
    for (let k = start; k < end; k++) {
      const unit = this.text.charCodeAt(k);
      if (unit >= 0x30 && unit <= 0x39 && leetLetter(unit) === 0) return;
      const c = leetLetter(unit) || unit;
      if (c === unit) letters += 1;
      else if (letters > 0) quantity = false;
      hash = hashUnit(hash, c);
      if (c !== previous) collapsedHash = hashUnit(collapsedHash, c);
      previous = c;
    }
    if (letters === 0 || !(quantity ? this.lexiconIndex.get(hash) >= 0 : this.known(hash))) return;
    this.tokens[t] = hash;
    this.collapsed[t] = collapsedHash;
    this.leet[t] = 1;
  }

  /** Whether a token hash is a word of the vocabulary: it has a word vector or is a lexicon term. */
  private known(hash: number): boolean {
    return (this.vectorIndex !== null && this.vectorIndex.get(hash) >= 0) || this.lexiconIndex.get(hash) >= 0;
  }

  private growTokens(): void {
    const size = this.tokens.length * 2;
    const grow = <T extends Uint32Array | Int32Array | Uint8Array>(old: T, fresh: T): T => {
      fresh.set(old);
      return fresh;
    };
    this.tokens = grow(this.tokens, new Uint32Array(size));
    this.collapsed = grow(this.collapsed, new Uint32Array(size));
    this.starts = grow(this.starts, new Int32Array(size));
    this.ends = grow(this.ends, new Int32Array(size));
    this.leet = grow(this.leet, new Uint8Array(size));
  }

  pushWord(bucket: number): void {
    if (this.wordCount === this.wordBuckets.length) {
      const grown = new Uint32Array(this.wordBuckets.length * 2);
      grown.set(this.wordBuckets);
      this.wordBuckets = grown;
    }
    this.wordBuckets[this.wordCount++] = bucket;
  }

  pushChar(bucket: number): void {
    if (this.charCount === this.charBuckets.length) {
      const grown = new Uint32Array(this.charBuckets.length * 2);
      grown.set(this.charBuckets);
      this.charBuckets = grown;
    }
    this.charBuckets[this.charCount++] = bucket;
  }

  private addBigrams(): void {
    const mask = this.mask;
    for (let i = 1; i < this.tokenCount; i++) this.pushWord(combineHashes(this.tokens[i - 1]!, this.tokens[i]!) & mask);
  }

  /** Row of a token's word vector, or -1 when it has none (or the model uses no vectors). */
  vectorRowOf(token: number): number {
    return this.config.embeddings && this.vectorIndex ? this.vectorIndex.get(token) : -1;
  }

  private poolVectors(): void {
    const vectors = this.wordVectors!.vectors;
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
        const v = vectors[base + d]!;
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

  /** Writes the lexicon block of tokens [from, to) of the current text into `dense` (extract() does it for all). */
  matchLexicon(from: number, to: number): void {
    const acc = this.lexiconAccumulator;
    acc.reset();
    for (let i = from; i < to; i++) {
      let hash = this.tokens[i]!;
      let term = this.lexiconIndex.get(hash);
      // A doubled letter ("fuuck") is folded only in words that are not known words ("good" is not "god").
      // (The small lexicon table is asked first: most collapsed words are no term, and the vector table is megabytes.)
      if (term < 0 && this.collapsed[i] !== hash) {
        const collapsedTerm = this.lexiconIndex.get(this.collapsed[i]!);
        if (collapsedTerm >= 0 && this.vectorIndex?.get(hash) === -1) term = collapsedTerm;
      }
      if (term >= 0) acc.add(this.lexicon[term]!);
      if (this.phraseStarts[hash & PHRASE_START_MASK] === 0) continue;
      for (let k = 1; k < MAX_PHRASE_TOKENS && i + k < to; k++) {
        hash = combineHashes(hash, this.tokens[i + k]!);
        const phrase = this.lexiconIndex.get(hash);
        if (phrase >= 0) acc.add(this.lexicon[phrase]!);
      }
    }
    acc.write(this.dense, 2 * this.embeddingDim, to - from);
  }
}
