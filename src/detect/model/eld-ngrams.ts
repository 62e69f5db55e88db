import { readFileSync } from 'node:fs';

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

export class NgramLanguageIdentifier {
  private readonly codes: string[];
  private readonly averages: Float64Array;
  private readonly dictionary: string[];
  private readonly separators: RegExp;
  /** n-gram → its index; entries of n-gram i are starts[i] up to ends[i] of `languages`/`scores`. */
  private readonly ngramIndex = new Map<string, number>();
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly languages: Uint8Array;
  private readonly scores: Int32Array;
  private readonly totals: Float64Array;
  private readonly seen = new Set<string>();

  constructor(table: EldTable) {
    this.codes = table.languages;
    this.averages = Float64Array.from(table.averageScores);
    this.dictionary = table.dictionary;
    this.separators = new RegExp(table.separators.source, table.separators.flags);
    this.totals = new Float64Array(this.codes.length);
    const counts = Buffer.from(table.entriesPerNgram, 'base64');
    this.languages = new Uint8Array(Buffer.from(table.entryLanguages, 'base64'));
    this.scores = Int32Array.from(Buffer.from(table.entryScores, 'base64'), (score) => score + BASE_NGRAM_SCORE);
    const keys = table.ngrams.split('\n');
    this.starts = new Int32Array(keys.length);
    this.ends = new Int32Array(keys.length);
    let at = 0;
    keys.forEach((key, i) => {
      this.ngramIndex.set(key, i);
      this.starts[i] = at;
      at += counts[i]!;
      this.ends[i] = at;
    });
  }

  identify(input: string): NgramVerdict {
    const words = this.byteWords(input.substring(0, MAX_CHARS));
    const ngrams = this.byteNgrams(words);
    const totals = this.totals.fill(0);
    for (const ngram of ngrams) {
      const index = this.ngramIndex.get(ngram);
      if (index === undefined) continue;
      for (let at = this.starts[index]!; at < this.ends[index]!; at++) totals[this.languages[at]!]! += this.scores[at]!;
    }
    return this.verdict(totals, ngrams.size);
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
let shared: NgramLanguageIdentifier | undefined;

/** The identifier over eld's small table, loaded on first use (about 81,000 n-grams). */
export function eldNgramIdentifier(): NgramLanguageIdentifier {
  shared ??= new NgramLanguageIdentifier(JSON.parse(readFileSync(TABLE_FILE, 'utf8')) as EldTable);
  return shared;
}
