import type { Category } from '../common/index.ts';
import type { DetectedLanguage } from './model/index.ts';
import { originalSpan } from './normalize.ts';
import { type CategoryScores, type DetectionProvider, type Evidence, TextInput } from './types.ts';

/** What detection says about one text: every known category's score, and the evidence behind them. */
export interface DetectionResult {
  scores: CategoryScores;
  evidence: Evidence[];
}

/** The shape of the local text model that `textModelProvider` wraps. */
export interface ScoringModel {
  readonly categories: readonly Category[];
  readonly thresholds: CategoryScores;
  score(text: string): CategoryScores;
  /** The same scores for a text already normalised by normalize(), so that the engine normalises once; `language` as detectLanguage tells it. */
  scoreNormalized(normalized: string, language?: string): CategoryScores;
  /** For the text scored last, the words (spans in the normalised text) that raised these categories most. */
  explainLast(categories: readonly Category[]): { category: Category; start: number; end: number }[];
  /** For the text scored last, the window (span in the normalised text) of a long text each category's score came from, if any. */
  windowsOfLast?(categories: readonly Category[]): { category: Category; start: number; end: number }[];
}

/** How the engine tells a text's language, and the languages its scores were trained on. */
export interface LanguageSupport {
  identify(text: string): DetectedLanguage;
  trained: readonly string[];
}

/**
 * A text's language as the engine reports it. `supported` is false only when the text is
 * reliably identified as a language outside the training languages; an undetermined or
 * unreliable identification (code `und` or confidence 0) is no evidence either way.
 */
export interface LanguageVerdict {
  code: string;
  confidence: number;
  supported: boolean;
}

export const TEXT_MODEL_PROVIDER = 'text-model';

/**
 * The trained text classifier as a provider. For each category whose score reaches the model's
 * threshold, the words that raised it most are its evidence, with their spans in the caller's text;
 * where a long text's score came from one of its windows, that window is evidence too (`model:window`).
 */
export function textModelProvider(model: ScoringModel): DetectionProvider {
  return {
    id: TEXT_MODEL_PROVIDER,
    categories: model.categories,
    thresholds: model.thresholds,
    detect(input) {
      const language = input.language && trustsLanguage(input.language.confidence, input.normalized.text) ? input.language.language : undefined;
      const scores = model.scoreNormalized(input.normalized.text, language);
      const flagged = model.categories.filter((category) => scores[category]! >= model.thresholds[category]!);
      if (!flagged.length) return { scores, evidence: [] };
      const located = (kind: string) => ({ category, start, end }: { category: Category; start: number; end: number }): Evidence => {
        const span = originalSpan(input.text, input.normalized, start, end);
        return { detector: TEXT_MODEL_PROVIDER, category, kind, span: [span.start, span.end], score: scores[category]! };
      };
      const evidence = model.explainLast(flagged).map(located('model:word'));
      const windows = model.windowsOfLast?.(flagged) ?? [];
      if (windows.length) evidence.push(...windows.map(located('model:window')));
      return { scores, evidence };
    },
  };
}

/**
 * The per-language calibration raises a language's scores, so it needs a verdict on the language it can
 * trust: a few words are not enough ("War History Tutor" reads as German, "Lyrics Finder" as Danish).
 */
const MIN_WORDS_FOR_LANGUAGE = 5;
const MIN_LANGUAGE_CONFIDENCE = 0.8;

function trustsLanguage(confidence: number, normalized: string): boolean {
  if (confidence < MIN_LANGUAGE_CONFIDENCE) return false;
  let words = 0;
  for (let i = 0; i < normalized.length && words < MIN_WORDS_FOR_LANGUAGE; i++) {
    if (normalized.charCodeAt(i) !== 0x20 && (i === 0 || normalized.charCodeAt(i - 1) === 0x20)) words += 1;
  }
  return words >= MIN_WORDS_FOR_LANGUAGE;
}

/**
 * Runs every provider on a text and combines them: a category's score is the highest any
 * provider gives it. Its default threshold is that of the first provider that scores it, so
 * list the calibrated model first; deterministic detectors score 0 or 1, which any threshold
 * in (0, 1] reads correctly. A cascade or an LLM judge is one more provider here.
 */
export class Detection {
  readonly categories: readonly Category[];
  readonly thresholds: Readonly<CategoryScores>;

  constructor(
    readonly providers: readonly DetectionProvider[],
    private readonly languages?: LanguageSupport,
  ) {
    const thresholds: CategoryScores = {};
    for (const provider of providers) {
      for (const category of provider.categories) {
        const threshold = provider.thresholds[category];
        if (thresholds[category] === undefined && threshold !== undefined) thresholds[category] = threshold;
      }
    }
    this.thresholds = thresholds;
    this.categories = Object.keys(thresholds) as Category[];
  }

  detect(text: string): DetectionResult {
    const input = new TextInput(text);
    // The model's scores depend on the language (its per-language calibration); language() reuses this verdict.
    if (this.languages) input.language = this.identified(text);
    let scores: CategoryScores | undefined;
    const evidence: Evidence[] = [];
    for (const provider of this.providers) {
      const result = provider.detect(input);
      if (result.evidence.length) evidence.push(...result.evidence);
      if (!scores) {
        // A copy of the first provider's scores keeps their object shape (the model's has every key it scores).
        scores = { ...result.scores };
        continue;
      }
      for (const key in result.scores) {
        const category = key as Category;
        const score = result.scores[category]!;
        const previous = scores[category];
        if (previous === undefined || score > previous) scores[category] = score;
      }
    }
    // What detectors found comes before the model's words: it is exact, they are an explanation.
    return { scores: scores ?? {}, evidence: evidence.sort((a, b) => Number(a.detector === TEXT_MODEL_PROVIDER) - Number(b.detector === TEXT_MODEL_PROVIDER)) };
  }

  private lastText: string | undefined;
  private lastLanguage: DetectedLanguage = { language: 'und', confidence: 0 };

  /** The identifier's verdict on a text, kept for the last text (detect() and then language() ask about the same one). */
  private identified(text: string): DetectedLanguage {
    if (text !== this.lastText) {
      this.lastLanguage = this.languages!.identify(text);
      this.lastText = text;
    }
    return this.lastLanguage;
  }

  /** Languages the scores were trained on; empty when the engine identifies no language. */
  get trainedLanguages(): readonly string[] {
    return this.languages?.trained ?? [];
  }

  /** The text's language, or undefined when this engine has no language identification. */
  language(text: string): LanguageVerdict | undefined {
    if (!this.languages) return undefined;
    const { language, confidence } = this.identified(text);
    const inconclusive = language === 'und' || confidence === 0;
    return { code: language, confidence, supported: inconclusive || this.languages.trained.includes(language) };
  }
}
