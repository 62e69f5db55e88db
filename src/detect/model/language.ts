import { readFileSync } from 'node:fs';
import { eld } from 'eld/small';

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

/** Offline language identification by eld (n-gram based, bundled in the npm package) alone. */
export function detectLanguageWithEld(text: string): DetectedLanguage {
  const result = eld.detect(text);
  if (!result.language) return { language: 'und', confidence: 0 };
  const score = result.getScores()[result.language] ?? 0;
  return { language: result.language, confidence: result.isReliable() ? Math.min(1, score) : 0 };
}

/**
 * A cheap first pass: a text whose words are, by a clear margin, marker words of one language is that language
 * (confidence: the rule's measured agreement with eld); any other text goes to eld.
 */
export class MarkerLanguageIdentifier {
  private readonly languageOf = new Map<string, number>();
  private readonly codes: string[];
  private readonly counts: Int32Array;

  constructor(private readonly markers: LanguageMarkers) {
    this.codes = Object.keys(markers.markers).sort();
    this.codes.forEach((code, i) => {
      for (const word of markers.markers[code]!) this.languageOf.set(word, i);
    });
    this.counts = new Int32Array(this.codes.length);
  }

  /** The language the markers settle, or undefined when they do not. */
  decide(text: string): DetectedLanguage | undefined {
    const counts = this.counts.fill(0);
    let tokens = 0;
    let start = -1;
    for (let i = 0; i <= text.length; i++) {
      const c = i < text.length ? text.charCodeAt(i) : 0x20;
      const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 0x27 || (c >= 0xc0 && c <= 0x24f);
      if (letter) {
        if (start < 0) start = i;
        continue;
      }
      if (c >= 0x250 && !(c >= 0x2000 && c <= 0x206f)) return undefined; // another script: eld's call
      if (start < 0) continue;
      tokens += 1;
      const language = i - start <= 12 ? this.languageOf.get(text.slice(start, i).toLowerCase()) : undefined;
      if (language !== undefined) counts[language]! += 1;
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
}

let markerIdentifier: MarkerLanguageIdentifier | undefined;

/** Language identification: the marker rule where it settles the language, eld otherwise. */
export function detectLanguage(text: string): DetectedLanguage {
  markerIdentifier ??= new MarkerLanguageIdentifier(JSON.parse(readFileSync(MARKERS_FILE, 'utf8')) as LanguageMarkers);
  return markerIdentifier.decide(text) ?? detectLanguageWithEld(text);
}
