import { MODERATION_CATEGORIES, type ModerationCategory, WARDEN_CATEGORIES, type WardenCategory, randomHex } from '../common/index.ts';
import { type CategoryScores, type Detection, type DetectionResult, type DetectionThread, type Evidence, type LanguageVerdict, TEXT_MODEL_PROVIDER, analyseInput } from '../detect/index.ts';
import { type PolicyDocument, type Surface, type Violation, findViolations, flaggedCategories } from '../policy/index.ts';
import type { ImageSummary } from './images.ts';
import type { ModerationViolation, RulesView } from './rule-outcome.ts';
import { modelCategories } from './models.ts';
import type { ModerationItem } from './request.ts';

/** The policy a text is judged against: the tenant's current version and thresholds in force. */
export interface ModerationContext {
  document: PolicyDocument;
  thresholds: CategoryScores;
  surface: Surface;
  /** The tenant's own model (learnt from its reviewers' decisions), applied to the scores before thresholds. */
  model?: TenantScoreModel | null;
  /** A candidate model in shadow: told what it would have flagged, never served. */
  shadow?: ShadowModel | null;
}

/** A tenant's correction of the detection's scores. */
export interface TenantScoreModel {
  readonly id: string;
  adjust(text: string, scores: CategoryScores): CategoryScores;
}

/** A model in shadow, and where its disagreements with the served verdicts are counted. */
export interface ShadowModel {
  model: TenantScoreModel;
  observe(text: string, served: ReadonlySet<string>, candidate: ReadonlySet<string>, categories: readonly string[]): void;
}

export interface WardenExtension {
  /** True when the text breaks any clause of the policy, whichever category. */
  flagged: boolean;
  policy_version: string;
  surface: Surface;
  violations: ModerationViolation[];
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
  /** The tenant's own model that corrected the scores, when one is served (GET /v1/models/{id}). */
  tenant_model?: string;
  /** What the tenant's live rules did to this result, when any matched. */
  rules?: RulesView;
  /**
   * Who decided the verdict: `model` (the local model's scores against the thresholds), `rule`
   * (only deterministic detectors or hash banks found its violations), `judge` (the tenant's LLM judge).
   */
  decided_by: DecidedBy;
  /** What the tenant's LLM judge did with this result, when it was asked (see src/judge). */
  judge?: JudgeSummary;
}

export type DecidedBy = 'model' | 'judge' | 'rule';

/** The judge's part in a result, as the caller sees it. */
export interface JudgeSummary {
  name: string;
  /** `applied`: its verdict is served; `shadow`: it runs beside, the local verdict is served; `pending`: it answers later (webhook `moderation.judged`, GET /v1/moderations/{id}); `failed`: the local verdict is served. */
  status: 'applied' | 'shadow' | 'pending' | 'failed';
  mode: 'band' | 'always' | 'shadow';
  categories: string[];
  policy_version: string;
  template_version: string;
  violated_clause_ids: string[];
  confidence: Record<string, number>;
  rationale: string | null;
  latency_ms: number | null;
  cached: boolean;
  unsure: boolean;
  error: { kind: string; message: string } | null;
}

export interface ModerationWarning {
  code: 'language_unsupported' | 'image_categories_unscored' | 'judge_unavailable' | 'image_model_unavailable';
  message: string;
  /** For `image_categories_unscored`: the categories no image model judged; for `image_model_unavailable`: those it would have scored. */
  categories?: string[];
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

/** A response before it takes its model's shape: every category in every result. */
export interface FullResponse {
  id: string;
  model: string;
  results: ModerationResult[];
}

// Templates copied per result, so that every result object gets the same shape at once.
const NOT_FLAGGED = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, false])) as Record<ModerationCategory, boolean>;
const ZERO_SCORES = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, 0])) as Record<ModerationCategory, number>;

/**
 * Items of at least this many characters go to the detection thread, when the moderator has one: detection
 * costs about 0.4 µs a character on one idle core, so an item below it holds the event loop for a few
 * milliseconds, and one at the 100,000-character limit for tens (hundreds on a loaded machine).
 */
export const THREAD_MIN_CHARS = 16_384;

/** Turns texts into OpenAI-shaped results with policy violations, for the server and the CLI alike. */
export class Moderator {
  /** Each moderation category's applied input types: text for those the detection scores, none for the rest. */
  private readonly appliedTypes: Readonly<Record<ModerationCategory, readonly 'text'[]>>;

  /** `thread`: the same detection on a worker thread, for long items (see moderateItemOnThread). */
  constructor(
    readonly detection: Detection,
    private readonly thread?: DetectionThread,
  ) {
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
    const { detections, language } = analyseInput(this.detection, parts);
    return this.finish(parts, combineParts(detections), language, context);
  }

  /**
   * Whether short items may go to the detection thread too: it is running with its model loaded.
   * The moderation service sends them there while other requests are in progress, so that the
   * event loop serves HTTP while the thread detects (both cores at work).
   */
  get threadReady(): boolean {
    return this.thread?.ready === true;
  }

  /** Starts the detection thread now (a server does, at start), rather than on the first long item. */
  async warmUp(): Promise<boolean> {
    return (await this.thread?.warmUp()) ?? false;
  }

  /** Whether an item is long enough to be moderated with moderateItemOnThread (and this moderator has a thread). */
  belongsOnThread(parts: ModerationItem): boolean {
    if (!this.thread) return false;
    let chars = 0;
    for (const part of parts) chars += part.length;
    return chars >= THREAD_MIN_CHARS;
  }

  /**
   * The same result as moderateItem, its detection and language identification computed on the detection
   * thread, so that the event loop stays free meanwhile; without a thread, moderateItem's.
   */
  async moderateItemOnThread(parts: ModerationItem, context: ModerationContext): Promise<ModerationResult> {
    const thread = this.thread;
    if (!thread) return this.moderateItem(parts, context);
    const { detections, language } = await thread.analyse(parts);
    return this.finish(parts, combineParts(detections), language, context);
  }

  /**
   * moderate()'s results, detected on this thread and the detection thread together (DetectionThread.analyseMany:
   * both take items, one at a time, from opposite ends), letting the event loop poll every `sliceMs` of this
   * thread's share; without a thread, moderate()'s.
   */
  async moderateShared(items: ModerationItem[], context: ModerationContext, sliceMs: number): Promise<ModerationResult[]> {
    if (!this.thread) return this.moderate(items, context);
    const analyses = await this.thread.analyseMany(items, { sliceMs });
    return analyses.map(({ detections, language }, i) => this.finish(items[i]!, combineParts(detections), language, context));
  }

  /** The result, after the tenant's own model (when one is served) and its model in shadow have seen the scores. */
  private finish(parts: ModerationItem, detected: DetectionResult, language: LanguageVerdict | undefined, context: ModerationContext): ModerationResult {
    if (!context.model && !context.shadow) return this.result(detected, language, context);
    const text = parts.join('\n');
    const served = context.model ? { ...detected, scores: context.model.adjust(text, detected.scores) } : detected;
    if (context.shadow) this.observeShadow(text, detected.scores, served.scores, context, context.shadow);
    return this.result(served, language, context);
  }

  /** Stops the detection thread, if any (a later long item starts it again). */
  async close(): Promise<void> {
    await this.thread?.close();
  }

  /** The response with every category whatever the model asked for: what moderation's stages and follow-ups read. */
  fullResponse(model: string, results: ModerationResult[], id: string = `modr-${randomHex(12)}`): FullResponse {
    return { id, model, results };
  }

  /** OpenAI's response shape for `model` (a name `resolveModel` accepted); `id` defaults to a random one. */
  response(model: string, results: ModerationResult[], id?: string): ModerationResponse {
    return this.shaped(this.fullResponse(model, results, id));
  }

  /** A full response in its model's shape: the legacy names answer with their 11 categories. */
  shaped(response: FullResponse): ModerationResponse {
    const { id, model, results } = response;
    const categories = modelCategories(model);
    if (categories.length === MODERATION_CATEGORIES.length) return { id, model, results };
    return { id, model, results: results.map((result) => inModelShape(result, categories)) };
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
        ...(context.model && { tenant_model: context.model.id }),
        warnings: language && !language.supported ? [this.unsupportedLanguage(language)] : [],
        decided_by: decidedBy(violations),
      },
    };
  }

  /** What the model in shadow would have flagged, against what is served: counted, never acted on. */
  private observeShadow(text: string, base: CategoryScores, served: CategoryScores, context: ModerationContext, shadow: ShadowModel): void {
    const candidate = shadow.model.adjust(text, base);
    const flaggedBy = (scores: CategoryScores) => new Set<string>(flaggedCategories(scores, context.thresholds));
    shadow.observe(text, flaggedBy(served), flaggedBy(candidate), this.detection.categories);
  }

  private unsupportedLanguage(language: LanguageVerdict): ModerationWarning {
    const trained = this.detection.trainedLanguages.join(', ');
    return {
      code: 'language_unsupported',
      message: `The input reads as language "${language.code}" (confidence ${language.confidence.toFixed(2)}), which the text model was not trained on (trained: ${trained}); its scores for this input are unreliable, and a low score does not mean the input is safe.`,
    };
  }
}

/** `rule` when every violation was found by a deterministic detector (no model score behind any of them). */
export function decidedBy(violations: Violation<Evidence>[]): DecidedBy {
  if (violations.length === 0) return 'model';
  return violations.every((v) => v.evidence.length > 0 && v.evidence.every((e) => e.detector !== TEXT_MODEL_PROVIDER)) ? 'rule' : 'model';
}

/** A multi-part input scores as its worst part; evidence says which part it is in. */
function combineParts(detections: DetectionResult[]): DetectionResult {
  if (detections.length === 1) return detections[0]!;
  const scores: CategoryScores = {};
  const evidence: Evidence[] = [];
  detections.forEach((result, part) => {
    for (const [category, score] of Object.entries(result.scores) as [keyof CategoryScores, number][]) {
      scores[category] = Math.max(scores[category] ?? 0, score);
    }
    evidence.push(...result.evidence.map((e) => ({ ...e, part })));
  });
  return { scores, evidence };
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
