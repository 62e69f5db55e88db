import type { Category } from '../common/index.ts';
import { type Normalized, normalize } from './normalize.ts';
import type { DetectedLanguage } from './model/index.ts';

/** Why a provider scored a category: what it found and where, as offsets into the caller's text. */
export interface Evidence {
  /** The provider or detector that produced it, e.g. `identifiers`, `profanity`, `text-model`. */
  detector: string;
  category: Category;
  /** What was found, e.g. `payment_card`, `api_key:github`, `profanity:fuck`. */
  kind: string;
  /** [start, end) in UTF-16 units of the text the caller sent; absent when a score has no location. */
  span?: [number, number];
  /** Which text part of a multi-part input the span is in; absent for single texts. */
  part?: number;
  score: number;
}

export type CategoryScores = Partial<Record<Category, number>>;

export interface ProviderResult {
  scores: CategoryScores;
  evidence: Evidence[];
}

/**
 * One text as providers see it. Normalisation runs at most once per text, however many
 * providers ask for it.
 */
export class TextInput {
  private cached: Normalized | undefined;
  /** The text's language, when the engine identifies languages (set before providers run). */
  language: DetectedLanguage | undefined;

  constructor(readonly text: string) {}

  get normalized(): Normalized {
    this.cached ??= normalize(this.text);
    return this.cached;
  }
}

/** A source of category scores: the local text model, deterministic detectors, later an image model or an LLM judge. */
export interface DetectionProvider {
  readonly id: string;
  /** Categories this provider can score; a category it never scores is unknown to it, not safe. */
  readonly categories: readonly Category[];
  /** Per-category thresholds at which this provider's scores mean "flagged". */
  readonly thresholds: CategoryScores;
  detect(input: TextInput): ProviderResult;
}
