import { eld } from 'eld/small';

export interface DetectedLanguage {
  /** ISO 639-1 code, or 'und' when the text gives no usable signal (too short, digits, symbols). */
  language: string;
  /** 0..1: the identifier's score for that language, 0 when undetermined or unreliable. */
  confidence: number;
}

/** Offline language identification (ELD, n-gram based, bundled in the npm package). */
export function detectLanguage(text: string): DetectedLanguage {
  const result = eld.detect(text);
  if (!result.language) return { language: 'und', confidence: 0 };
  const score = result.getScores()[result.language] ?? 0;
  return { language: result.language, confidence: result.isReliable() ? Math.min(1, score) : 0 };
}
