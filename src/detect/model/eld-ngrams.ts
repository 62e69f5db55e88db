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
const SPACE = 0x20;
/** Slots of the per-text n-gram set: a text has at most about 130 n-grams (ENFORCE_CUT_AFTER_BYTES / 3 and a few). */
const SEEN_SLOTS = 1024;

/** Slot hash of a packed n-gram key. */
function mixKey(lo: number, hi: number): number {
  return Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> 15;
}

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
   * The n-grams (3 to 6 units, each under 256 and never 0) as an open-addressing table keyed by their units
   * packed three to a number (keyLo: units 0–2, keyHi: units 3–5), so that a text's n-grams are looked up
   * without building strings; keyLo 0 marks an empty slot. Entries of the n-gram in slot s are starts[s] up to
   * ends[s] of `entryLanguages`/`entryScores`.
   */
  keyLo: Int32Array;
  keyHi: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  /** Per entry: its language (index into `languages`) and its score (eld's stored score + BASE_NGRAM_SCORE). */
  entryLanguages: Uint8Array;
  entryScores: Int32Array;
}

/** Compiles eld's table (the JSON that `npm run language-table` writes) into EldTables. */
export function compileEldTable(table: EldTable): EldTables {
  const counts = Buffer.from(table.entriesPerNgram, 'base64');
  const scores = Buffer.from(table.entryScores, 'base64');
  const entryScores = sharedArray(Int32Array, scores.length);
  for (let i = 0; i < scores.length; i++) entryScores[i] = scores[i]! + BASE_NGRAM_SCORE;
  const keys = table.ngrams.split('\n');
  let size = 1024;
  while (size < keys.length * 1.6) size *= 2;
  const slotMask = size - 1;
  const keyLo = sharedArray(Int32Array, size);
  const keyHi = sharedArray(Int32Array, size);
  const starts = sharedArray(Int32Array, size);
  const ends = sharedArray(Int32Array, size);
  let at = 0;
  keys.forEach((key, i) => {
    if (key.length < 3 || key.length > 6) throw new Error(`eld n-gram ${JSON.stringify(key)} cannot be packed`);
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < key.length; k++) {
      const unit = key.charCodeAt(k);
      if (unit === 0 || unit > 0xff) throw new Error(`eld n-gram ${JSON.stringify(key)} cannot be packed`);
      if (k < 3) lo |= unit << (8 * k);
      else hi |= unit << (8 * (k - 3));
    }
    let slot = mixKey(lo, hi) & slotMask;
    while (keyLo[slot] !== 0) slot = (slot + 1) & slotMask;
    keyLo[slot] = lo;
    keyHi[slot] = hi;
    starts[slot] = at;
    at += counts[i]!;
    ends[slot] = at;
  });
  return {
    languages: table.languages,
    averageScores: table.averageScores,
    dictionary: table.dictionary,
    separators: table.separators,
    keyLo,
    keyHi,
    starts,
    ends,
    entryLanguages: sharedCopy(Uint8Array, Buffer.from(table.entryLanguages, 'base64')),
    entryScores,
  };
}

export class NgramLanguageIdentifier {
  private readonly codes: string[];
  private readonly averages: Float64Array;
  /** UTF-8 byte → the unit eld writes for it. */
  private readonly dictionaryUnits: Uint8Array;
  private readonly separators: RegExp;
  /**
   * The n-grams (3 to 6 units, each under 256 and never 0) as an open-addressing table keyed by their units
   * packed three to a number (keyLo: units 0–2, keyHi: units 3–5), so that a text's n-grams are looked up
   * without building strings; keyLo 0 marks an empty slot. Entries of the n-gram in slot s are starts[s] up to
   * ends[s] of `languages`/`scores`.
   */
  private readonly keyLo: Int32Array;
  private readonly keyHi: Int32Array;
  private readonly slotMask: number;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly languages: Uint8Array;
  private readonly scores: Int32Array;
  private readonly totals: Float64Array;
  /** The current text's distinct n-grams: a small table of packed keys, stamped per text. */
  private readonly seenLo = new Int32Array(SEEN_SLOTS);
  private readonly seenHi = new Int32Array(SEEN_SLOTS);
  private readonly seenStamp = new Int32Array(SEEN_SLOTS);
  private stamp = 0;
  /** N-grams longer than 6 units (the end of a word over MAX_WORD bytes): never in the table, counted apart. */
  private readonly longNgrams = new Set<string>();
  /** The current text as eld's bytes (one unit per byte, ASCII letters as themselves), and where each word starts and ends. */
  private units = new Uint8Array(512);
  private wordStarts = new Int32Array(128);
  private wordEnds = new Int32Array(128);
  private wordCount = 0;

  /** Over compiled tables (eldTables(), or a worker's copy of them: the arrays are shared, not copied). */
  constructor(tables: EldTables) {
    this.codes = tables.languages;
    this.averages = Float64Array.from(tables.averageScores);
    this.dictionaryUnits = Uint8Array.from(tables.dictionary, (char) => {
      if (char.length !== 1 || char.charCodeAt(0) > 0xff) throw new Error('eld dictionary entries must be single units under 256');
      return char.charCodeAt(0);
    });
    this.separators = new RegExp(tables.separators.source, tables.separators.flags);
    this.totals = new Float64Array(this.codes.length);
    this.languages = tables.entryLanguages;
    this.scores = tables.entryScores;
    this.keyLo = tables.keyLo;
    this.keyHi = tables.keyHi;
    this.slotMask = tables.keyLo.length - 1;
    this.starts = tables.starts;
    this.ends = tables.ends;
  }

  identify(input: string): NgramVerdict {
    this.byteWords(input.substring(0, MAX_CHARS));
    const totals = this.totals.fill(0);
    this.stamp = (this.stamp + 1) | 0;
    this.longNgrams.clear();
    let distinct = 0;
    const units = this.units;
    for (let w = 0; w < this.wordCount; w++) {
      const from = this.wordStarts[w]!;
      const wordEnd = this.wordEnds[w]!;
      const length = Math.min(wordEnd - from, MAX_WORD);
      let j = 0;
      // eld's getByteNgrams: 4-byte n-grams with a stride of 3, the first led by a space; then the word's end and a space.
      for (; j + 4 < length; j += 3) {
        const at = from + j;
        const lo = j === 0 ? SPACE | (units[at]! << 8) | (units[at + 1]! << 16) : units[at]! | (units[at + 1]! << 8) | (units[at + 2]! << 16);
        const hi = j === 0 ? units[at + 2]! | (units[at + 3]! << 8) : units[at + 3]!;
        distinct += this.count(lo, hi, totals);
      }
      // As eld does: from length - 4 (0 for shorter words) to the end of the word (past MAX_WORD for longer words).
      const tailFrom = from + Math.max(0, length !== 3 ? length - 4 : 0);
      const tail = wordEnd - tailFrom + 1 + (j === 0 ? 1 : 0);
      if (tail > 6) {
        this.longNgrams.add(String.fromCharCode(...units.subarray(tailFrom, wordEnd)));
        continue;
      }
      let lo = 0;
      let hi = 0;
      let k = 0;
      const put = (unit: number) => {
        if (k < 3) lo |= unit << (8 * k);
        else hi |= unit << (8 * (k - 3));
        k += 1;
      };
      if (j === 0) put(SPACE);
      for (let at = tailFrom; at < wordEnd; at++) put(units[at]!);
      put(SPACE);
      distinct += this.count(lo, hi, totals);
    }
    return this.verdict(totals, distinct + this.longNgrams.size);
  }

  /** Adds the scores of the n-gram (lo, hi) unless the text had it already; 1 when it is new to the text. */
  private count(lo: number, hi: number, totals: Float64Array): number {
    const stamp = this.stamp;
    let seen = mixKey(lo, hi) & (SEEN_SLOTS - 1);
    while (this.seenStamp[seen] === stamp) {
      if (this.seenLo[seen] === lo && this.seenHi[seen] === hi) return 0;
      seen = (seen + 1) & (SEEN_SLOTS - 1);
    }
    this.seenStamp[seen] = stamp;
    this.seenLo[seen] = lo;
    this.seenHi[seen] = hi;
    let slot = mixKey(lo, hi) & this.slotMask;
    for (;;) {
      const stored = this.keyLo[slot]!;
      if (stored === 0) return 1;
      if (stored === lo && this.keyHi[slot] === hi) break;
      slot = (slot + 1) & this.slotMask;
    }
    for (let at = this.starts[slot]!; at < this.ends[slot]!; at++) totals[this.languages[at]!]! += this.scores[at]!;
    return 1;
  }

  /**
   * eld's textProcessor and strToUtf8Bytes: words of lower-cased letters, each UTF-8 byte one unit (ASCII letters
   * as themselves, other bytes as the dictionary writes them), into this.units and the word bounds.
   */
  private byteWords(input: string): void {
    const text = input.replace(this.separators, ' ').trim().toLowerCase();
    const dictionary = this.dictionaryUnits;
    if (this.units.length < 4 * text.length + 8) this.units = new Uint8Array(4 * text.length + 8);
    const units = this.units;
    let length = 0;
    let wordStart = 0;
    this.wordCount = 0;
    let bytes = 0;
    for (let i = 0; i < text.length; i++) {
      let code = text.charCodeAt(i);
      if (code < 0x80) {
        if (code === 0x20) {
          if (length > wordStart) this.pushWord(wordStart, length);
          wordStart = length;
          if (bytes > CUT_AFTER_BYTES) break;
        } else units[length++] = code;
        bytes += 1;
      } else if (code < 0x800) {
        units[length++] = dictionary[0xc0 | (code >> 6)]!;
        units[length++] = dictionary[0x80 | (code & 0x3f)]!;
        bytes += 2;
      } else if (code < 0xd800 || code >= 0xe000) {
        units[length++] = dictionary[0xe0 | (code >> 12)]!;
        units[length++] = dictionary[0x80 | ((code >> 6) & 0x3f)]!;
        units[length++] = dictionary[0x80 | (code & 0x3f)]!;
        bytes += 3;
      } else {
        i += 1;
        code = 0x10000 + (((code & 0x3ff) << 10) | (text.charCodeAt(i) & 0x3ff));
        units[length++] = dictionary[0xf0 | (code >> 18)]!;
        units[length++] = dictionary[0x80 | ((code >> 12) & 0x3f)]!;
        units[length++] = dictionary[0x80 | ((code >> 6) & 0x3f)]!;
        units[length++] = dictionary[0x80 | (code & 0x3f)]!;
        bytes += 4;
      }
      if (bytes > ENFORCE_CUT_AFTER_BYTES) break;
    }
    if (length > wordStart) this.pushWord(wordStart, length);
  }

  private pushWord(start: number, end: number): void {
    if (this.wordCount === this.wordStarts.length) {
      const starts = new Int32Array(2 * this.wordCount);
      const ends = new Int32Array(2 * this.wordCount);
      starts.set(this.wordStarts);
      ends.set(this.wordEnds);
      this.wordStarts = starts;
      this.wordEnds = ends;
    }
    this.wordStarts[this.wordCount] = start;
    this.wordEnds[this.wordCount++] = end;
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
