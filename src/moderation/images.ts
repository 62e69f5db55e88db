import { type Category, MODERATION_CATEGORIES, type ModerationCategory, WARDEN_CATEGORIES, type WardenCategory } from '../common/index.ts';
import type { Evidence } from '../detect/index.ts';
import {
  type ImageClassification,
  type ImageEvidence,
  type ImageFinding,
  type ImageModelCategory,
  type ImagePart,
  IMAGE_MODEL_CATEGORIES,
  NSFW_CLASSES,
  bankViolations,
} from '../images/index.ts';
import { type Violation, findViolations } from '../policy/index.ts';
import { type ModerationContext, type ModerationResult, type ModerationWarning, decidedBy } from './moderator.ts';

/** What the moderation use case needs of the images domain. */
export interface ImageModeration {
  judge(tenantId: string, parts: ImagePart[]): Promise<ImageFinding[]>;
}

/** An image as the result's `warden.images` shows it: what was judged, and its hashes (for banking it). */
export interface ImageSummary {
  input: string;
  format: string;
  width: number;
  height: number;
  /** Frames in the file; an animated image is judged on its first frame only. */
  frames: number;
  hashes: { pdq: string; quality: number; md5: string; sha256: string };
  bank_matches: number;
  /** The image model's class probabilities and category scores, when the server has one. */
  classification?: ImageClassification;
}

const moderationCategories = new Set<string>(MODERATION_CATEGORIES);
const wardenCategories = new Set<string>(WARDEN_CATEGORIES);
const imageModelCategories = new Set<string>(IMAGE_MODEL_CATEGORIES);

/** Evidence of the image model's score for one image: which input, and nsfwjs's class probabilities. */
export interface ImageModelEvidence {
  detector: 'image-model';
  category: Category;
  /** `nsfwjs:<top class>`. */
  kind: string;
  score: number;
  input: string;
  model: string;
  classes: ImageClassification['classes'];
}

/**
 * Adds what the images of one input showed to its result. Each hash-bank match is a violation of the bank's clause
 * (its category flagged, scored 1). The image model's scores join the text's (a category scores its worst part,
 * text or image) and are judged against the same thresholds and clauses. Categories no image model covers are
 * named in the `image_categories_unscored` warning rather than left at a silent 0.
 */
export function withImageFindings(result: ModerationResult, findings: ImageFinding[], context: ModerationContext): ModerationResult {
  if (findings.length === 0) return result;
  const next = structuredClone(result);
  const classified = findings.some((f) => f.classification);
  if (classified) addModelScores(next, findings, context);
  for (const violation of bankViolations(findings, context.document)) {
    flag(next, violation.category, 1);
    mergeViolation(next, violation);
  }
  next.flagged = MODERATION_CATEGORIES.some((c) => next.categories[c]);
  next.warden.flagged = next.warden.violations.length > 0;
  next.warden.decided_by = decidedBy(next.warden.violations);
  next.warden.images = findings.map(summary);
  const unavailable = findings.find((f) => f.model_unavailable)?.model_unavailable;
  if (unavailable) next.warden.warnings.push(modelUnavailable(unavailable));
  next.warden.warnings.push(unscoredImages(classified));
  return next;
}

/** The image model's scores, max over the images, merged into the result as a text part's would be. */
function addModelScores(result: ModerationResult, findings: ImageFinding[], context: ModerationContext): void {
  const scores: Partial<Record<ImageModelCategory, number>> = {};
  const evidence: ImageModelEvidence[] = [];
  for (const finding of findings) {
    const classification = finding.classification;
    if (!classification) continue;
    const top = NSFW_CLASSES.reduce((a, b) => (classification.classes[b] > classification.classes[a] ? b : a));
    for (const category of IMAGE_MODEL_CATEGORIES) {
      const score = classification.scores[category];
      scores[category] = Math.max(scores[category] ?? 0, score);
      evidence.push({ detector: 'image-model', category, kind: `nsfwjs:${top}`, score, input: finding.param, model: classification.model, classes: classification.classes });
    }
  }
  for (const category of IMAGE_MODEL_CATEGORIES) {
    if (moderationCategories.has(category)) {
      const c = category as ModerationCategory;
      result.category_applied_input_types[c] = [...new Set([...result.category_applied_input_types[c], 'image' as const])];
      result.category_scores[c] = Math.max(result.category_scores[c], scores[category] ?? 0);
    }
    const threshold = context.thresholds[category];
    if (threshold !== undefined && (scores[category] ?? 0) >= threshold) flag(result, category, scores[category]!);
  }
  result.warden.evidence.push(...evidence);
  for (const violation of findViolations({ document: context.document, scores, thresholds: context.thresholds, evidence, surface: context.surface })) {
    mergeViolation(result, violation);
  }
}

function flag(result: ModerationResult, category: Category, score: number): void {
  if (moderationCategories.has(category)) {
    const c = category as ModerationCategory;
    result.categories[c] = true;
    result.category_scores[c] = Math.max(result.category_scores[c], score);
    if (!result.category_applied_input_types[c].includes('image')) result.category_applied_input_types[c] = [...result.category_applied_input_types[c], 'image'];
  } else if (wardenCategories.has(category)) {
    const c = category as WardenCategory;
    result.warden.categories[c] = true;
    result.warden.category_scores[c] = Math.max(result.warden.category_scores[c] ?? 0, score);
  }
}

/** A violation the text already has (same clause and category) gains the image's evidence; else it is added. */
function mergeViolation(result: ModerationResult, violation: Violation<ImageEvidence | ImageModelEvidence>): void {
  const existing = result.warden.violations.find((v) => v.clause_id === violation.clause_id && v.category === violation.category);
  const evidence = violation.evidence as unknown as Evidence[];
  if (existing) {
    existing.score = Math.max(existing.score, violation.score);
    existing.evidence.push(...evidence);
  } else {
    result.warden.violations.push({ ...violation, evidence });
  }
  if (violation.evidence[0]?.detector === 'hash-bank') result.warden.evidence.push(...evidence);
}

function summary(finding: ImageFinding): ImageSummary {
  const { param, format, width, height, frames, hashes, matches, classification } = finding;
  return {
    input: param,
    format,
    width,
    height,
    frames,
    hashes: { pdq: hashes.pdq, quality: hashes.quality, md5: hashes.md5, sha256: hashes.sha256 },
    bank_matches: matches.length,
    ...(classification && { classification }),
  };
}

/** The server has an image model, but it could not score these images: they were judged on hash banks alone. */
function modelUnavailable(reason: string): ModerationWarning {
  return {
    code: 'image_model_unavailable',
    message: `The image model could not be run (${reason}); images were matched against this tenant's hash banks only, and no image category was scored from them. The model is tried again within a minute.`,
    categories: [...IMAGE_MODEL_CATEGORIES],
  };
}

function unscoredImages(classified: boolean): ModerationWarning {
  const unscored = MODERATION_CATEGORIES.filter((c) => !classified || !imageModelCategories.has(c));
  const scored = classified ? `The image model scores ${IMAGE_MODEL_CATEGORIES.join(', ')} only; ` : 'No image model scored these images; ';
  return {
    code: 'image_categories_unscored',
    message: `${scored}images were matched against this tenant's hash banks, but no image model scores ${unscored.join(', ')}: their scores come from the text parts alone (a 0 is not a verdict on the image). category_applied_input_types lists "image" only for categories an image was judged on.`,
    categories: unscored,
  };
}
