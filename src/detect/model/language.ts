import { readFileSync } from 'node:fs';
import { eldNgramIdentifier } from './eld-ngrams.ts';

export interface DetectedLanguage {
  /** ISO 639-1 code, or 'und' when the text gives no usable signal (too short, digits, symbols). */
  language: string;
  /** 0..1: the identifier's score for that language, 0 when undetermined or unreliable. */
  confidence: number;
}

/**
 * Words that, in the training texts, (almost) only occur in texts eld identifies as one language, with the rule
 * that decides from them and its agreement with eld on the dev split. Written by `npm run language-markers`
 * (scripts/language-markers.ts).
 */
export interface LanguageMarkers {
  /** language → its marker words. */
  markers: Record<string, string[]>;
  /** The rule: at least this many marker tokens of one language, making up at least this share of the tokens, and none of another. */
  minMarkers: number;
  minShare: number;
  /** Per language: the share of dev texts the rule decided on which eld identifies as that language too. */
  agreement: Record<string, number>;
  /** Share of the dev texts the rule decides (the rest go to eld). */
  coverage: number;
  devTexts: number;
}

const MARKERS_FILE = new URL('./language-markers.json', import.meta.url);

/**
 * Per language the model was not trained on, a logit offset added to every moderation category's score (written
 * by `npm run calibrate:languages`, scripts/training/languages.ts). The model's scores rank texts of other
 * languages but sit lower there (their words and n-grams are mostly unseen), so its thresholds flag almost
 * nothing; each offset is the largest (up to `maxOffset`) that keeps the share of benign MultiQ questions in that
 * language flagged by a moderation category within `budget`. Languages with fewer than `minTexts` calibration
 * questions take `other`, fitted on all of them pooled.
 */
export interface LanguageCalibration {
  offsets: Record<string, number>;
  other: number;
  budget: number;
  maxOffset: number;
  minTexts: number;
  /** Calibration questions per language (what each offset rests on). */
  texts: Record<string, number>;
}

/**
 * eld itself (n-gram based, bundled in the npm package), the reference that detectLanguageWithNgrams follows;
 * loaded on demand, since its module costs a process about 140 MB. For measurements, tests and scripts.
 */
export async function loadEldReference(): Promise<(text: string) => DetectedLanguage> {
  const { eld } = await import('eld/small');
  return (text) => {
    const result = eld.detect(text);
    if (!result.language) return { language: 'und', confidence: 0 };
    const score = result.getScores()[result.language] ?? 0;
    return { language: result.language, confidence: result.isReliable() ? Math.min(1, score) : 0 };
  };
}

/**
 * A cheap first pass: a text whose words are, by a clear margin, marker words of one language is that language
 * (confidence: the rule's measured agreement with eld); any other text goes to eld.
 */
export class MarkerLanguageIdentifier {
  private readonly languageOf = new Map<string, number>();
  /**
   * Marker words by the hash of their units (asciiWordHash), in an open-addressing table, so that ASCII tokens are
   * looked up without building strings.
   */
  private readonly slotHashes: Int32Array;
  private readonly slotWords: (string | undefined)[];
  private readonly slotLanguages: Int32Array;
  private readonly codes: string[];
  private readonly counts: Int32Array;

  constructor(private readonly markers: LanguageMarkers) {
    this.codes = Object.keys(markers.markers).sort();
    this.codes.forEach((code, i) => {
      for (const word of markers.markers[code]!) this.languageOf.set(word, i);
    });
    this.counts = new Int32Array(this.codes.length);
    let size = 16;
    while (size < 2 * this.languageOf.size) size *= 2;
    this.slotHashes = new Int32Array(size);
    this.slotWords = new Array<string | undefined>(size).fill(undefined);
    this.slotLanguages = new Int32Array(size);
    for (const [word, language] of this.languageOf) {
      const hash = asciiWordHash(word, 0, word.length);
      let slot = hash & (size - 1);
      while (this.slotWords[slot] !== undefined) slot = (slot + 1) & (size - 1);
      this.slotHashes[slot] = hash;
      this.slotWords[slot] = word;
      this.slotLanguages[slot] = language;
    }
  }

  /** The language the markers settle, or undefined when they do not. */
  decide(text: string): DetectedLanguage | undefined {
    const counts = this.counts.fill(0);
    let tokens = 0;
    let start = -1;
    // Each token's asciiWordHash and whether it is ASCII, computed as it is read.
    let hash = FNV_OFFSET;
    let ascii = true;
    for (let i = 0; i <= text.length; i++) {
      const c = i < text.length ? text.charCodeAt(i) : 0x20;
      const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 0x27 || (c >= 0xc0 && c <= 0x24f);
      if (letter) {
        if (start < 0) {
          start = i;
          hash = FNV_OFFSET;
          ascii = true;
        }
        hash = Math.imul(hash ^ asciiLower(c), FNV_PRIME);
        if (c >= 0x80) ascii = false;
        continue;
      }
      if (c >= 0x250 && !(c >= 0x2000 && c <= 0x206f)) return undefined; // another script: eld's call
      if (start < 0) continue;
      tokens += 1;
      if (i - start <= 12) {
        const language = ascii ? this.asciiMarkerOf(hash & 0x3fffffff, text, start, i) : this.languageOf.get(text.slice(start, i).toLowerCase());
        if (language !== undefined) counts[language]! += 1;
      }
      start = -1;
    }
    let best = -1;
    for (let k = 0; k < counts.length; k++) {
      if (counts[k]! === 0) continue;
      if (best >= 0) return undefined; // markers of two languages
      best = k;
    }
    if (best < 0 || counts[best]! < this.markers.minMarkers || counts[best]! < this.markers.minShare * tokens) return undefined;
    const language = this.codes[best]!;
    return { language, confidence: this.markers.agreement[language] ?? 0 };
  }

  /** The language of the ASCII token text[start, end) whose asciiWordHash is `hash`, if it is a marker. */
  private asciiMarkerOf(hash: number, text: string, start: number, end: number): number | undefined {
    const mask = this.slotHashes.length - 1;
    for (let slot = hash & mask; this.slotWords[slot] !== undefined; slot = (slot + 1) & mask) {
      if (this.slotHashes[slot] === hash && sameAsciiWord(this.slotWords[slot]!, text, start, end)) return this.slotLanguages[slot]!;
    }
    return undefined;
  }
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const asciiLower = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

/** FNV-1a over text[start, end) with ASCII capitals lowered, cut to 30 bits (a small-integer Map key). */
function asciiWordHash(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ asciiLower(text.charCodeAt(i)), 0x01000193);
  return hash & 0x3fffffff;
}

function sameAsciiWord(word: string, text: string, start: number, end: number): boolean {
  if (word.length !== end - start) return false;
  for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) !== asciiLower(text.charCodeAt(start + i))) return false;
  return true;
}

let markerIdentifier: MarkerLanguageIdentifier | undefined;

/** Language identification: the marker rule where it settles the language, eld's n-gram scores otherwise. */
export function detectLanguage(text: string): DetectedLanguage {
  markerIdentifier ??= new MarkerLanguageIdentifier(JSON.parse(readFileSync(MARKERS_FILE, 'utf8')) as LanguageMarkers);
  return markerIdentifier.decide(text) ?? detectLanguageWithNgrams(text);
}

/** What eld says (loadEldReference), computed by NgramLanguageIdentifier over eld's table: faster, same verdicts. */
export function detectLanguageWithNgrams(text: string): DetectedLanguage {
  const { language, score, reliable } = eldNgramIdentifier().identify(text);
  if (!language) return { language: 'und', confidence: 0 };
  return { language, confidence: reliable ? Math.min(1, score) : 0 };
}
