import { randomBytes } from 'node:crypto';
import { MODERATION_CATEGORIES, type ModerationCategory, WARDEN_CATEGORIES, type WardenCategory } from '../common/index.ts';
import type { CategoryScores, Detection, DetectionResult, Evidence, LanguageVerdict } from '../detect/index.ts';
import { type PolicyDocument, type Surface, type Violation, findViolations, flaggedCategories } from '../policy/index.ts';
import type { ImageSummary } from './images.ts';
import { modelCategories } from './models.ts';
import type { ModerationItem } from './request.ts';

/** The policy a text is judged against: the tenant's current version and thresholds in force. */
export interface ModerationContext {
  document: PolicyDocument;
  thresholds: CategoryScores;
  surface: Surface;
}

export interface WardenExtension {
  /** True when the text breaks any clause of the policy, whichever category. */
  flagged: boolean;
  policy_version: string;
  surface: Surface;
  violations: Violation<Evidence>[];
  /** Warden's own categories that the detection scores (an absent one is unknown, not false). */
  categories: Partial<Record<WardenCategory, boolean>>;
  category_scores: Partial<Record<WardenCategory, number>>;
  /** Every finding with a location, violating or not. */
  evidence: Evidence[];
  /** The input's language; `supported: false` means the scores come from a model never trained on it. */
  language?: LanguageVerdict;
  /** What the caller should know about how far to trust this result. */
  warnings: ModerationWarning[];
  /** The input's images, when it had any. */
  images?: ImageSummary[];
}

export interface ModerationWarning {
  code: 'language_unsupported' | 'image_categories_unscored';
  message: string;
}

/** One result, exactly OpenAI's shape, plus the `warden` extension. */
export interface ModerationResult {
  flagged: boolean;
  categories: Record<ModerationCategory, boolean>;
  category_scores: Record<ModerationCategory, number>;
  category_applied_input_types: Record<ModerationCategory, readonly ('text' | 'image')[]>;
  warden: WardenExtension;
}

/**
 * A result in the shape of the model it was asked of: a legacy `text-moderation-*` model's result carries only its
 * 11 categories (and `flagged` is true only when one of those is); `warden` is the same for every model.
 */
export interface ModelResult extends Omit<ModerationResult, 'categories' | 'category_scores' | 'category_applied_input_types'> {
  categories: Partial<Record<ModerationCategory, boolean>>;
  category_scores: Partial<Record<ModerationCategory, number>>;
  category_applied_input_types: Partial<Record<ModerationCategory, readonly ('text' | 'image')[]>>;
}

export interface ModerationResponse {
  id: string;
  model: string;
  results: ModelResult[];
}

// Templates copied per result, so that every result object gets the same shape at once.
const NOT_FLAGGED = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, false])) as Record<ModerationCategory, boolean>;
const ZERO_SCORES = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, 0])) as Record<ModerationCategory, number>;

/** Turns texts into OpenAI-shaped results with policy violations, for the server and the CLI alike. */
export class Moderator {
  /** Each moderation category's applied input types: text for those the detection scores, none for the rest. */
  private readonly appliedTypes: Readonly<Record<ModerationCategory, readonly 'text'[]>>;

  constructor(readonly detection: Detection) {
    const known = new Set<string>(detection.categories);
    const text: readonly 'text'[] = Object.freeze(['text' as const]);
    const none: readonly 'text'[] = Object.freeze([]);
    this.appliedTypes = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, known.has(c) ? text : none])) as Record<ModerationCategory, readonly 'text'[]>;
  }

  /** The detection's own per-category thresholds, before any tenant override. */
  get defaultThresholds(): CategoryScores {
    return this.detection.thresholds;
  }

  moderate(items: ModerationItem[], context: ModerationContext): ModerationResult[] {
    return items.map((parts) => this.moderateItem(parts, context));
  }

  /** One item's result: the unit of work between which a long request yields the event loop. */
  moderateItem(parts: ModerationItem, context: ModerationContext): ModerationResult {
    return this.result(this.detectParts(parts), this.detection.language(parts.join('\n')), context);
  }

  /** OpenAI's response shape for `model` (a name `resolveModel` accepted); `id` defaults to a random one. */
  response(model: string, results: ModerationResult[], id: string = `modr-${randomBytes(12).toString('hex')}`): ModerationResponse {
    const categories = modelCategories(model);
    if (categories.length === MODERATION_CATEGORIES.length) return { id, model, results };
    return { id, model, results: results.map((result) => inModelShape(result, categories)) };
  }

  /** A multi-part input scores as its worst part; evidence says which part it is in. */
  private detectParts(parts: ModerationItem): DetectionResult {
    if (parts.length === 1) return this.detection.detect(parts[0]!);
    const scores: CategoryScores = {};
    const evidence: Evidence[] = [];
    parts.forEach((text, part) => {
      const result = this.detection.detect(text);
      for (const [category, score] of Object.entries(result.scores) as [keyof CategoryScores, number][]) {
        scores[category] = Math.max(scores[category] ?? 0, score);
      }
      evidence.push(...result.evidence.map((e) => ({ ...e, part })));
    });
    return { scores, evidence };
  }

  private result(detected: DetectionResult, language: LanguageVerdict | undefined, context: ModerationContext): ModerationResult {
    const { scores, evidence } = detected;
    const flagged = flaggedCategories(scores, context.thresholds);
    const categories = { ...NOT_FLAGGED };
    const categoryScores = { ...ZERO_SCORES };
    let anyFlagged = false;
    for (const category of MODERATION_CATEGORIES) {
      const isFlagged = flagged.includes(category);
      anyFlagged ||= isFlagged;
      categories[category] = isFlagged;
      categoryScores[category] = scores[category] ?? 0;
    }
    const wardenCategories: WardenExtension['categories'] = {};
    const wardenScores: WardenExtension['category_scores'] = {};
    for (const category of WARDEN_CATEGORIES) {
      const score = scores[category];
      if (score === undefined) continue;
      wardenCategories[category] = flagged.includes(category);
      wardenScores[category] = score;
    }
    const violations = findViolations({ document: context.document, scores, thresholds: context.thresholds, evidence, surface: context.surface });
    return {
      flagged: anyFlagged,
      categories,
      category_scores: categoryScores,
      category_applied_input_types: { ...this.appliedTypes },
      warden: {
        flagged: violations.length > 0,
        policy_version: context.document.version,
        surface: context.surface,
        violations,
        categories: wardenCategories,
        category_scores: wardenScores,
        evidence,
        ...(language && { language }),
        warnings: language && !language.supported ? [this.unsupportedLanguage(language)] : [],
      },
    };
  }

  private unsupportedLanguage(language: LanguageVerdict): ModerationWarning {
    const trained = this.detection.trainedLanguages.join(', ');
    return {
      code: 'language_unsupported',
      message: `The input reads as language "${language.code}" (confidence ${language.confidence.toFixed(2)}), which the text model was not trained on (trained: ${trained}); its scores for this input are unreliable, and a low score does not mean the input is safe.`,
    };
  }
}

/** `result` with only `categories` among its OpenAI categories. */
function inModelShape(result: ModerationResult, categories: readonly ModerationCategory[]): ModelResult {
  const pick = <T>(record: Record<ModerationCategory, T>) => Object.fromEntries(categories.map((c) => [c, record[c]])) as Partial<Record<ModerationCategory, T>>;
  return {
    ...result,
    flagged: categories.some((c) => result.categories[c]),
    categories: pick(result.categories),
    category_scores: pick(result.category_scores),
    category_applied_input_types: pick(result.category_applied_input_types),
  };
}
