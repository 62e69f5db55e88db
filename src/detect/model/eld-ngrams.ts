import { readFileSync } from 'node:fs';
import { sharedArray, sharedCopy } from './shared-array.ts';

/**
 * eld's language identification ("small" database), computed exactly as eld 2.1 computes it — the same text
 * processing, byte n-grams, scores and reliability rule over eld's own n-gram table — but with that table
 * compiled into flat arrays. eld keeps it as nested objects and walks their keys per n-gram, which made it the
 * slowest part of moderating a text it had to identify (about 35 µs for 200 English characters, 100 µs for
 * French); and loading eld's module costs a process about 140 MB. The table is eld's data, written to
 * eld-small-ngrams.json by `npm run language-table`; src/detect/model/language.test.ts compares the verdicts
 * with eld's own on thousands of texts in many languages.
 */
interface EldTable {
  languages: string[];
  averageScores: number[];
  /** UTF-8 byte → the character eld writes for it. */
  dictionary: string[];
  separators: { source: string; flags: string };
  /** The n-grams, one a line. */
  ngrams: string;
  /** base64 bytes: how many (language, score) entries each n-gram has, then each entry's language and score. */
  entriesPerNgram: string;
  entryLanguages: string;
  entryScores: string;
}

/** The result of one identification, as eld's LanguageResult reports it. */
export interface NgramVerdict {
  /** ISO 639-1 code, '' when no language scored. */
  language: string;
  /** eld's 0..1 score of that language. */
  score: number;
  reliable: boolean;
}

/** eld subtracts this from every stored n-gram score to keep its database small. */
const BASE_NGRAM_SCORE = 53;
const SCORE_SCALE = 25;
const RELIABLE_RATIO = 0.75;
const MAX_CHARS = 1000;
const CUT_AFTER_BYTES = 350;
const ENFORCE_CUT_AFTER_BYTES = 380;
const MAX_WORD = 70;

/**
 * eld's table compiled into flat arrays over SharedArrayBuffers (see shared-array.ts): built once per process by
 * eldTables() and handed as they are to the detection worker (useEldTables), whose identifier reads the same
 * memory.
 */
export interface EldTables {
  languages: string[];
  averageScores: number[];
  dictionary: string[];
  separators: { source: string; flags: string };
  /**
   * Open addressing over the n-grams (NGRAM_SLOTS slots, linear probing): slot s holds the n-gram's key at
   * 4s and 4s + 1 (see ngramKey; 0, 0 marks an empty slot) and the range of its entries in `entryLanguages`
   * and `entryScores` at 4s + 2 and 4s + 3.
   */
  ngramSlots: Int32Array;
  /** Per entry: its language (index into `languages`) and its score (eld's stored score + BASE_NGRAM_SCORE). */
  entryLanguages: Uint8Array;
  entryScores: Int32Array;
}

/** Slots of EldTables.ngramSlots, a power of two: eld's small table has about 81,000 n-grams (load about 0.6). */
const NGRAM_SLOTS = 1 << 17;
/** Every n-gram of eld's table is at most this many characters, each one byte (ASCII or a dictionary character). */
const MAX_NGRAM_KEY = 6;

/** Compiles eld's table (the JSON that `npm run language-table` writes) into EldTables. */
export function compileEldTable(table: EldTable): EldTables {
  const counts = Buffer.from(table.entriesPerNgram, 'base64');
  const scores = Buffer.from(table.entryScores, 'base64');
  const entryScores = sharedArray(Int32Array, scores.length);
  for (let i = 0; i < scores.length; i++) entryScores[i] = scores[i]! + BASE_NGRAM_SCORE;
  const slots = sharedArray(Int32Array, 4 * NGRAM_SLOTS);
  let at = 0;
  table.ngrams.split('\n').forEach((ngram, i) => {
    const start = at;
    at += counts[i]!;
    if (!ngramKey(ngram)) throw new Error(`eld n-gram ${JSON.stringify(ngram)} is not 1 to ${MAX_NGRAM_KEY} one-byte characters`);
    let slot = keyHash() & (NGRAM_SLOTS - 1);
    // As the Map this replaces did, the last of two equal keys wins (eld's table has none).
    while (slots[4 * slot + 1] !== 0 && !(slots[4 * slot] === keyLow && slots[4 * slot + 1] === keyHigh)) slot = (slot + 1) & (NGRAM_SLOTS - 1);
    slots[4 * slot] = keyLow;
    slots[4 * slot + 1] = keyHigh;
    slots[4 * slot + 2] = start;
    slots[4 * slot + 3] = at;
  });
  return {
    languages: table.languages,
    averageScores: table.averageScores,
    dictionary: table.dictionary,
    separators: table.separators,
    ngramSlots: slots,
    entryLanguages: sharedCopy(Uint8Array, Buffer.from(table.entryLanguages, 'base64')),
    entryScores,
  };
}

/** The key ngramKey() computed last: the characters' bytes, low four in keyLow, the rest and the length in keyHigh. */
let keyLow = 0;
let keyHigh = 0;

/** Sets keyLow/keyHigh to `ngram`'s key; false when no n-gram of the table can equal it (too long, a character over 255). */
function ngramKey(ngram: string): boolean {
  const length = ngram.length;
  if (length === 0 || length > MAX_NGRAM_KEY) return false;
  let low = 0;
  let high = length << 16;
  for (let i = 0; i < length; i++) {
    const c = ngram.charCodeAt(i);
    if (c > 0xff) return false;
    if (i < 4) low |= c << (8 * i);
    else high |= c << (8 * (i - 4));
  }
  keyLow = low;
  keyHigh = high;
  return true;
}

/** A hash of the current key (keyLow, keyHigh), for its first slot. */
function keyHash(): number {
  const h = Math.imul(keyLow ^ Math.imul(keyHigh, 0x9e3779b1), 0x85ebca6b);
  return h ^ (h >>> 15);
}

export class NgramLanguageIdentifier {
  private readonly codes: string[];
  private readonly averages: Float64Array;
  private readonly dictionary: string[];
  private readonly separators: RegExp;
  private readonly slots: Int32Array;
  private readonly languages: Uint8Array;
  private readonly scores: Int32Array;
  private readonly totals: Float64Array;
  private readonly seen = new Set<string>();

  /** Over compiled tables (eldTables(), or a worker's copy of them: the arrays are shared, not copied). */
  constructor(tables: EldTables) {
    this.codes = tables.languages;
    this.averages = Float64Array.from(tables.averageScores);
    this.dictionary = tables.dictionary;
    this.separators = new RegExp(tables.separators.source, tables.separators.flags);
    this.totals = new Float64Array(this.codes.length);
    this.slots = tables.ngramSlots;
    this.languages = tables.entryLanguages;
    this.scores = tables.entryScores;
  }

  identify(input: string): NgramVerdict {
    const words = this.byteWords(input.substring(0, MAX_CHARS));
    const ngrams = this.byteNgrams(words);
    const totals = this.totals.fill(0);
    for (const ngram of ngrams) {
      const slot = this.slotOf(ngram);
      if (slot < 0) continue;
      const end = this.slots[4 * slot + 3]!;
      for (let at = this.slots[4 * slot + 2]!; at < end; at++) totals[this.languages[at]!]! += this.scores[at]!;
    }
    return this.verdict(totals, ngrams.size);
  }

  /** The slot of `ngram` in the table, or -1 when it is not one of eld's n-grams. */
  private slotOf(ngram: string): number {
    if (!ngramKey(ngram)) return -1;
    const slots = this.slots;
    let slot = keyHash() & (NGRAM_SLOTS - 1);
    for (;;) {
      const high = slots[4 * slot + 1]!;
      if (high === 0) return -1;
      if (high === keyHigh && slots[4 * slot] === keyLow) return slot;
      slot = (slot + 1) & (NGRAM_SLOTS - 1);
    }
  }

  /** eld's textProcessor and strToUtf8Bytes: words of lower-cased letters, each UTF-8 byte one dictionary character. */
  private byteWords(input: string): string[] {
    const text = input.replace(this.separators, ' ').trim().toLowerCase();
    const dictionary = this.dictionary;
    const words: string[] = [];
    let encoded = '';
    let bytes = 0;
    for (let i = 0; i < text.length; i++) {
      let code = text.charCodeAt(i);
      if (code < 0x80) {
        if (code === 0x20) {
          if (encoded !== '') {
            words.push(encoded);
            encoded = '';
          }
          if (bytes > CUT_AFTER_BYTES) break;
        } else encoded += text[i];
        bytes += 1;
      } else if (code < 0x800) {
        encoded += dictionary[0xc0 | (code >> 6)]! + dictionary[0x80 | (code & 0x3f)]!;
        bytes += 2;
      } else if (code < 0xd800 || code >= 0xe000) {
        encoded += dictionary[0xe0 | (code >> 12)]! + dictionary[0x80 | ((code >> 6) & 0x3f)]! + dictionary[0x80 | (code & 0x3f)]!;
        bytes += 3;
      } else {
        i += 1;
        code = 0x10000 + (((code & 0x3ff) << 10) | (text.charCodeAt(i) & 0x3ff));
        encoded += dictionary[0xf0 | (code >> 18)]! + dictionary[0x80 | ((code >> 12) & 0x3f)]! + dictionary[0x80 | ((code >> 6) & 0x3f)]! + dictionary[0x80 | (code & 0x3f)]!;
        bytes += 4;
      }
      if (bytes > ENFORCE_CUT_AFTER_BYTES) break;
    }
    if (encoded !== '') words.push(encoded);
    return words;
  }

  /** eld's getByteNgrams: 4-byte n-grams with a stride of 3, the first and last marked by spaces; distinct. */
  private byteNgrams(words: string[]): Set<string> {
    const ngrams = this.seen;
    ngrams.clear();
    for (const word of words) {
      const length = Math.min(word.length, MAX_WORD);
      let j = 0;
      for (; j + 4 < length; j += 3) ngrams.add((j === 0 ? ' ' : '') + word.substring(j, j + 4));
      // As eld does: from length - 4 to the end of the word (past MAX_WORD for longer words).
      ngrams.add((j === 0 ? ' ' : '') + word.substring(length !== 3 ? length - 4 : 0) + ' ');
    }
    return ngrams;
  }

  /** eld's getMaxLang, orderAndScale and isReliable (including its comparison with the runner-up's index). */
  private verdict(totals: Float64Array, ngramCount: number): NgramVerdict {
    let best = -1;
    let bestTotal = 0;
    for (let k = 0; k < totals.length; k++) {
      if (totals[k]! > 0 && totals[k]! > bestTotal) {
        best = k;
        bestTotal = totals[k]!;
      }
    }
    if (best < 0) return { language: '', score: 0, reliable: false };
    const scaled = (total: number) => {
      const perNgram = total / ngramCount;
      return perNgram / (perNgram + SCORE_SCALE);
    };
    // The runner-up in eld's order: the highest scaled score after the best, lowest index first among equals.
    let second = -1;
    let secondScore = -Infinity;
    for (let k = 0; k < totals.length; k++) {
      if (k === best || !(totals[k]! > 0)) continue;
      const score = scaled(totals[k]!);
      if (score > secondScore) {
        second = k;
        secondScore = score;
      }
    }
    const score = scaled(bestTotal);
    const nextValue = second >= 0 ? second : 0;
    const reliable = ngramCount >= 3 && !(this.averages[best]! * RELIABLE_RATIO > score || 0.01 > Math.abs(score - nextValue));
    return { language: this.codes[best]!, score, reliable };
  }
}

const TABLE_FILE = new URL('./eld-small-ngrams.json', import.meta.url);
let tables: EldTables | undefined;
let shared: NgramLanguageIdentifier | undefined;

/** eld's small table compiled (about 81,000 n-grams), loaded on first use; what useEldTables() takes in a worker. */
export function eldTables(): EldTables {
  tables ??= compileEldTable(JSON.parse(readFileSync(TABLE_FILE, 'utf8')) as EldTable);
  return tables;
}

/**
 * Makes this thread identify languages over `compiled` (another thread's eldTables(), the same memory) instead
 * of loading the table itself. For the detection worker, before its first identification.
 */
export function useEldTables(compiled: EldTables): void {
  tables = compiled;
  shared = undefined;
}

/** The identifier over eld's small table (eldTables()), built on first use. */
export function eldNgramIdentifier(): NgramLanguageIdentifier {
  shared ??= new NgramLanguageIdentifier(eldTables());
  return shared;
}
